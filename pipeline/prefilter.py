"""Run a rule only where it can match: literal prefilters read from its regex.

Every match of `(?m)^[ \\t]*Yours[ \\t]+sincerely` starts a line that begins with
"yours"; scanning those lines finds exactly what a scan of the whole text finds. For
each rule this module picks, from the shape pipeline/literals.py reads, the anchors
that are cheapest to look for, and then
- skips the rule where none of its literals stands;
- scans a one-line rule over the lines holding them (neighbouring lines together);
- tries a rule whose literals tell where a match starts only at those starts;
- else scans from the first place a match could start.
Literals that head their line are found for all rules of a set in one pass over the
text; others with str.find. Both look in a lower-cased copy, so case never hides a
match. The results are those of `Rule.finditer`, only cheaper.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, replace
from typing import Any, Iterator

from pipeline.literals import Anchor, Option, Shape, frequency, shape_of
from pipeline.rules import Rule, RuleSet, lowered

# Costs in characters of a regex scan, the unit of a rule's cost over a text.
FIND_COST = 0.04  # str.find over a character, next to a rule's regex
ATTEMPT_COST = 64  # one match attempt, or one line scan, called from Python
HEAD_SHARE = 0.03  # of the places a literal stands, about this many begin a line
MAX_COST = 0.5  # a plan dearer than this per character is not worth having
GAP = 256  # candidate lines this close are scanned in one go


@dataclass(frozen=True)
class Plan:
    anchors: Option  # every match holds one of these: to skip and narrow scans
    placing: Option  # those of an option that also tell where matches start (or ())
    one_line: bool


class RuleIndex:
    """The plans of a rule set's rules, and the pass that finds their line-heading literals."""

    def __init__(self, rules: RuleSet):
        shapes = {r.id: shape_of(r.regex, r.ignore_case) for r in rules.rules if r.regex}
        self.blanks = frozenset().union(*(a.head for s in shapes.values() if s
                                          for o in s.options for a in o if a.head is not None))
        self.plans = {rid: plan for rid, s in shapes.items() if s and (plan := self._plan(s))}
        heads = sorted({a.literal for p in self.plans.values() for a in p.anchors + p.placing if a.head},
                       key=len, reverse=True)
        blanks = "".join(re.escape(c) for c in sorted(self.blanks))
        head = rf"[{blanks}]*({'|'.join(map(re.escape, heads))})"
        # the first line, then after each newline (not (?m)^: the engine jumps from newline to newline)
        self.head_pass = (re.compile(head), re.compile(r"\n" + head)) if heads else None
        self.prefixes = {h: [p for p in heads if h.startswith(p)] for h in heads}

    def _plan(self, shape: Shape) -> Plan | None:
        def cost(option: Option, attempt: float) -> float:
            return sum((0 if a.head else FIND_COST) + frequency(a.literal) * (HEAD_SHARE if a.head else 1) * attempt
                       for a in option)
        # the head pass finds a literal first on its line after blanks, within that line
        options = [tuple(a if a.head is None or (a.literal[0] not in self.blanks and "\n" not in a.literal)
                         else replace(a, head=None) for a in o) for o in shape.options]
        attempt = ATTEMPT_COST if shape.one_line else 1
        anchors = min(options, key=lambda o: cost(o, attempt))
        if cost(anchors, attempt) > MAX_COST:
            return None
        placed = [o for o in options if all(a.placed for a in o) and cost(o, ATTEMPT_COST) <= MAX_COST]
        placing = min(placed, key=lambda o: cost(o, ATTEMPT_COST), default=())
        if not shape.one_line:
            anchors = tuple(sorted(anchors, key=lambda a: -frequency(a.literal)))
        return Plan(anchors, () if shape.one_line else placing, shape.one_line)


_INDEXES: dict[int, tuple[RuleSet, RuleIndex]] = {}


def index_of(rules: RuleSet) -> RuleIndex:
    """The rule set's index, built once."""
    cached = _INDEXES.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = _INDEXES[id(rules)] = (rules, RuleIndex(rules))
    return cached[1]


@dataclass
class _Found:
    """One rule's literals in one text (or in a page's head)."""

    at: list[int]  # where they stand, in order (one-line rules)
    starts: list[int] | None  # where the rule's matches can start (placing plans)


