"""`foi-extract explain`: which rule made each item, and what happened on one line."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from conftest import RAW
from rule_edits import add_rule, copy_rules

runner = CliRunner()

LETTER = """\
Dear Ms Patel,

Thank you for your request of 3 March 2024, which we have logged
as ABC/INF/1234/24. Please quote ABC/INF/1234/24 in any reply.
(Training systems use ABC/INF/0000/00; it is not a case.)

Yours sincerely,
Information Rights Team
"""


@pytest.fixture
def abc_rules(tmp_path):
    """The project's rules plus an invented authority's reference format and a veto for its test number."""
    rules = copy_rules(tmp_path)
    add_rule(rules, "references.yaml", """
        - id: refs.abc_case
          description: Case numbers of the (invented) ABC council, ABC/INF/1234/24.
          regex: '\\bABC/INF/\\d{4}/\\d\\d\\b'
          set: {kind: foi_case}
          examples:
            match: ['logged as <reference kind="foi_case">ABC/INF/1234/24</reference>.']
        """)
    add_rule(rules, "references.yaml", """
        - id: refs.abc_training
          action: reject
          reason: a training system's number, not a case
          regex: '\\bABC/INF/0000/00\\b'
          examples:
            match: ['Training systems use ABC/INF/0000/00.']
        """)
    return rules


@pytest.fixture
def letter(tmp_path):
    path = tmp_path / "abc_letter.txt"
    path.write_text(LETTER)
    return path


def explain(*args: str):
    result = runner.invoke(app, ["explain", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_item_is_listed_with_its_rule_and_context(abc_rules, letter):
    out = explain(str(letter), "--rules", str(abc_rules))
    assert "ABC/INF/1234/24 (kind foi_case)  by rule refs.abc_case" in out
    assert "\n             as [ABC/INF/1234/24]. Please quote ABC/INF/1234/24 in any" in out


def test_a_line_shows_what_each_rule_did_there(abc_rules, letter):
    out = explain(str(letter), "--rules", str(abc_rules), "--at", "4")
    assert out.startswith(f"{letter}:4: as ABC/INF/1234/24. Please quote")
    assert "'ABC/INF/1234/24' found by refs.abc_case -> ABC/INF/1234/24 (kind foi_case)" in out
    assert "another mention of 'ABC/INF/1234/24' (line 4)" in out


def test_a_rejected_candidate_says_why(abc_rules, letter):
    out = explain(str(letter), "--rules", str(abc_rules), "--at", "5")
    assert "'ABC/INF/0000/00' rejected by refs.abc_training: a training system's number, not a case" in out


def test_a_quiet_line_and_a_line_past_the_end(abc_rules, letter):
    assert "no rule fired on this line" in explain(str(letter), "--rules", str(abc_rules), "--at", "2")
    assert "line 99 is outside the document (1-9)" in explain(str(letter), "--rules", str(abc_rules), "--at", "99")


def test_piped_output_is_plain_text(abc_rules, letter):
    assert "\x1b[" not in explain(str(letter), "--rules", str(abc_rules))


def test_every_item_of_a_real_thread_names_its_rule():
    out = explain(str(RAW / "000_c1bb0fef92aed2d7.txt"))
    item_lines = [ln for ln in out.splitlines() if ln.startswith("  line ")]
    assert item_lines and all(" by rule " in ln for ln in item_lines)


def test_a_document_that_cannot_be_read_exits_2(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(app, ["explain", str(empty)])
    assert result.exit_code == 2
    assert "empty file" in result.output
