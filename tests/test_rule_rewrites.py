"""Rules shaped for the regex engine's speed match exactly what their plain form matches.

A guard that lets the engine give up on a position early (`MONTH_WORD_START`, `MONTH_AFTER_DAY`),
a look-behind turned into a consumed word and a `group`, or two alternatives folded into
one, a back-reference or a group name used twice written out so that the gate can read
the rule, are harder to read than the form they replaced. Here the plain form stands beside
each, and generated text (built from the words the rules look for) checks that both
find the same candidates with the same parts.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.rules import RuleSet, load_rule_file

RULES = Path(__file__).resolve().parents[1] / "rules"
EXAMPLES = int(os.environ.get("REWRITE_EXAMPLES", 300))

# category -> (macros that are only guards, emptied in the plain form; {rule id: plain regex})
PLAIN = {
    "dates": ({"MONTH_WORD_START": "{MONTH_START}", "MONTH_AFTER_DAY": "", "SAME_SEP": "(?P=sep)",
               "NO_DIGIT_AFTER": r"(?![\d:/])", "NO_NUMBER_AFTER": r"(?![ \t\xa0]*\d)",
               "YEAR_END": r"(?:(?!\d)|(?=\d{1,2}\.(?:[ \t\n]|$))|(?=\d{1,2}[ \t]+(?:{MONTH_WORD})\b))"}, {
        "dates.month_only":
            r"{MONTH_WORD_START}(?:\b(?P<month>{MONTH_FULL})\b(?![ \t\xa0]*\d)"
            r"|(?<=\b(?:in|of|since|until|during|from|before|after|and)[ \t\xa0]+)(?P<month>May)\b(?![ \t\xa0]*\d)"
            r"|\b(?P<month>{MONTH_WORD})(?=[ \t\xa0]*(?:[-–]|to)[ \t\xa0]*(?:{MONTH_WORD})\b)"
            r"|(?<=\b(?:{MONTH_WORD})[ \t\xa0]*(?:[-–]|to)[ \t\xa0]*)(?P<month>{MONTH_WORD})\b(?![ \t\xa0]*\d))",
        "dates.month_day_year":
            r"{MONTH_START}\b{MONTH}[ \xa0]{DAY}(?:,[ \t\xa0]*|[ \t\xa0]+)(?:(?P<time>\d\d:\d\d(?::\d\d)?)[ \t]+)?"
            r"(?P<year>{YEAR}){YEAR_END}(?:{TIME})?",
        "dates.year_label":
            r"(?m)(?=[12])(?<=^[ \t|]*)(?P<year>{YEAR})(?=[ \t]*(?:[\d,]+[ \t]+)?\([^)\n]*\b(?:{MONTH_WORD}|Q[1-4])\b"
            r"|[ \t]*(?:\t|\|)|[ ]{2,}\S)|(?=[12])(?<=\b(?:[Ff]or|[Ii]n|[Dd]uring)[ \t]+)(?P<year>{YEAR})(?=,|[ \t]+the\b)",
        "dates.reject_signature_name":
            r"(?m)(?=[AMJ])(?:(?<=^[ \t]*)(?:April|May|June|August)[ \t]+[A-Z][a-z]+[ \t]*$|(?<=(?:[Rr]egards|[Tt]hanks"
            r"|[Ss]incerely|[Ff]aithfully|[Ww]ishes),?[ \t]*\n[ \t]*)(?:April|May|June|August)\b)",
        "dates.quarter_words": r"(?=[fstFST1-4])\b(?P<quarter>[Ff]irst|[Ss]econd|[Tt]hird|[Ff]ourth|1st|2nd|3rd|4th)"
                               r"[ \t\xa0]+[Qq]uarter[ \t\xa0]+(?:of[ \t\xa0]+)?(?P<year>{YEAR}){YEAR_END}(?![/\-]\d)",
    }),
    "exemptions": ({}, {
        "exemptions.section_abbreviated":
            r"[Ss](?<![\w'’.][Ss])(?:s?\.|ect?\.|(?<=s)s?(?=\s?\d)|(?<=S)(?=\d\d(?:\(|\b)))\s?{LIST}",
        "exemptions.cue.applies":
            r"(?i)(?<!\bwhich\s)(?<!\bthat\s)(?<!\bit\s)\b(?:applies|appl(?:y|ied)\s+here|(?:is|are|was|were"
            r"|has\s+been|have\s+been|had\s+been|being)\s+(?:(?:properly|correctly|rightly|validly|therefore)\s+)?"
            r"(?:engaged|applied|cited|claimed|relied\s+(?:up)?on|invoked))\b"
            r"(?!\s+(?:where|when|to\s+(?:information|any|all|requests?)))",
    }),
    "references": ({}, {
        "refs.parliamentary_question":
            r"\b(?:PQ|UIN|Question|(?i:written|parliamentary)\s+question)\s+(?:No\.?\s*|number\s+)?(?P<value>\d{4,7})\b"
            r"|\b(?P<value>HL\d{3,5})\b",
        "refs.code_line": r"(?m)^[ \t]*(?P<value>(?=[A-Z\d/-]*\d{3})(?!{SCHEME}\b){CODE})[ \t]*$",
    }),
    "field_lists": ({}, {
        "field_lists.spreadsheet": r"(?<![-./])\b(?:spreadsheet|excel|csv)\b(?![-./]\w)",
    }),
}


def plain_rules(category: str, tmp: Path) -> RuleSet:
    """The category's rule file with its guards emptied and the rewritten rules in plain form."""
    data = yaml.safe_load((RULES / f"{category}.yaml").read_text(encoding="utf-8"))
    guards, regexes = PLAIN[category]
    data.setdefault("macros", {}).update(guards)
    for raw in data["rules"]:
        if raw["id"] in regexes:
            raw["regex"] = regexes[raw["id"]]
    path = tmp / f"{category}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_rule_file(path)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> dict[str, list[tuple]]:
    """Per category, (rule as written, its plain form) for every rule the plain file changes."""
    tmp = tmp_path_factory.mktemp("plain")
    out = {}
    for category in PLAIN:
        written, plain = load_rule_file(RULES / f"{category}.yaml"), plain_rules(category, tmp)
        out[category] = [(rule, plain.get(rule.id)) for rule in written.rules
                         if rule.regex is not None and plain.get(rule.id).regex != rule.regex]
    return out


