"""Field lists: the data fields, columns or data items a text names.

A list starts with a label: the sentence ending in a colon (`colon_label`, or
`inline_label` when the items follow on the same line). The label must carry a
cue from `rules/field_lists.yaml` (fields, columns, a breakdown, what to give for
each record) and no veto (a list of organisations, points, factors). The items
are the lines below it — plain, bulleted, lettered or numbered, all with the
marker of the first — or the header row of a table that follows, or the comma
list after an inline label. An item that reads like a question or a paragraph
ends the list. A list restated later (quoted in a reply) is kept once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.context import Context
from pipeline.matching import NEVER_DATA, TokenMatchers
from pipeline.models import FieldList, Table
from pipeline.rules import Rule, RuleSet, RuleTimeout

CATEGORY = "field_lists"
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_TEMPLATE_CELL = re.compile(r"[^|\t\n ](?:[^|\t\n]*[^|\t\n ])?")  # a cell of "Date | Location | Cost"
_FIGURE_END = re.compile(r"(?:[–—:=-]|\s)\s*[\d,]+%?\s*$")  # "2015/16 North & East Division – 60": a row of data
_SENTENCE_END = re.compile(r"[.?!][\"”’')\]]*\s+")
_NEW_SENTENCE = re.compile(r"[.?!]\s+[A-Z]")
_LIST_JOIN = re.compile(r"\s*[;,]\s*(?:and|or)\s*$")  # "type of school; and": the list's joining word


@dataclass(frozen=True)
class Vocab:
    min_items: int
    max_words: int
    max_blank_before: int
    max_blank_between: int
    max_label_lines: int
    quote_prefix: re.Pattern
    markers: dict[str, re.Pattern]
    question_words: frozenset
    abbreviations: tuple[str, ...]
    inline_separator: re.Pattern


def vocab_of(rules: RuleSet) -> Vocab:
    """The rule set's Vocab, built once (every document reads it)."""
    return rules.derived(_compile_vocab)


def _compile_vocab(rules: RuleSet) -> Vocab:
    v = rules.vocab
    limits = v.get("limits", {})
    return Vocab(
        min_items=int(limits.get("min_items", 2)),
        max_words=int(limits.get("max_item_words", 20)),
        max_blank_before=int(limits.get("max_blank_before", 3)),
        max_blank_between=int(limits.get("max_blank_between", 1)),
        max_label_lines=int(limits.get("max_label_lines", 6)),
        quote_prefix=re.compile(v.get("quote_prefix", r"^[ \t]*(?:>[ \t]?)+"), re.MULTILINE),
        markers={k: re.compile(p, re.MULTILINE) for k, p in v.get("markers", {}).items()},
        question_words=frozenset(w.lower() for w in v.get("question_words", [])),
        abbreviations=tuple(a.lower() for a in v.get("abbreviations", [])),
        inline_separator=re.compile(v.get("inline_separator", r"\s*,\s*")),
    )


@dataclass
class Item:
    text: str
    span: tuple[int, int]


# --------------------------------------------------------------------------- text helpers
def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end == -1 else end


def _next_lines(text: str, pos: int):
    """(start, end) of each line after the one holding `pos`."""
    start = text.find("\n", pos)
    while start != -1:
        end = text.find("\n", start + 1)
        yield start + 1, len(text) if end == -1 else end
        start = end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    return start + len(chunk) - len(chunk.lstrip()), end - (len(chunk) - len(chunk.rstrip()))


def _label_start(text: str, colon_end: int, line_start: int, vocab: Vocab) -> int:
    """Where the sentence ending at the colon starts: back over wrapped lines of the same
    paragraph, after the last full stop that does not close an abbreviation."""
    start = line_start
    for _ in range(vocab.max_label_lines - 1):
        if start == 0:
            break
        prev = text.rfind("\n", 0, start - 1) + 1
        above = text[_unquoted(text, prev, start - 1, vocab):start - 1].rstrip()
        if not above or above.endswith(":"):
            break
        start = prev
    start = _unquoted(text, start, colon_end, vocab)
    best = start
    for m in _SENTENCE_END.finditer(text[start:colon_end - 1]):
        word = text[start:start + m.start() + 1].split()[-1].lower()
        if not word.endswith(vocab.abbreviations):
            best = start + m.end()
    for marker in vocab.markers.values():  # "1. A crime by crime breakdown" -> "A crime ..."
        m = marker.match(text, best)
        if m and m.end() < colon_end:
            best = m.end()
            break
    return _trimmed(text, best, colon_end)[0]


