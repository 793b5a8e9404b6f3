"""`foi-extract diff`: the effect of a rule edit on the corpus, before anything is written."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.diff import CorpusDiff, diff_document, diff_items
from pipeline.flows import process_batch

from rule_edits import add_rule, copy_rules

runner = CliRunner()

ABC_RULE = """
    - id: refs.abc_case
      regex: '\\bABC/INF/\\d{4}/\\d\\d\\b'
      set: {kind: foi_case}
      examples:
        match: ['logged as <reference kind="foi_case">ABC/INF/1234/24</reference>.']
    """

LETTER = """\
Dear Mr Jones,

Your request has been logged as ABC/INF/1234/24 and we will reply
within the statutory time limit.

Information Governance
"""


def ref(span, value, rule="refs.a", kind="foi_case", line=1):
    return {"text": value, "span": list(span), "line": line, "rule": rule, "message": None,
            "value": value, "kind": kind}


# --------------------------------------------------------------------------- matching items
def test_same_items_are_no_change():
    items = [ref((10, 22), "2016-0058280")]
    assert diff_items("references", items, [dict(i) for i in items]) == []


def test_an_item_only_in_the_new_run_is_added_and_one_only_on_disk_removed():
    changes = diff_items("references", [ref((50, 55), "41814")], [ref((10, 22), "2016-0058280")])
    assert [(c.kind, (c.new or c.old)["value"]) for c in changes] == [("added", "2016-0058280"),
                                                                       ("removed", "41814")]


def test_a_new_kind_at_the_same_span_is_a_change_naming_the_field():
    [change] = diff_items("references", [ref((10, 15), "41814")], [ref((10, 15), "41814", kind="ico_case")])
    assert change.kind == "changed"
    assert change.fields_changed() == ["kind 'foi_case' -> 'ico_case'"]


def test_a_widened_span_is_a_change_not_a_loss_and_a_gain():
    old = ref((10, 15), "41814", rule="refs.cued_number")
    new = ref((5, 15), "FOI 41814", rule="refs.foi_prefixed")
    [change] = diff_items("references", [old], [new])
    assert change.kind == "changed"
    assert "rule 'refs.cued_number' -> 'refs.foi_prefixed'" in change.fields_changed()


def test_per_rule_gains_and_losses():
    doc = diff_document("a.txt", {"references": [ref((0, 5), "41814", rule="refs.old")]},
                        {"references": [ref((0, 5), "41814", rule="refs.new"), ref((9, 14), "59907", rule="refs.new")]})
    per_rule = CorpusDiff([doc]).per_rule()
    assert per_rule["refs.new"]["gained"] == 2 and per_rule["refs.old"]["lost"] == 1


def test_a_document_field_change_is_reported():
    doc = diff_document("a.txt", {"document": {"status": None}}, {"document": {"status": "refused"}})
    assert [c.describe() for c in doc.changes] == ["~ document    status None -> 'refused'"]


spans = st.tuples(st.integers(0, 30), st.integers(1, 5)).map(lambda t: (t[0], t[0] + t[1]))
item_lists = st.lists(st.builds(ref, spans, st.sampled_from(["41814", "59907"]),
                                st.sampled_from(["refs.a", "refs.b"])), max_size=6)


@given(item_lists, item_lists)
def test_every_item_is_accounted_for_once(old, new):
    changes = diff_items("references", old, new)
    added = [c.new for c in changes if c.kind == "added"]
    removed = [c.old for c in changes if c.kind == "removed"]
    changed = [c for c in changes if c.kind == "changed"]
    assert len(new) - len(added) - len(changed) == len(old) - len(removed) - len(changed)  # the unchanged
    assert all(any(i is c.new for c in changes) or i in old for i in new)
    assert (changes == []) == (sorted(map(str, old)) == sorted(map(str, new)))


# --------------------------------------------------------------------------- the command
@pytest.fixture
def corpus(tmp_path):
    """A one-letter corpus, extracted with the project's rules into extracted/."""
    raw, out = tmp_path / "raw", tmp_path / "extracted"
    raw.mkdir()
    (raw / "abc_letter.txt").write_text(LETTER)
    rules = copy_rules(tmp_path)
    [outcome] = process_batch([str(raw / "abc_letter.txt")], str(raw), str(out), str(rules))
    assert outcome.status == "done", outcome.reason
    return tmp_path


def diff(corpus, rules="rules"):
    return runner.invoke(app, ["diff", str(corpus / "raw"), "--against", str(corpus / "extracted"),
                               "--rules", str(corpus / rules)])


def test_unchanged_rules_change_nothing(corpus):
    result = diff(corpus)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "0 of 1 document(s) changed, 0 change(s), 0 error(s)"


def test_a_new_rule_shows_exactly_its_new_items_and_writes_nothing(corpus):
    written = (corpus / "extracted" / "abc_letter.yaml").read_bytes()
    add_rule(corpus / "rules", "references.yaml", ABC_RULE)
    result = diff(corpus)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "abc_letter.txt: 1 change(s)",
        "  + references  line    3  ABC/INF/1234/24 (kind foi_case)  (refs.abc_case)",
        "per rule:",
        "  refs.abc_case  +1",
        "1 of 1 document(s) changed, 1 change(s), 0 error(s)",
    ]
    assert (corpus / "extracted" / "abc_letter.yaml").read_bytes() == written


def test_a_document_without_output_on_disk_is_a_change(corpus):
    (corpus / "raw" / "second.txt").write_text(LETTER)
    result = diff(corpus)
    assert result.exit_code == 1
    assert "second.txt: " in result.stdout and "(no output on disk yet)" in result.stdout


def test_broken_rules_exit_2_with_file_and_line(corpus):
    line = add_rule(corpus / "rules", "references.yaml", """
        - id: refs.broken
          regex: 'ABC/(\\d{4}'
          examples: {match: ['<reference>ABC/1234</reference>']}
        """)
    result = diff(corpus)
    assert result.exit_code == 2
    assert f"references.yaml:{line}: rule refs.broken: regex does not compile" in result.output


def test_an_unreadable_document_exits_2(corpus):
    (corpus / "raw" / "empty.txt").write_text("")
    result = diff(corpus)
    assert result.exit_code == 2
    assert "empty.txt: error: empty file" in result.stdout