def test_the_plain_forms_differ_from_the_rules(pairs):
    changed = {rule.id for category in pairs.values() for rule, _ in category}
    assert {"dates.month_day", "dates.day_month", "dates.numeric_dmy", "dates.iso", "dates.month_only",
            "dates.month_day_year", "dates.year_label", "dates.reject_signature_name", "exemptions.section_abbreviated",
            "refs.parliamentary_question", "refs.code_line"} <= changed


# a group renamed so that no name is used twice, as the extractor reads it (a mail stamp's
# time is the date's time, unless a time follows the year: the later group wins, as with one name)
READ_AS = {"stamp_time": "time"}


def found(rule, text: str, pos: int, end: int) -> list[tuple]:
    out = []
    for m in rule.compiled.finditer(text, pos, end):
        groups = {}
        for name, value in m.groupdict().items():
            if value is not None and name != rule.group:
                groups[READ_AS.get(name, name)] = value
        out.append((rule.span_of(m), groups))
    return out


_BLANKS = [" ", " ", "  ", "\t", "\n", "\n", "\xa0", ",", ".", ":", "(", ")", "-", "/", "|", "x", "A"]
_WORDS = {  # what the rules of each category look for, and what stands near it
    "dates": ["1", "2", "08", "12", "31", "2015", "2016", "20191", "108", "st", "th", "^", "of", "the", "in", "to",
              "and", "Monday", "Tues", "Thu", "Jan", "January", "Feb", "Mar", "May", "June", "Jun", "Sept", "Dec",
              "Date", "–", "'", "first", "Fourth", "second", "third", "1st", "2nd", "3rd", "4th", "quarter",
              "14:58", "05:57:26", "at", "pm", "1.", "12.", "19/12/2016", "2016-10-13", "1.4.19"],
    "exemptions": ["exemption", "exemptions", "exception", "at", "under", "(2)", "(a)", "(iv)", "(1A)", "40", "43",
                   "22A", "1.2", "and", "s", "section", "which", "that", "it", "applies", "is", "been", "engaged",
                   "here", "where", "to", "information", "S", "s.", "ss.", "Sec.", "Sect.", "S40", "s40", "'s", "’s",
                   "items", "is", "12", "40(2)"],
    "references": ["PQ", "UIN", "Question", "written", "parliamentary", "No.", "No", "number", "HL", "123",
                   "12345", "4567", "FOI", "EIR", "FI16615", "AB/123", "CR12997", "2016", "Z9", "/", "-"],
    "field_lists": ["spreadsheet", "Excel", "csv", ".", "-", "/", "data", "file"],
}


def texts(category: str, rules: list) -> st.SearchStrategy[str]:
    """Text made of the words the rules look for, and the rules' own examples with a few
    characters changed, dropped or put in (near misses of what they match)."""
    pieces = st.sampled_from(_BLANKS + _WORDS[category]).flatmap(
        lambda piece: st.sampled_from([piece, piece.upper(), piece.lower(), piece.title()]))
    parts = st.lists(st.one_of(pieces, st.text(max_size=2)), max_size=30)
    seeds = _examples(rules)
    edits = st.lists(st.tuples(st.integers(0, 1000), st.sampled_from(["case", "drop", "put"]), pieces), max_size=4)
    return st.one_of(parts.map("".join), parts.map(" ".join), st.builds(_edited, st.sampled_from(seeds), edits))


