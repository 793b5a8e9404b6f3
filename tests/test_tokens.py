"""The pipeline's Doc: words only when a rule reads them (a `pattern:` rule), the text
as one token otherwise; either way the same records come out."""
from __future__ import annotations

import pytest

from pipeline.extract import extract, parse, pipeline_for
from pipeline.ingest import read_source

from conftest import RAW, RULES
from rule_edits import add_rule, copy_rules

CASE_NUMBER_BY_TOKENS = """
- id: refs.case_by_tokens
  pattern: [{LOWER: docket}, {IS_DIGIT: true}]
  examples: {match: ['see <reference>docket 4471</reference> above']}
"""
NEVER_MATCHES = """
- id: refs.never_by_tokens
  pattern: [{LOWER: zzqxjw}, {LOWER: zzqxjw}]
  examples: {match: ['<reference>zzqxjw zzqxjw</reference>']}
"""


def test_without_token_patterns_the_doc_holds_the_text_as_one_token():
    _, nlp = pipeline_for(RULES)
    text = "Dear Sir,\n\nWe hold 12 records about this.\n"
    doc = parse(nlp, text)
    assert (len(doc), doc.text, doc._.foi.text) == (1, text, text)
    assert [c.text for c in doc._.foi.items["counts"]] == ["12"]
    assert nlp.pipe_names[0] == "foi_segment" and len(parse(nlp, "")) == 0


def test_a_token_pattern_a_reviewer_adds_finds_its_words(tmp_path):
    rules = copy_rules(tmp_path)
    add_rule(rules, "references.yaml", CASE_NUMBER_BY_TOKENS)
    _, nlp = pipeline_for(rules)
    doc = parse(nlp, "Please quote docket 4471 in any reply.")
    assert len(doc) == 8  # words (and the full stop) again: a rule reads them
    found = [(r.text, r.rule) for r in doc._.foi.items["references"]]
    assert ("docket 4471", "refs.case_by_tokens") in found


@pytest.fixture(scope="module")
def word_rules(tmp_path_factory):
    """The rules plus a token pattern that never matches: the same rules, tokenised into words."""
    rules = copy_rules(tmp_path_factory.mktemp("words"))
    add_rule(rules, "references.yaml", NEVER_MATCHES)
    return rules


@pytest.mark.parametrize("name", sorted(p.name for p in RAW.glob("*.txt"))[:8])
def test_one_token_or_words_the_record_is_the_same(word_rules, name):
    text = read_source(RAW / name, RAW).text
    by_text, by_words = (extract(text, rules).to_dict() for rules in (RULES, word_rules))
    assert len(pipeline_for(word_rules)[1].make_doc(text)) > 1
    for data in (by_text, by_words):
        data["pipeline"].pop("rules")  # the fingerprints differ
    assert by_text == by_words


def test_extract_leaves_its_pipelines_vocabulary_as_it_found_it():
    _, nlp = pipeline_for(RULES)
    extract("warm up", RULES)
    before = len(nlp.vocab.strings)
    extract("Reference qwzx-7781: 14 requests from Ystradgynlais were refused.", RULES)
    assert len(nlp.vocab.strings) == before
