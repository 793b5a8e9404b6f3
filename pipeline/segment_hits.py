"""What the segment rules found in one text, grouped by what their `set:` says.

Each rule's regex runs at most once per document, and only where the category's gate
(pipeline/gate.py) says it can match, or, in a text the gate cannot read, where its
literals stand (pipeline/prefilter.py); the modules of the segment stage (document
fields, quotes, thread) ask for hits by meaning: `hits("status")`, `hits("boundary", "header")`.
"""
from __future__ import annotations

import bisect
import re._constants as sre
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator

from pipeline import names
from pipeline.context import Context
from pipeline.literals import Unreadable, parse
from pipeline.prefilter import Finder
from pipeline.rules import Rule, RuleSet, RuleTimeout


@dataclass(slots=True)
class Hit:
    rule: Rule
    start: int
    end: int
    match: Any

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def attrs(self) -> dict[str, Any]:
        return self.rule.set

    def group(self, name: str) -> str | None:
        """A named group's text, or None when the regex has no such group or it did not take part."""
        if name not in self.match.re.groupindex:
            return None
        return self.match.group(name)

    def groups_like(self, prefix: str) -> list[tuple[str, tuple[int, int]]]:
        """Texts and spans of the named groups `prefix`, `prefix2`, ... that took part."""
        out = []
        for name in self.match.re.groupindex:
            if name.startswith(prefix) and self.match.group(name) is not None:
                out.append((self.match.group(name), self.match.span(name)))
        return out


_RULES_WITH: dict[tuple[int, str, Any], tuple[RuleSet, list[Rule]]] = {}


def _rules_with(rules: RuleSet, key: str, value: Any) -> list[Rule]:
    """The rules whose `set` has `key` (equal to `value` if given), listed once per rule set."""
    cached = _RULES_WITH.get((id(rules), key, value))
    if cached is None or cached[0] is not rules:
        found = [r for r in rules.rules if key in r.set and (value is ... or r.set[key] == value)]
        cached = _RULES_WITH[(id(rules), key, value)] = (rules, found)
    return cached[1]


HEAD_CHARS = 5000  # a page's title, status line and WDTK request line stand in its first lines