class Finder:
    """Where a rule set's literals stand in one text, shared by the rules run over it."""

    def __init__(self, text: str, rules: RuleSet):
        self.text = text
        self.index = index_of(rules)
        self.low = lowered(text)  # shared with the rules' own literal checks
        self._plans = self.index.plans if self.low is not None else {}
        self._heads: dict[str, list[int]] | None = None
        self._literals: dict[str, list[int]] = {}  # literal -> where it stands in the whole text
        self._rules: dict[str, _Found] = {}

    def finditer(self, rule: Rule, start: int, end: int) -> Iterator[Any]:
        """Exactly `rule.finditer(text, start, end)`, trying the rule only where it can match."""
        plan = self._plans.get(rule.id)
        if plan is None:
            return rule.finditer(self.text, start, end)
        if plan.one_line:
            found = self._found(rule.id, plan, start, end)
            i, j = bisect.bisect_left(found.at, start), bisect.bisect_left(found.at, end)
            return self._by_lines(rule, found.at[i:j], start, end) if i < j else iter(())
        first = self._earliest_start(plan, start, end)
        if first >= end:
            return iter(())
        found = self._found(rule.id, plan, start, end)
        if found.starts is not None:
            starts = found.starts[bisect.bisect_left(found.starts, start):bisect.bisect_left(found.starts, end)]
            if len(starts) * ATTEMPT_COST < end - first:
                return self._at_starts(rule, starts, end)
        return rule.finditer(self.text, first, end)

    # ---- where literals stand
    def _found(self, rule_id: str, plan: Plan, start: int, end: int) -> _Found:
        """The rule's literals over the whole text, kept for its later calls; over a page's
        head only when that is all that is asked."""
        found = self._rules.get(rule_id)
        if found is not None:
            return found
        head_only = start == 0 and end < len(self.text) // 8
        span = (start, end) if head_only else (0, len(self.text))
        if plan.one_line:  # its lines are what counts: each literal once
            lists = [self._positions(a, *span) for a in {(a.literal, a.head is not None): a for a in plan.anchors}.values()]
            found = _Found(sorted(itertools.chain.from_iterable(lists)) if len(lists) > 1 else lists[0], None)
        else:
            found = _Found([], sorted({s for a in plan.placing for o in self._positions(a, *span)
                                       for s in self._starts_of(a, o)}) if plan.placing else None)
        if not head_only:
            self._rules[rule_id] = found
        return found

    def _positions(self, anchor: Anchor, start: int, end: int) -> list[int]:
        """Where `anchor`'s literal starts within [start, end) (for a line-heading anchor,
        only where it heads a line)."""
        literal = anchor.literal
        if anchor.head:
            found = self._head_positions().get(literal, [])
            if start == 0 and end == len(self.text):
                return found
        elif start == 0 and end == len(self.text):
            found = self._literals.get(literal)
            if found is None:
                found = self._literals[literal] = list(_occurrences(self.low, literal, 0, end))
            return found
        else:
            return list(_occurrences(self.low, literal, start, end))
        return found[bisect.bisect_left(found, start):bisect.bisect_left(found, end)]

    def _head_positions(self) -> dict[str, list[int]]:
        if self._heads is None:
            self._heads = {}
            if self.index.head_pass is not None:
                first_line, after_newline = self.index.head_pass
                prefixes = self.index.prefixes
                first = first_line.match(self.low)
                for m in ([first] if first else []) + list(after_newline.finditer(self.low)):
                    for literal in prefixes[m.group(1)]:
                        self._heads.setdefault(literal, []).append(m.start(1))
        return self._heads

    def _earliest_start(self, plan: Plan, start: int, end: int) -> int:
        """Where a scan of [start, end) may begin: no match starts before the reach of the first
        of its literals there (`end` when none is there)."""
        first = end
        for anchor in plan.anchors:  # the commonest first: one found with no bound ends the search
            if anchor.head:
                found = self._head_positions().get(anchor.literal, ())
                i = bisect.bisect_left(found, start)
                o = found[i] if i < len(found) and found[i] < end else -1
            else:
                o = self.low.find(anchor.literal, start, end)
            if o < 0:
                continue
            if anchor.hi is not None:
                reach = o - anchor.hi
            elif anchor.lines == 0:
                reach = self.text.rfind("\n", 0, o) + 1
            else:
                return start
            if reach <= start:
                return start
            first = min(first, reach)
        return first

    def _starts_of(self, anchor: Anchor, o: int) -> list[int]:
        """Where a match holding `anchor`'s literal at `o` can start."""
        if anchor.line_start and anchor.lines is not None:
            s = self.text.rfind("\n", 0, o) + 1
            for _ in range(anchor.lines):
                if s == 0:
                    return []
                s = self.text.rfind("\n", 0, s - 1) + 1
            return [s] if anchor.lo <= o - s and (anchor.hi is None or o - s <= anchor.hi) else []
        return list(range(o - anchor.hi, o - anchor.lo + 1))

    # ---- scans
    def _by_lines(self, rule: Rule, found: list[int], start: int, end: int) -> Iterator[Any]:
        """A one-line rule scanned over the lines holding its literals, neighbours together:
        no match spans a newline, so a block of whole lines scans as in the whole text."""
        text, block_start, block_end = self.text, -1, -1
        for o in found:
            if o < block_end:
                continue
            line_start = text.rfind("\n", 0, o) + 1
            if block_start >= 0 and line_start - block_end > GAP:
                yield from rule.finditer(text, block_start, block_end)
                block_start = -1
            if block_start < 0:
                block_start = max(line_start, start)
            line_end = text.find("\n", o)
            block_end = min(len(text) if line_end < 0 else line_end + 1, end)
        yield from rule.finditer(text, block_start, block_end)

    def _at_starts(self, rule: Rule, starts: list[int], end: int) -> Iterator[Any]:
        """Match attempts at each possible start, in order, as a scan would make them."""
        last = 0
        for s in starts:
            if s < last:
                continue
            m = rule.match(self.text, s, end)
            if m is not None:
                yield m
                last = m.end()


def _occurrences(text: str, literal: str, start: int, end: int) -> Iterator[int]:
    find = text.find
    i = find(literal, start, end)
    while i >= 0:
        yield i
        i = find(literal, i + 1, end)
