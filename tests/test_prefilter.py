"""Literal prefilters: a rule tried only where its literals stand finds exactly what a scan
of the whole text finds."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.literals import shape_of
from pipeline.prefilter import Finder, index_of
from pipeline.rules import load_rules

from conftest import RAW, RULES

ALL_RULES = load_rules(RULES)
SEGMENT = ALL_RULES["segment"]


def spans(matches) -> list[tuple[int, int, tuple]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]


def same_as_scan(text: str, rules, start: int = 0, end: int | None = None) -> None:
    end = len(text) if end is None else end
    finder = Finder(text, rules)
    for rule in rules.rules:
        if rule.compiled is not None:
            assert spans(finder.finditer(rule, start, end)) == spans(rule.finditer(text, start, end)), rule.id


# --------------------------------------------------------------------------- reading a regex
def test_a_salutation_heads_its_line_and_stays_on_it():
    shape = shape_of(r"(?m)^[ \t]*Dear(?:[ \t]+(?P<name>[^\n:;!?]{0,100}?))?[ \t]*,?[ \t]*$", False)
    assert shape.one_line
    (dear,), = [o for o in shape.options if o[0].literal == "dear"]
    assert dear.head == frozenset(" \t") and dear.line_start and dear.lines == 0


def test_words_joined_by_white_space_can_span_lines():
    shape = shape_of(r"(?i)\b(?:acknowledge\s+receipt|auto(?:matic)?[ -]?reply)", False)
    assert not shape.one_line
    assert any({a.literal for a in o} == {"acknowledge", "auto"} for o in shape.options)


def test_a_date_under_an_author_line_is_one_line_down():
    shape = shape_of(r"(?m)^(?P<sender>[^\s>][^\n]{0,118}+)\n[ \t]*(?P<date>\d{1,2}[ \t]+(?:May|June))[ \t]*$", False)
    may = next(a for o in shape.options for a in o if a.literal == "may")
    assert may.lines == 1 and may.line_start


@pytest.mark.parametrize("source", [
    r"(?:request){e<=1}",  # fuzzy matching: Python's parser would read a literal brace
    r"[[:alpha:]]+ Council",  # a POSIX class: a nested set to Python
    r"(?:Council)?",  # may match nothing
    r"\p{Lu}\w+ Council",  # syntax Python cannot read
])
def test_regexes_it_cannot_read_are_scanned_whole(source):
    assert shape_of(source, False) is None


# --------------------------------------------------------------------------- same matches
@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name)
def test_every_rule_finds_on_real_documents_what_a_scan_finds(path):
    text = path.read_text()
    for category in ALL_RULES.sets.values():
        same_as_scan(text, category)
    same_as_scan(text, SEGMENT, 0, min(len(text), 5000))  # a page's head
    same_as_scan(text, SEGMENT, len(text) // 3, len(text) // 3 + 3000)  # a message's opening


def test_case_folding_that_lower_does_not_follow_falls_back_to_scans():
    text = "DEAR ſIR,\nPleaſe find attached the İnformation.\nYours ſincerely\nJ Smith\n"
    assert Finder(text, SEGMENT).low is None  # lower() would move or hide matches
    same_as_scan(text, SEGMENT)


def test_one_pass_finds_every_line_heading_literal():
    index = index_of(SEGMENT)
    assert index.head_pass is not None and "dear" in index.prefixes
    finder = Finder("Title\n\n  Dear Home Office,\n\nYours faithfully,\n", SEGMENT)
    heads = finder._head_positions()
    assert heads["dear"] == [9] and heads["yours"] == [28]
    assert Finder("Dear Sir,\nDear Madam,", SEGMENT)._head_positions()["dear"] == [0, 10]  # the first line too


PIECES = ["Dear Home Office,", "Yours sincerely,", "yours faithfully", "Kind regards", "> quoted line",
          "-----Original Message-----", "On 3 May 2019, J Smith wrote:", "From: FOI\nSent: today\nSubject: x",
          "J Smith\n12 July 2019", "The request was successful.", "https://www.whatdotheyknow.com/x",
          "foi@example.gov.uk", "[email address]", "1 Attachment", "  • Attachment\n\n    Reply.pdf",
          "References\n\nVisible links\n1. http://x.uk/", "show quoted sections", "We acknowledge receipt",
          "Please find attached", "information not held", "held by Home Office", "Department for Education",
          "Q1 - 316", "Date: 13 January 2022", "8 December 2016", "received on 19/12/2016", "\u00a0Dear Sir",
          "*Re: Request 41814*", "Decision 041/2020", "J Smith left an annotation ( 5 September 2018)",
          "FOI Team, Home Office", "________________", "News / Pupil data", "overdue", "clarify your request"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "\t", "\n", "\n\n", "  ", ", "]),
                          st.sampled_from([str, str.upper, str.lower, str.title])), max_size=25),
       st.integers(0, 400), st.integers(0, 400))
def test_segment_rules_find_in_any_mix_of_their_words_what_a_scan_finds(pieces, cut, width):
    text = "".join(case(piece) + sep for piece, sep, case in pieces)
    same_as_scan(text, SEGMENT)
    start = min(cut, len(text))
    same_as_scan(text, SEGMENT, start, min(len(text), start + width))