def _edited(text: str, edits: list[tuple[int, str, str]]) -> str:
    for at, kind, piece in edits:
        i = at % (len(text) + 1)
        if kind == "case":
            text = text[:i] + text[i:i + 1].swapcase() + text[i + 1:]
        elif kind == "drop":
            text = text[:i] + text[i + 1:]
        else:
            text = text[:i] + piece + text[i:]
    return text


def _examples(rules: list) -> list[str]:
    return sorted({re.sub(r"</?[a-z_]+[^<>]*>", "", text) for rule in rules
                   for kind in ("match", "no_match") for _, text in rule.examples.get(kind, [])})


# near misses the examples do not hold: separators that differ, a year glued to a list number
# at a line's end, a mail stamp's time with a time after the year
_NEAR_MISSES = {"dates": ["19/12-2016", "19.12/2016", "1-4.19", "2016/10-13", "2016.10.13.", "14 November 20191.\nDo you",
                          "Responded 19/12/20191.\n2. Do you", "October 29, 20241.", "Mar 12 14:58:26 2008 10:00",
                          "Mar 12 14:58:26 2008", "in May 2019 and March", "December 15", "December 15\n", "March 2016",
                          "May 5:30", "Mar 3/4", "in July", "in July  \n2016", "in July \t2016", "Jan - Mar\n", "June\xa0\n",
                          "June\xa02016", "in July\xa0\t5", "Jan - Mar\xa02016", "since June \xa0"]}


@pytest.mark.parametrize("category", list(PLAIN))
def test_a_rule_finds_what_its_plain_form_finds_in_every_example(pairs, category):
    examples = _examples(load_rule_file(RULES / f"{category}.yaml").rules) + _NEAR_MISSES.get(category, [])
    for rule, plain in pairs[category]:
        for text in examples:
            for pos, end in ((0, len(text)), (0, len(text) // 2), (len(text) // 3, len(text))):
                assert found(rule, text, pos, end) == found(plain, text, pos, end), (rule.id, text)


@pytest.mark.parametrize("category", list(PLAIN))
def test_a_rule_finds_what_its_plain_form_finds(pairs, category):
    @settings(max_examples=EXAMPLES, deadline=None)
    @given(text=texts(category, [rule for rule, _ in pairs[category]]),
           cut=st.tuples(st.integers(0, 120), st.integers(0, 120)))
    def check(text, cut):
        pos, end = min(cut[0], len(text)), min(max(cut), len(text))
        for rule, plain in pairs[category]:
            assert found(rule, text, 0, len(text)) == found(plain, text, 0, len(text)), rule.id
            assert found(rule, text, pos, end) == found(plain, text, pos, end), rule.id  # as cue windows scan
    check()


# Rewrites whose difference could only show in text of a particular shape: words and
# what stands between them, alternating ("19" "/" "12" "-" "2016" "\n"), so that numeric
# dates with two separators and years glued to what follows come up often.
_SHAPES = {
    "dates.numeric_dmy": (["1", "4", "09", "12", "19", "31", "2016", "20191", "05:57", "x", "April"],
                          ["/", "-", ".", " ", "\t", "\n", ":", "", " at ", ".\n"]),
    "dates.iso": (["1", "4", "09", "12", "13", "2016", "20191", "x"], ["/", "-", ".", " ", "\n", ""]),
    "dates.month_day": (["Mar", "December", "May", "in", "15", "2016", "3", "5:30", "1st", "x"],
                        [" ", "\xa0", "\t", "\n", "/", ":", "", ", "]),
    "dates.month_only": (["July", "May", "in", "Jan", "Mar", "2016", "5", "to", "x"],
                         [" ", "\xa0", "\t", "\n", "  \n", " - ", "-", "", ", "]),
    "dates.month_day_year": (["Mar", "October", "12", "29", "14:58:26", "05:57", "2008", "20191", "1", "May", "pm"],
                             [" ", ", ", "\t", "\n", ".", ". ", "", " at ", ".\n"]),
}


@pytest.mark.parametrize("rule_id", list(_SHAPES))
def test_a_rewrite_finds_what_its_plain_form_finds_in_text_of_its_shape(pairs, rule_id):
    rule, plain = next(pair for pair in pairs["dates"] if pair[0].id == rule_id)
    words, between = _SHAPES[rule_id]

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(parts=st.lists(st.tuples(st.sampled_from(words), st.sampled_from(between)), min_size=3, max_size=8),
           cut=st.tuples(st.integers(0, 40), st.integers(0, 40)))
    def check(parts, cut):
        text = "".join(word + gap for word, gap in parts)
        pos, end = min(cut[0], len(text)), min(max(cut), len(text))
        assert found(rule, text, 0, len(text)) == found(plain, text, 0, len(text))
        assert found(rule, text, pos, end) == found(plain, text, pos, end)
    check()
