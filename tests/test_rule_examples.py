"""Every rule's examples pass; a broken pattern makes them fail."""
from __future__ import annotations

import shutil

import pytest

from pipeline.examples import check_example, check_rules, parse
from pipeline.extract import pipeline_for
from pipeline.rules import load_rules

from conftest import RULES

ALL_RULES = load_rules(RULES).all_rules()


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.id for r in ALL_RULES])
def test_rule_examples_pass(rule, pipeline_rules):
    _, nlp = pipeline_rules
    problems = [f"{kind} line {line}: {p}" for kind in ("match", "no_match")
                for line, ex in rule.examples.get(kind, []) for p in check_example(rule, kind, ex, nlp)]
    assert problems == []


def test_every_finding_rule_has_an_example():
    missing = [r.id for r in ALL_RULES if not r.examples.get("match")]
    assert missing == []


def test_markup_parses_nested_tags():
    text, exp = parse('On <date value="2016-12-19" role="received">19/12/2016</date> we got it.')
    assert text == "On 19/12/2016 we got it."
    assert (exp[0].start, exp[0].end, exp[0].attrs["role"]) == (3, 13, "received")


def test_breaking_a_pattern_fails_its_examples(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES, rules_dir)
    path = rules_dir / "references.yaml"
    path.write_text(path.read_text().replace(r"regex: '\b{YEAR}-\d{6,8}\b'", r"regex: '\b{YEAR}/\d{6,8}\b'"))
    rules, nlp = pipeline_for(rules_dir)
    problems = check_rules(rules, nlp)
    assert any("refs.year_seq_case" in p and "did not fire" in p for p in problems)
    assert all(p.startswith(str(path)) for p in problems if "refs.year_seq_case" in p)
