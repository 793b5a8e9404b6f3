"""Literal alternations factored into tries as rules compile: the same matches, found sooner."""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.alternations import factored
from pipeline.rules import load_rules

from conftest import RAW, RULES


def matches(source: str, text: str, ignore_case: bool = False) -> list[tuple]:
    flags = regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0)
    return [tuple(m.span(g) for g in range(m.re.groups + 1)) for m in regex.finditer(source, text, flags)]


def test_number_words_share_their_first_letters():
    words = r"(?:one|two|three|ten|twelve|twenty)"
    assert factored(words) == r"(?:one|t(?:w(?:o|e(?:lve|nty))|hree|en))"


def test_an_optional_plural_is_tried_as_written():
    assert factored(r"\b(?:days?|decades?)\b") == r"\b(?:d(?:ay(?:s|)|ecade(?:s|)))\b"


def test_a_lookbehind_groups_its_words_by_their_last_letter():
    assert factored(r"(?<=\b(?:section|regulation|paragraph)\s)\d") == r"(?<=\b(?:(?:sec|regula)tion|paragraph)\s)\d"


def test_a_lookbehind_that_captures_keeps_its_order():
    source = r"(?<=\b(?P<q>over|more than|c\.)\s)\d"
    assert factored(source) == source


def test_phrases_that_start_alike_share_their_first_letters():
    assert factored(r"\bI\s+dispute|\bI\s+argue|\bshould\s+not") == r"\bI(?:\s+dispute|\s+argue)|\bshould\s+not"


def test_an_alternative_of_unknown_first_character_keeps_its_place():
    assert factored(r"(?:a\s+b|\d+|a\s+c)") == r"(?:a\s+b|\d+|a\s+c)"


def test_what_it_cannot_read_is_compiled_as_written():
    for source in (r"(?:request){e<=1}", r"[[:alpha:]]+ (?:a|b)", r"(?x) (?:ab | ac)", r"(?#note)(?:ab|ac)", "(?:ab|ac"):
        assert factored(source) == source


def test_every_rule_finds_the_same_in_the_documents():
    texts = [p.read_text() for p in sorted(RAW.glob("*.txt"))]
    for rule in load_rules(RULES).all_rules():
        if rule.regex:
            for text in texts:
                assert matches(rule.regex, text, rule.ignore_case) == matches(
                    factored(rule.regex), text, rule.ignore_case), rule.id


# --------------------------------------------------------------------------- any alternation
_WORD = st.text("abAB. ", min_size=0, max_size=4).map(regex.escape)
_ITEM = st.one_of(
    _WORD,
    st.tuples(_WORD, st.sampled_from("ab"), _WORD).map(lambda t: f"{t[0]}{t[1]}?{t[2]}"),
    st.tuples(_WORD, st.lists(_WORD, min_size=1, max_size=3)).map(lambda t: f"{t[0]}(?:{'|'.join(t[1])})?"),
)
_BRANCH = st.one_of(  # an alternative that is not all literal: it keeps its place unless it starts with a letter
    _ITEM,
    st.tuples(_WORD, st.sampled_from(["\\s+", "[ab]?", "(?:a|ab)", "\\w*", "(?=b)", ".", "(b)"]), _WORD).map("".join),
    st.tuples(st.sampled_from(["\\b", "^", "$", "(?i:a)", "[aA]", "\\s*"]), _WORD).map("".join),
)
_ALTERNATION = st.lists(_BRANCH, min_size=2, max_size=7).map("|".join)
_SHAPE = st.sampled_from([
    "(?:{})", "({})b?", "x?(?:{})(?:{})", "(?<=(?:{})\\s?)[ab]", "(?<!{})b", "(?<=({}))a", "(?=(?:{}))\\w",
    "(?:{}|[ab]+|{})", "{}", "(?:(?:{})\\s|a)+",
])


@settings(max_examples=400, deadline=None)
@given(_SHAPE, _ALTERNATION, _ALTERNATION, st.text("abAB. \nx", max_size=60), st.booleans())
def test_a_factored_regex_matches_exactly_as_written(shape, first, second, text, ignore_case):
    source = shape.replace("{}", first, 1).replace("{}", second, 1)
    try:
        regex.compile(source, regex.VERSION0)
    except regex.error:
        return  # e.g. a lookbehind the module refuses; nothing to compare
    assert matches(factored(source), text, ignore_case) == matches(source, text, ignore_case)
