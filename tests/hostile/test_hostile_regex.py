"""A rule that backtracks catastrophically is stopped and reported, never left to hang
the run: its document is written with a warning (or fails, past the document's budget)
and the other documents are extracted as usual."""
from __future__ import annotations

import re
import shutil
import time

import pytest
import yaml

import hostile_kit
from hostile_kit import check_output, letter, run_batch, write_letters
from pipeline import rules as rules_module

# `(?:a|aa)+$` slips past the load-time nested-quantifier check (its body is an
# alternation) and takes exponential time on a run of a's not followed by the end.
BACKTRACKING = {"id": "refs.backtracking", "regex": "(?:a|aa)+$"}
TRAP = "Reference: " + "a" * 40 + "!\n"


@pytest.fixture
def raw_and_rules(tmp_path):
    """The project's rules, with one pathological rule added to references.yaml."""
    rules = tmp_path / "rules"
    shutil.copytree(hostile_kit.RULES, rules)
    refs = yaml.safe_load((rules / "references.yaml").read_text(encoding="utf-8"))
    refs["rules"].append(BACKTRACKING)
    (rules / "references.yaml").write_text(yaml.safe_dump(refs, allow_unicode=True), encoding="utf-8")
    raw = tmp_path / "raw"
    write_letters(raw, 3)
    (raw / "trap.txt").write_text(letter(5) + TRAP)
    return raw, rules


def test_the_pathological_rule_is_stopped_and_the_run_reports_it(raw_and_rules, tmp_path, monkeypatch):
    monkeypatch.setattr(rules_module, "REGEX_TIMEOUT_S", 0.3)  # the real guard, a shorter fuse
    raw, rules = raw_and_rules
    started = time.perf_counter()
    outcomes = run_batch(raw, tmp_path / "out", rules=rules)
    assert time.perf_counter() - started < 15
    assert {o.status for o in outcomes.values()} == {"done"}
    (warning,) = outcomes["trap.txt"].warnings
    assert re.fullmatch(r".*/references\.yaml:\d+: rule refs\.backtracking: regex ran over 0\.3s and was stopped",
                        warning)
    record = check_output(tmp_path / "out" / "trap.yaml", letter(5) + TRAP)
    assert record["warnings"] == [warning]
    assert [r["value"] for r in record["references"]] == ["2016-0000005"]  # the other rules still ran
    assert not any(o.warnings for rel, o in outcomes.items() if rel != "trap.txt")


def test_past_its_time_budget_a_document_fails_and_the_next_one_starts_afresh(raw_and_rules, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(rules_module, "REGEX_TIMEOUT_S", 30.0)
    monkeypatch.setattr(rules_module, "DOCUMENT_BUDGET_S", 1.0)  # a letter needs ~0.02 s
    raw, rules = raw_and_rules
    started = time.perf_counter()
    outcomes = run_batch(raw, tmp_path / "out", rules=rules)
    assert time.perf_counter() - started < 15
    assert outcomes["trap.txt"].status == "failed"
    assert outcomes["trap.txt"].reason.startswith("DocumentTimeout: document ran over its time budget")
    assert not (tmp_path / "out" / "trap.yaml").exists()
    assert [o.status for rel, o in sorted(outcomes.items()) if rel != "trap.txt"] == ["done"] * 3


def test_an_obviously_nested_quantifier_is_refused_when_the_rules_load(tmp_path):
    (tmp_path / "references.yaml").write_text(
        "category: references\nrules:\n  - id: refs.backtracking\n    regex: '(\\w+\\s?)+$'\n")
    with pytest.raises(rules_module.RuleError) as e:
        rules_module.load_rules(tmp_path)
    assert e.value.problems == [f"{tmp_path}/references.yaml:3: rule refs.backtracking: regex has a nested "
                                "quantifier (like (a+)+), which can backtrack catastrophically"]
