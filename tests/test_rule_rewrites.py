"""Rules shaped for the regex engine's speed match exactly what their plain form matches.

A guard that lets the engine give up on a position early (`MONTH_WORD_START`, `MONTH_AFTER_DAY`),
a look-behind turned into a consumed word and a `group`, or two alternatives folded into
one are harder to read than the form they replaced. Here the plain form stands beside
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
    "dates": ({"MONTH_WORD_START": "{MONTH_START}", "MONTH_AFTER_DAY": ""}, {
        "dates.quarter_words": r"(?=[fstFST1-4])\b(?P<quarter>[Ff]irst|[Ss]econd|[Tt]hird|[Ff]ourth|1st|2nd|3rd|4th)"
                               r"[ \t\xa0]+[Qq]uarter[ \t\xa0]+(?:of[ \t\xa0]+)?(?P<year>{YEAR}){YEAR_END}(?![/\-]\d)",
    }),
    "exemptions": ({}, {
        "exemptions.exemption_number":
            r"(?<=\b(?i:exemptions?|exceptions?)\s+(?:at\s+|under\s+)?){NUM}{SUB}(?:{SUB}){0,4}"
            r"|\b{NUM}{SUB}(?:{SUB}){0,4}(?=\s+(?i:exemptions?|exceptions?)\b)",
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
    assert {"dates.month_day", "dates.day_month", "exemptions.exemption_number",
            "refs.parliamentary_question", "refs.code_line"} <= changed


def found(rule, text: str, pos: int, end: int) -> list[tuple]:
    return [(rule.span_of(m), {k: v for k, v in m.groupdict().items() if v is not None and k != rule.group})
            for m in rule.compiled.finditer(text, pos, end)]


_BLANKS = [" ", " ", "  ", "\t", "\n", "\n", "\xa0", ",", ".", ":", "(", ")", "-", "/", "|", "x", "A"]
_WORDS = {  # what the rules of each category look for, and what stands near it
    "dates": ["1", "2", "08", "12", "31", "2015", "2016", "20191", "108", "st", "th", "^", "of", "the", "in", "to",
              "and", "Monday", "Tues", "Thu", "Jan", "January", "Feb", "Mar", "May", "June", "Jun", "Sept", "Dec",
              "Date", "–", "'", "first", "Fourth", "second", "third", "1st", "2nd", "3rd", "4th", "quarter"],
    "exemptions": ["exemption", "exemptions", "exception", "at", "under", "(2)", "(a)", "(iv)", "(1A)", "40", "43",
                   "22A", "1.2", "and", "s", "section", "which", "that", "it", "applies", "is", "been", "engaged",
                   "here", "where", "to", "information"],
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
    seeds = sorted({re.sub(r"</?[a-z_]+[^<>]*>", "", text) for rule in rules
                    for kind in ("match", "no_match") for _, text in rule.examples.get(kind, [])})
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