class Hits:
    """Lazy, cached matches of a segment rule set over one document."""

    def __init__(self, ctx: Context, rules: RuleSet):
        self.ctx = ctx
        self.rules = rules
        self.vocab = rules.vocab
        self._finder: Finder | None = None
        self._by_rule: dict[str, list[Hit]] = {}
        self._head_by_rule: dict[str, list[Hit]] = {}
        self._by_meaning: dict[tuple, tuple[list[Hit], list[int]]] = {}

    def of_rule(self, rule: Rule) -> list[Hit]:
        found = self._by_rule.get(rule.id)
        if found is None:
            found = self._by_rule[rule.id] = self.scan(rule, 0, len(self.ctx.text))
        return found

    def scan(self, rule: Rule, start: int, end: int) -> list[Hit]:
        """Matches of one rule inside [start, end) (uncached)."""
        return list(self._scanning(rule, start, end))

    def first(self, rule: Rule, accept: Callable[[Hit], bool]) -> Hit | None:
        """The first of a rule's hits that `accept` takes, scanning no further than it."""
        found = self._by_rule.get(rule.id)
        return next((h for h in (found if found is not None else self._scanning(rule, 0, len(self.ctx.text)))
                     if accept(h)), None)

    def _scanning(self, rule: Rule, start: int, end: int) -> Iterator[Hit]:
        if rule.compiled is None or rule.action != "find":
            return
        try:
            for m in self._matches(rule, start, end):
                s, e = rule.span_of(m)
                if s >= 0:
                    yield Hit(rule, s, e, m)
        except RuleTimeout as err:
            self.ctx.errors.append(str(err))

    def _matches(self, rule: Rule, start: int, end: int) -> Iterator[Any]:
        """The rule's matches in [start, end): where the category's gate can tell where the rule
        can match, as it says (asked once, here), and a rule it finds nowhere is not started
        at all (~45 rules a document, most of them nowhere); else (a text or a window the
        gate cannot read) tried only where the rule's literals stand."""
        text = self.ctx.text
        spans = rule.gate.spans(rule, text, start, end) if rule.gate is not None else None
        if spans is not None:
            return rule.finditer_where(text, start, end, spans)
        if self._finder is None:
            self._finder = Finder(text, self.rules)
        return self._finder.finditer(rule, start, end)

    def rules_with(self, key: str, value: Any = ...) -> list[Rule]:
        return _rules_with(self.rules, key, value)

    def hits(self, key: str, value: Any = ...) -> list[Hit]:
        """Hits of every rule whose `set` has `key` (equal to `value` if given), by position."""
        return self._sorted(key, value)[0]

    def head(self, key: str, value: Any = ...) -> list[Hit]:
        """Hits in the first HEAD_CHARS characters only: the rules a page's top needs are not
        run over a whole long thread."""
        if len(self.ctx.text) <= HEAD_CHARS:  # a short text is all head
            return self.hits(key, value)
        cached = self._by_meaning.get(("head", key, value))
        if cached is None:
            found = sorted((h for r in self.rules_with(key, value) for h in self._head_of(r)),
                           key=lambda h: (h.start, -h.end))
            cached = self._by_meaning[("head", key, value)] = (found, [])
        return cached[0]

    def _head_of(self, rule: Rule) -> list[Hit]:
        found = self._head_by_rule.get(rule.id)
        if found is None:
            found = self._head_by_rule[rule.id] = self.scan(rule, 0, HEAD_CHARS)
        return found

    def window(self, start: int, end: int, rules: list[Rule]) -> list[Hit]:
        """Hits of `rules` run over [start, end) only (uncached): cue words of one message.
        A rule the gate finds nowhere in the whole text is not run, when nothing its regex
        reads lies past the end of its match: then no window holds a match either."""
        return sorted((h for r in rules if self._anywhere(r) or _reads_past_its_end(r.regex, r.ignore_case)
                       for h in self.scan(r, start, end)), key=lambda h: (h.start, -h.end))

    def _anywhere(self, rule: Rule) -> bool:
        """False when the category's gate says the rule matches nowhere in the text."""
        text = self.ctx.text
        return rule.gate is None or rule.gate.spans(rule, text, 0, len(text)) != []

    def within(self, start: int, end: int, key: str, value: Any = ...) -> list[Hit]:
        """The hits of `hits(key, value)` that start in [start, end)."""
        found, starts = self._sorted(key, value)
        return found[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]

    def _sorted(self, key: str, value: Any) -> tuple[list[Hit], list[int]]:
        cached = self._by_meaning.get((key, value))
        if cached is None:
            found = sorted((h for r in self.rules_with(key, value) for h in self.of_rule(r)),
                           key=lambda h: (h.start, -h.end))
            cached = self._by_meaning[(key, value)] = (found, [h.start for h in found])
        return cached

    def is_body(self, name: str | None) -> bool:
        """A name with the shape of a public body ("Home Office", "X NHS Trust"), by the
        authority-mention rule's pattern."""
        name = names.body(name)
        return bool(name) and any(r.compiled.fullmatch(name) for r in self.rules_with("mode", "most_frequent"))

    def note(self, hit: Hit, detail: str, span: tuple[int, int] | None = None) -> None:
        """Record that `hit`'s rule decided something (for `explain` and the examples checker)."""
        self.ctx.note(hit.rule.id, "segment", "found", span or hit.span, detail)


_AT_BEHIND = {sre.AT_BEGINNING, sre.AT_BEGINNING_LINE, sre.AT_BEGINNING_STRING}  # read what comes before only


@lru_cache(maxsize=None)
def _reads_past_its_end(source: str, ignore_case: bool) -> bool:
    """Whether a match may read text after its end (a look-ahead, `\\b` or `$` anywhere but
    first): only such a regex can match in a window, whose end reads as the text's end, where
    it matches nowhere in the whole text. True when Python's parser cannot read the regex as
    the `regex` module does (literals.parse: fuzzy braces, nested sets)."""
    try:
        items = list(parse(source, ignore_case))
    except Unreadable:
        return True
    if items and items[0] in ((sre.AT, sre.AT_BOUNDARY), (sre.AT, sre.AT_NON_BOUNDARY)):
        items = items[1:]  # a leading `\b` reads the match's first character, inside the window
    return _looks_ahead(items)


def _looks_ahead(items) -> bool:
    for op, av in items:
        if op is sre.AT:
            if av not in _AT_BEHIND:
                return True
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            if av[0] > 0 or _looks_ahead(av[1]):  # a look-ahead, or what a look-behind holds
                return True
        elif op is sre.SUBPATTERN:
            if _looks_ahead(av[3]):
                return True
        elif op is sre.BRANCH:
            if any(_looks_ahead(branch) for branch in av[1]):
                return True
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if _looks_ahead(av[2]):
                return True
        elif op is sre.ATOMIC_GROUP:
            if _looks_ahead(av):
                return True
        elif op is sre.GROUPREF_EXISTS:
            if _looks_ahead(av[1]) or (av[2] is not None and _looks_ahead(av[2])):
                return True
    return False
