"""`foi-extract rules check`: every mistake a reviewer can make in `rules/` is reported
as `rules/FILE.yaml:LINE: rule ID: what is wrong`, all of them at once, and exits 1."""
from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from pipeline.check import check
from pipeline.cli import app

from conftest import RULES, RAW
from rule_edits import add_rule, copy_rules

runner = CliRunner()


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    """A copy of the project's rules, with the working directory above it (paths print as rules/...)."""
    monkeypatch.chdir(tmp_path)
    return copy_rules(tmp_path)


def rules_check(*args: str):
    return runner.invoke(app, ["rules", "check", *args])


def test_the_project_rules_pass_quickly(monkeypatch):
    # without the regex gate, whose first build compiles in a thread of its own while the
    # check runs (CPU time this process spends, but not the check's)
    monkeypatch.setenv("FOI_EXTRACT_GATE", "0")
    check(RULES)  # warm up spaCy's import, which is not the check's own time
    started = time.process_time()  # CPU time: a busy machine does not make the check slower
    report = check(RULES)
    assert report.problems == []
    assert time.process_time() - started < 2.0


def test_a_clean_copy_passes_on_the_command_line(rules_dir):
    result = rules_check("--rules", "rules")
    assert result.exit_code == 0, result.output
    assert "all valid, all examples pass" in result.output


BROKEN = {
    "a regex that does not compile": (
        """
        - id: refs.broken_regex
          regex: 'ABC/(\\d{4}'
          examples: {match: ['<reference>ABC/1234</reference>']}
        """, "regex does not compile"),
    "a token pattern spaCy rejects": (
        """
        - id: refs.broken_pattern
          pattern: [{LOWER: abc, OP: sometimes}]
          examples: {match: ['<reference>abc</reference>']}
        """, "token pattern rejected by spaCy"),
    "a token pattern with a wrongly typed value": (
        """
        - id: refs.broken_in
          pattern: [{LOWER: {IN: abc}}]
          examples: {match: ['<reference>abc</reference>']}
        """, "token pattern rejected by spaCy"),
    "a nested quantifier": (
        """
        - id: refs.nested
          regex: '(\\w+\\s?)+/FOI'
          examples: {match: ['<reference>ABC/FOI</reference>']}
        """, "nested quantifier"),
    "an alternation that backtracks catastrophically": (
        """
        - id: refs.exploding
          regex: '(?:a|a)+$'
          examples: {match: ['<reference>a</reference>']}
        """, "backtrack catastrophically"),
    "a key the schema does not know": (
        """
        - id: refs.typo
          regexp: 'ABC/\\d{4}'
        """, "Additional properties are not allowed ('regexp' was unexpected)"),
    "an unknown macro": (
        """
        - id: refs.no_macro
          regex: 'ABC/{NOSUCH}'
          examples: {match: ['<reference>ABC/1</reference>']}
        """, "unknown macro {NOSUCH}"),
    "a capture group the regex does not have": (
        """
        - id: refs.no_group
          regex: 'ABC/(\\d{4})'
          group: 2
          examples: {match: ['<reference>ABC/1234</reference>']}
        """, "group 2 is out of range"),
    "a rule without a match example": (
        """
        - id: refs.no_example
          regex: 'ABC/\\d{4}/XYZ'
        """, "no match example"),
    "a failing example": (
        """
        - id: refs.abc_case
          regex: 'ABC/INF/\\d{4}/\\d\\d'
          set: {kind: foi_case}
          examples:
            match: ['Our reference: <reference kind="ico_case">ABC/INF/1234/24</reference>.']
        """, "kind expected 'ico_case', got 'foi_case'"),
}


@pytest.mark.parametrize("mistake", BROKEN, ids=list(BROKEN))
def test_a_broken_rule_is_reported_where_it_stands(rules_dir, mistake):
    rule_yaml, what = BROKEN[mistake]
    line = add_rule(rules_dir, "references.yaml", rule_yaml)
    result = rules_check("--rules", str(rules_dir))  # absolute on purpose: printed relative to cwd
    assert result.exit_code == 1
    rule_id = rule_yaml.split("id: ")[1].split()[0]
    mine = [ln for ln in result.stdout.splitlines() if what in ln]
    assert mine, result.stdout
    within = {f"rules/references.yaml:{n}: rule {rule_id}: "  # the rule's line, or its example's
              for n in range(line, line + rule_yaml.strip().count("\n") + 1)}
    assert any(ln.startswith(tuple(within)) for ln in mine), mine


def test_a_duplicate_id_names_both_places(rules_dir):
    first = add_rule(rules_dir, "references.yaml", """
        - id: refs.abc_case
          regex: 'ABC/INF/\\d{4}/\\d\\d'
          examples: {match: ['<reference>ABC/INF/1234/24</reference>']}
        """)
    second = add_rule(rules_dir, "references.yaml", """
        - id: refs.abc_case
          regex: 'XYZ/\\d{4}'
          examples: {match: ['<reference>XYZ/1234</reference>']}
        """)
    result = rules_check("--rules", "rules")
    assert result.exit_code == 1
    assert (f"rules/references.yaml:{first + 3}: rule refs.abc_case: duplicate id "
            f"(first at line {second})") in result.stdout


def test_every_problem_in_every_file_is_listed(rules_dir):
    bad_regex = add_rule(rules_dir, "references.yaml", """
        - id: refs.broken_regex
          regex: '(unclosed'
          examples: {match: ['<reference>x</reference>']}
        """)
    schema = add_rule(rules_dir, "references.yaml", """
        - id: refs.typo
          action: discard
          regex: 'x'
        """)
    bad_pattern = add_rule(rules_dir, "segment.yaml", """
        - id: segment.broken_pattern
          pattern: [{NOT_AN_ATTRIBUTE: x}]
        """)
    lines = rules_check("--rules", "rules").stdout.splitlines()
    assert any(ln.startswith(f"rules/references.yaml:{schema}: rule refs.typo: ") for ln in lines)
    assert any(ln.startswith(f"rules/references.yaml:{bad_regex + 3}: rule refs.broken_regex: ")
               for ln in lines), lines  # the schema problem above it did not hide it
    assert any(ln.startswith(f"rules/segment.yaml:{bad_pattern}: rule segment.broken_pattern: token pattern")
               for ln in lines), lines
    assert lines[-1] == "rules:0: examples and the backtracking probe not run: fix the problems above first"


def test_a_disabled_rule_is_not_checked_or_run(rules_dir):
    add_rule(rules_dir, "references.yaml", """
        - id: refs.retired
          disabled: true
          regex: 'ABC/INF/\\d{4}/\\d\\d'
          examples: {match: ['<reference>ABC/INF/1234/24</reference>']}
        """)
    assert rules_check("--rules", "rules").exit_code == 0


def test_broken_rules_stop_a_run_before_it_writes_anything(rules_dir, tmp_path):
    add_rule(rules_dir, "references.yaml", """
        - id: refs.broken_regex
          regex: '(unclosed'
          examples: {match: ['<reference>x</reference>']}
        """)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(RAW / "000_c1bb0fef92aed2d7.txt"), "--out", str(out),
                                 "--rules", "rules"])
    assert result.exit_code == 2
    assert "rule refs.broken_regex: regex does not compile" in result.output
    assert not out.exists()
