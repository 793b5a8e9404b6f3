"""The mechanism every extractor shares: run a category's rules over a document.

`find` rules propose candidates, `reject` rules veto candidates they overlap, and
`cue` rules lend attributes to candidates near them. Each step is noted in the
context's event trace so `foi-extract explain` can say which rule did what.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Iterable, NamedTuple

from spacy.matcher import Matcher

from pipeline.context import Context
from pipeline.rules import Rule, RuleSet, RuleTimeout

NEVER_DATA = ("link_block", "url", "email", "placeholder", "chrome")
GAP = 256  # lines of candidates this close are scanned together (whole lines in between)
_START = attrgetter("start")


@dataclass
class Candidate:
    rule: Rule
    start: int
    end: int
    text: str
    groups: dict[str, str | None] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    match: Any = None  # the regex match (None for token patterns)

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


class TokenMatchers:
    """spaCy Matchers for a category's token-pattern rules, built once per pipeline."""

    def __init__(self, vocab, ruleset: RuleSet):
        self.by_action: dict[str, Matcher] = {}
        self.rules: dict[str, Rule] = {}
        for rule in ruleset.rules:
            if rule.pattern is None:
                continue
            matcher = self.by_action.setdefault(rule.action, Matcher(vocab))
            try:
                matcher.add(rule.id, [rule.pattern])
            except Exception as e:  # spaCy rejects the pattern: say where
                from pipeline.rules import RuleError
                raise RuleError([f"{rule.where}: token pattern rejected by spaCy: {e}"]) from None
            self.rules[rule.id] = rule

    def spans(self, doc, action: str) -> Iterable[tuple[Rule, int, int]]:
        matcher = self.by_action.get(action)
        if matcher is None or doc is None:
            return
        for match_id, s, e in matcher(doc):
            rule = self.rules[doc.vocab.strings[match_id]]
            span = doc[s:e]
            yield rule, span.start_char, span.end_char


class Veto(NamedTuple):
    """A span a reject rule vetoes: only where it is and which rule vetoes it is read."""

    start: int
    end: int
    rule: Rule


def _rule_spans(ctx: Context, ruleset: RuleSet, action: str, tokens: TokenMatchers | None,
                within: list[tuple[int, int]] | None = None, errors: list[str] | None = None
                ) -> Iterable[tuple[int, int, Rule, Any]]:
    """(start, end, rule, regex match or None) of the rules with `action`; one-line rules only
    over the blocks of whole lines `within`, when given. Timeouts go to `errors` (the
    context's by default). Most matches are vetoed or dropped: a Candidate is only built
    for those that are kept."""
    text = ctx.text
    for rule in ruleset.by_action(action):
        if rule.compiled is None:
            continue
        blocks = within if within is not None and rule.one_line else [(0, len(text))]
        try:
            for start, end in blocks:
                for m in rule.finditer(text, start, end):
                    s, e = rule.span_of(m)
                    if s < 0 or s == e:
                        continue
                    yield s, e, rule, m
        except RuleTimeout as err:
            (ctx.errors if errors is None else errors).append(str(err))
    if tokens is not None:
        for rule, s, e in tokens.spans(ctx.doc, action):
            yield s, e, rule, None


def _candidate(text: str, s: int, e: int, rule: Rule, m: Any) -> Candidate:
    return Candidate(rule, s, e, text[s:e], m.groupdict() if m is not None else {}, dict(rule.set), m)


def rejections(ctx: Context, ruleset: RuleSet, tokens: TokenMatchers | None = None,
               within: list[tuple[int, int]] | None = None) -> list[Veto]:
    """Spans vetoed by the category's reject rules, sorted by start; one-line rules only
    within the blocks of lines `within`, when given."""
    vetoes = [Veto(s, e, rule) for s, e, rule, _ in _rule_spans(ctx, ruleset, "reject", tokens, within)]
    vetoes.sort(key=_START)
    return vetoes


