"""The shared matching mechanism: one-line reject rules are only tried on the lines that
hold candidates, and that changes nothing a document gets."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import matching
from pipeline.context import Context
from pipeline.matching import find_candidates
from pipeline.rules import load_rules

from conftest import RULES

COUNTS = load_rules(RULES)["counts"]


def test_a_money_veto_stays_on_its_line_but_a_threshold_may_wrap():
    assert COUNTS.get("counts.reject.money").one_line
    assert not COUNTS.get("counts.reject.threshold").one_line  # "more than\n5"


def test_a_sum_of_money_on_the_line_of_a_figure_still_vetoes_it():
    ctx = Context("Total spent: £2,400 on 3 laptops.\n\nThere were 12 complaints.")
    found = [c.text for c in find_candidates(ctx, COUNTS)]
    assert "2,400" not in found and "12" in found


_PIECES = ["£", "$", "5", "12", "2,400", "1990", " ", "  ", "\n", "\n\n", "more than ", "section ", "aged ",
           "3pm", "%", "per cent", "one in ", "10:30", "[4]", "(2)", "1. ", "Tel: 0123 456 789", "twenty",
           "requests", "The ", "March ", "12 High Street", "100000", "pounds", "-", "/"]
_FILLER = "\n" + "a line with no figures on it at all " * 9 + "\n"  # keeps blocks of lines apart


def _matched(text: str) -> tuple[list, list]:
    ctx = Context(text)
    found = [(c.rule.id, c.span) for c in find_candidates(ctx, COUNTS)]
    return found, [(e.rule, e.action, e.span) for e in ctx.events]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.just(_FILLER)), max_size=40).map("".join))
def test_restricting_one_line_vetoes_to_candidate_lines_changes_nothing(text):
    restricted = _matched(text)
    original = matching._lines_holding
    matching._lines_holding = lambda ctx, spans: [(0, len(ctx.text))]
    try:
        assert _matched(text) == restricted
    finally:
        matching._lines_holding = original


def _lines_holding_plainly(ctx: Context, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """_lines_holding as first written: each span's lines read with Context.line_span."""
    blocks: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        start = ctx.line_span(s)[0]
        end = min(ctx.line_span(max(s, e - 1))[1] + 1, len(ctx.text))
        if blocks and start - blocks[-1][1] <= matching.GAP:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end))
        else:
            blocks.append((start, end))
    return blocks


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "12", " ", "\n", "\n\n", "x" * 300]), min_size=1, max_size=30).map("".join),
       st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 400)), max_size=20))
def test_the_lines_holding_candidates_are_those_each_candidate_stands_on(text, picks):
    ctx = Context(text)
    spans = sorted((s % len(text), min(len(text), s % len(text) + n)) for s, n in picks)
    assert matching._lines_holding(ctx, spans) == _lines_holding_plainly(ctx, spans)