def _is_field_name(item: str, vocab: Vocab) -> bool:
    """Not a question, a request or a paragraph."""
    bare = _BRACKETED.sub(" ", item)
    words = [w for w in bare.split() if any(ch.isalnum() for ch in w)]
    if not words or item.rstrip().endswith("?") or len(words) > vocab.max_words:
        return False
    if not any(ch.isalpha() for ch in bare):
        return False  # years or figures ("by years: 2022, 2023, 2024") are values, not field names
    if _FIGURE_END.search(item):
        return False  # a label with its figure is data, not a field name
    if words[0].lower().strip("\"“‘'*") in vocab.question_words:
        return False
    for m in _NEW_SENTENCE.finditer(bare):
        if not bare[:m.start() + 1].split()[-1].lower().endswith(vocab.abbreviations):
            return False
    return True


# --------------------------------------------------------------------------- items
def _unquoted(text: str, start: int, end: int, vocab: Vocab) -> int:
    """Where a line starts once a reply's "> " quote prefix is skipped."""
    m = vocab.quote_prefix.match(text, start, end)
    return m.end() if m else start


def _marker(text: str, start: int, end: int, vocab: Vocab) -> tuple[str | None, int]:
    """The kind of list marker a line starts with, and where its content starts."""
    start = _unquoted(text, start, end, vocab)
    for kind, pattern in vocab.markers.items():
        m = pattern.match(text, start, end)
        if m:
            return kind, m.end()
    return None, start


def _vertical_items(text: str, colon_end: int, vocab: Vocab, tables: list[Table]) -> list[Item]:
    """Item lines under a label, up to a table. Blank lines between items are fine if no wider than
    the first gap; an unmarked line right after a marked item that starts in lower case continues it."""
    items: list[Item] = []
    kind: str | None = None
    blanks, gap = 0, None
    for start, end in _next_lines(text, colon_end):
        if any(t.span[0] <= start < t.span[1] for t in tables):
            break
        if not text[_unquoted(text, start, end, vocab):end].strip():
            blanks += 1
            if blanks > (vocab.max_blank_before if not items else vocab.max_blank_between if gap is None else gap):
                break
            continue
        line_kind, content = _marker(text, start, end, vocab)
        s, e = _trimmed(text, content, end)
        if items and line_kind is None and kind is not None and blanks == 0 and text[s].islower():
            items[-1] = Item(text[items[-1].span[0]:e], (items[-1].span[0], e))  # a wrapped item
            continue
        if line_kind is None and text[e - 1] == ":":
            break  # the next label
        if items:
            gap = blanks if gap is None else gap
            if line_kind != kind or blanks > gap:
                break
        kind = line_kind
        items.append(Item(text[s:e], (s, e)))
        blanks = 0
    kept = []
    for item in items:
        if not _is_field_name(item.text, vocab):
            break
        kept.append(item)
    return kept


def _header_items(tables: list[Table], text: str, colon_end: int) -> list[Item]:
    """Column names right under the label: the header row of a table, or one line of
    names set apart by pipes or tabs (the requester's empty template)."""
    for start, end in _next_lines(text, colon_end):
        if not text[start:end].strip():
            if start > colon_end + 200:
                return []
            continue
        table = next((t for t in tables if start <= t.span[0] <= end), None)
        if table is not None:
            return [Item(c.text, c.span) for c in table.header_cells if c.text]
        cells = [Item(m.group(), m.span()) for m in _TEMPLATE_CELL.finditer(text, start, end)]
        return cells if len(cells) > 1 and ("|" in text[start:end] or "\t" in text[start:end]) else []
    return []


def _inline_items(text: str, start: int, end: int, vocab: Vocab) -> list[Item]:
    """Items set apart by commas (and a last "and"), after the colon on the label's line;
    "A or B" alone is a choice, not a list. Commas inside brackets stay in their item
    ("transaction details (i.e. date, time and method of payment)")."""
    s, e = _trimmed(text, start, end)
    if "," not in text[s:e] and ";" not in text[s:e]:
        return []
    if e > s and text[e - 1] == ".":
        e -= 1
    bracketed = [b.span() for b in _BRACKETED.finditer(text, s, e)]
    separators = [m for m in vocab.inline_separator.finditer(text, s, e)
                  if not any(bs < m.start() < be for bs, be in bracketed)]
    items, pos = [], s
    for m in separators + [None]:
        stop = m.start() if m else e
        if stop > pos:
            items.append(Item(text[pos:stop], (pos, stop)))
        if m:
            pos = m.end()
    return items if all(_is_field_name(i.text, vocab) for i in items) else []