def _lines_holding(ctx: Context, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The blocks of whole lines (newline included) that hold `spans` (sorted by start)."""
    text = ctx.text
    blocks: list[tuple[int, int]] = []
    for s, e in spans:
        if blocks and e <= blocks[-1][1]:
            continue  # on lines the last block holds whole
        start = text.rfind("\n", 0, s) + 1
        end = text.find("\n", max(s, e - 1)) + 1 or len(text)
        if blocks and start - blocks[-1][1] <= GAP:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end))
        else:
            blocks.append((start, end))
    return blocks


def cues(ctx: Context, ruleset: RuleSet, tokens: TokenMatchers | None = None) -> list[Candidate]:
    text = ctx.text
    return sorted((_candidate(text, *found) for found in _rule_spans(ctx, ruleset, "cue", tokens)),
                  key=lambda c: c.start)


def overlap_index(spans: list[Veto]) -> tuple[list[int], list[int]]:
    """Starts and running maximum ends of spans sorted by start, for first_overlap."""
    return [s.start for s in spans], list(itertools.accumulate((s.end for s in spans), max))


def first_overlap(spans: list[Veto], start: int, end: int, index: tuple[list[int], list[int]]) -> Veto | None:
    """The earliest of `spans` (sorted by start) that overlaps [start, end), by bisection:
    a document's many numbers each meet only the few vetoes near them."""
    starts, reach = index
    j = bisect.bisect_left(starts, end) - 1
    found = None
    while j >= 0 and reach[j] > start:
        if spans[j].end > start:
            found = spans[j]
        j -= 1
    return found


def find_candidates(ctx: Context, ruleset: RuleSet, tokens: TokenMatchers | None = None,
                    never: tuple[str, ...] = NEVER_DATA) -> list[Candidate]:
    """Candidates from `find` rules, minus those in never-data regions or vetoed.

    Overlapping candidates are resolved longest first (ties: the earlier rule in the
    file), so a reviewer orders rules from specific to general.
    """
    category, text = ruleset.category, ctx.text
    order = {r.id: i for i, r in enumerate(ruleset.rules)}
    find_errors: list[str] = []  # noted after the reject rules', as they always were
    found = sorted(_rule_spans(ctx, ruleset, "find", tokens, errors=find_errors),
                   key=lambda f: (f[0], f[0] - f[1], order[f[2].id]))
    # a one-line reject rule can only veto candidates on its own line
    vetoes = rejections(ctx, ruleset, tokens, within=_lines_holding(ctx, [f[:2] for f in found]))
    ctx.errors.extend(find_errors)
    veto_index = overlap_index(vetoes)
    kept: list[tuple[int, int, Rule, Any]] = []
    for f in found:
        s, e, rule, _ = f
        region = ctx.blocked(s, e, never)
        if region is not None:
            ctx.note(rule.id, category, "dropped", (s, e), f"{text[s:e]!r} is inside a {region.kind}")
            continue
        veto = first_overlap(vetoes, s, e, veto_index)
        if veto is not None:
            ctx.note(veto.rule.id, category, "rejected", (s, e),
                     f"{text[s:e]!r} rejected: {veto.rule.reason or veto.rule.id}")
            continue
        if kept and s < kept[-1][1]:
            ps, pe, prule, _ = kept[-1]
            if e - s <= pe - ps:
                ctx.note(rule.id, category, "dropped", (s, e), f"{text[s:e]!r} overlaps {text[ps:pe]!r} ({prule.id})")
                continue
            kept.pop()
        kept.append(f)
    for s, e, rule, _ in kept:
        ctx.note(rule.id, category, "found", (s, e), text[s:e])
    return [_candidate(text, *f) for f in kept]


def cue_attrs(ctx: Context, cand_span: tuple[int, int], cue_list: list[Candidate],
              category: str) -> tuple[dict[str, Any], list[str]]:
    """Attributes lent by cue rules whose scope covers the candidate (nearest cue wins).

    Returns the merged attributes and the ids of the cues that gave them.
    """
    start, end = cand_span
    best: dict[str, tuple[int, Any, str]] = {}
    for cue in cue_list:
        rule = cue.rule
        if rule.scope == "line":
            ls, le = ctx.line_span(start)
            near = ls <= cue.start and cue.end <= le + 1
            dist = abs(cue.start - start)
        elif rule.scope == "before":  # the cue stands before the candidate
            dist = start - cue.end
            near = 0 <= dist <= rule.window
        elif rule.scope == "after":
            dist = cue.start - end
            near = 0 <= dist <= rule.window
        else:  # around
            dist = max(start - cue.end, cue.start - end, 0)
            near = dist <= rule.window
        if not near:
            continue
        for k, v in cue.attrs.items():
            if k not in best or dist < best[k][0]:
                best[k] = (dist, v, rule.id)
    attrs = {k: v for k, (_, v, _) in best.items()}
    used = sorted({rid for (_, _, rid) in best.values()})
    for rid in used:
        ctx.note(rid, category, "cue", cand_span, ", ".join(f"{k}={v}" for k, (_, v, r) in best.items() if r == rid))
    return attrs, used