# --------------------------------------------------------------------------- labels
class Finder:
    def __init__(self, ctx: Context, rules: RuleSet):
        self.ctx, self.text = ctx, ctx.text
        self.rules = rules
        self.vocab = vocab_of(rules)
        self.lists: list[FieldList] = []
        self.seen: set[tuple[str, ...]] = set()

    def run(self) -> list[FieldList]:
        labels = []
        for rule in self.rules.by_action("find"):
            try:
                labels.extend((m.start(), rule, m) for m in rule.finditer(self.text))
            except RuleTimeout as err:
                self.ctx.errors.append(str(err))
        for _, rule, m in sorted(labels, key=lambda x: x[0]):  # in text order: a restated list is the later
            self._label(rule, m)
        return self.lists

    def _label(self, rule: Rule, m) -> None:
        text = self.text
        inline = rule.id.endswith("inline_label")
        colon_end = (text.index(":", m.start()) if inline else text.rindex(":", m.start(), m.end())) + 1
        start = _label_start(text, colon_end, _line_bounds(text, m.start())[0], self.vocab)
        region = self.ctx.blocked(start, colon_end, NEVER_DATA)
        if region is not None and region.start <= start and colon_end <= region.end:
            return  # a label inside WhatDoTheyKnow chrome or a link block (a URL in a label is fine)
        cued = self._cues_of(start, colon_end)
        if cued:
            self._emit(rule, (start, colon_end), cued, self._items(inline, colon_end, cued))

    def _items(self, inline: bool, colon_end: int, cued: list[tuple[Rule, str]]) -> list[Item]:
        """The comma list after an inline label; else the header row of a table under a label
        that asks for columns; else the lines under the label."""
        text, vocab = self.text, self.vocab
        if inline:
            return _inline_items(text, colon_end, _line_bounds(text, colon_end)[1], vocab)
        columns = any(cue_rule.set.get("columns") for cue_rule, _ in cued)
        tables = self.ctx.items["tables"]
        lines = _vertical_items(text, colon_end, vocab, tables)
        if len(lines) == 1 and _marker(text, *_line_bounds(text, lines[0].span[0]), vocab)[0] is None:
            names = _inline_items(text, *lines[0].span, vocab)  # one plain line "date, time, location, officer ID"
            lines = names if len(names) >= 3 else lines
        return (columns and _header_items(tables, text, colon_end)) or lines

    def _emit(self, rule: Rule, label: tuple[int, int], cued: list[tuple[Rule, str]], items: list[Item]) -> None:
        if len(items) < self.vocab.min_items:
            return
        names = [_LIST_JOIN.sub("", self._as_written(i.text)) for i in items]
        key = tuple(n.casefold() for n in names)
        span = (label[0], max(label[1], items[-1].span[1]))
        if key in self.seen:
            self.ctx.note(rule.id, CATEGORY, "dropped", span, "the same list again")
            return
        self.seen.add(key)
        self.ctx.note(rule.id, CATEGORY, "found", span, " | ".join(key))
        for cue_rule, words in cued:
            self.ctx.note(cue_rule.id, CATEGORY, "cue", span, words)
        self.lists.append(FieldList(
            text=self.text[span[0]:span[1]], span=span, rule=rule.id,
            label=self._as_written(self.text[label[0]:label[1]]), items=names,
            item_spans=[i.span for i in items]))

    def _as_written(self, source: str) -> str:
        """Text as written, white space collapsed and the quote prefixes of wrapped lines dropped."""
        return " ".join(self.vocab.quote_prefix.sub("", source).split())

    def _cues_of(self, start: int, end: int) -> list[tuple[Rule, str]]:
        """The cues inside a label; none when a veto overlaps it (noted for `explain`).
        Labels are few and short, so cue rules run over labels only, not the whole text."""
        for rule in self.rules.by_action("reject"):
            veto = next(self._matches(rule, start, end), None)
            if veto is not None:
                self.ctx.note(rule.id, CATEGORY, "rejected", (start, end), f"{veto!r}: {rule.reason or ''}")
                return []
        return [(rule, m) for rule in self.rules.by_action("cue") for m in self._matches(rule, start, end)]

    def _matches(self, rule: Rule, start: int, end: int):
        try:
            for m in rule.finditer(self.text, start, end):
                yield m.group()
        except RuleTimeout as err:
            self.ctx.errors.append(str(err))


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    """Regex rules only: token-pattern rules would need a whole-document Matcher pass."""
    ctx.items[CATEGORY].extend(Finder(ctx, rules).run())
