"""What the extractors share about one document while it goes through the pipeline.

The context is attached to the spaCy Doc (`doc._.foi`) by the first component and
filled in stage by stage: segment (messages, chrome) -> tables -> field lists ->
dates -> references -> exemptions -> counts.
"""
from __future__ import annotations

import bisect
import itertools
from operator import attrgetter
from dataclasses import dataclass, field
from typing import Any

from pipeline.models import CATEGORIES, Document, Item, Message, Table


@dataclass
class Event:
    """One thing a rule did: found, rejected or annotated a candidate (for `explain`)."""

    rule: str
    category: str
    action: str  # found, rejected, cue, dropped
    span: tuple[int, int]
    detail: str = ""


_REGION_ORDER, _START, _END = attrgetter("start", "end"), attrgetter("start"), attrgetter("end")


@dataclass
class Region:
    start: int
    end: int
    kind: str  # link_block, url, email, placeholder, quoted, chrome


@dataclass
class PresetMessage:
    """A message a converter read from the source's structure (a saved page's block, a mail)."""

    span: tuple[int, int]
    rule: str  # the converter that read it, e.g. source.wdtk_html
    direction: str | None = None
    date: str | None = None
    sender: str | None = None
    attachments: list[str] = field(default_factory=list)


@dataclass
class Preset:
    """What a converter knows from structure: the segment and tables stages keep it
    instead of deriving it from the text. `document` holds only the fields it knows
    (a known-empty status is a None value, an unknown one no key)."""

    document: dict[str, str | None] = field(default_factory=dict)
    messages: list[PresetMessage] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def keep_tables(self, found: list[Table]) -> list[Table]:
        """The preset tables, and the found ones that do not overlap them."""
        free = [t for t in found if not any(t.span[0] < p.span[1] and p.span[0] < t.span[1] for p in self.tables)]
        return list(self.tables) + free


@dataclass
class Context:
    text: str
    doc: Any = None  # the spaCy Doc, when run as a pipeline
    document: Document = field(default_factory=Document)
    messages: list[Message] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)  # text that is never data
    items: dict[str, list[Item]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    events: list[Event] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # rule timeouts and the like
    preset: Preset = field(default_factory=Preset)  # structure a converter read (pipeline/sources)
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _in_order: int = field(default=0, repr=False)  # how many regions, from the first, are sorted and indexed
    _region_starts: list[int] = field(default_factory=list, repr=False)
    _max_end: list[int] = field(default_factory=list, repr=False)
    _messages_indexed: tuple[list, int] = field(default=(None, 0), repr=False)  # the messages list and its length, when indexed
    _starts_of_messages: list[int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        line_lengths = map((1).__add__, map(len, self.text.split("\n")))  # with their newlines
        self._line_starts = list(itertools.accumulate(line_lengths, initial=0))[:-1]

    # ---- positions
    def line_of(self, offset: int) -> int:
        """1-based line of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def line_span(self, offset: int) -> tuple[int, int]:
        """[start, end) of the line holding `offset`, without its newline."""
        n = self.line_of(offset)
        start = self._line_starts[n - 1]
        end = self._line_starts[n] - 1 if n < len(self._line_starts) else len(self.text)
        return start, end

    def message_of(self, offset: int) -> int | None:
        """The index of the first message whose span holds `offset`, if any."""
        starts = self._message_starts()
        if starts is None:  # messages out of order or overlapping: look at each
            return next((m.index for m in self.messages if m.span[0] <= offset < m.span[1]), None)
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < self.messages[i].span[1]:
            return self.messages[i].index
        return None

    def _message_starts(self) -> list[int] | None:
        """The messages' starts, when the messages are in order and apart (then the one that
        starts last at or before an offset is the only one that can hold it); None otherwise."""
        indexed, count = self._messages_indexed
        if indexed is not self.messages or count != len(self.messages):
            spans = [m.span for m in self.messages]
            apart = all(a[0] <= b[0] and a[1] <= b[0] for a, b in zip(spans, spans[1:]))
            self._starts_of_messages = [s for s, _ in spans] if apart else None
            self._messages_indexed = (self.messages, len(self.messages))
        return self._starts_of_messages

    # ---- regions that are never data
    def add_region(self, start: int, end: int, kind: str) -> None:
        self.regions.append(Region(start, end, kind))

    def _sorted_regions(self) -> list[Region]:
        """The regions in order of (start, end), as a stable sort leaves them, with the index
        `blocked` reads: rebuilt in C passes, or, for a few regions added since, each slotted
        in where the sort would put it (a long thread adds its quotations one by one)."""
        regions = self.regions
        if self._in_order < len(regions):
            if self._in_order * 2 < len(regions):
                regions.sort(key=_REGION_ORDER)
                self._region_starts = list(map(_START, regions))
                self._max_end = list(itertools.accumulate(map(_END, regions), max, initial=-1))[1:]
            else:
                added = regions[self._in_order:]
                del regions[self._in_order:]
                for r in added:
                    self._slot_in(r)
            self._in_order = len(regions)
        return regions

    def _slot_in(self, r: Region) -> None:
        i = bisect.bisect_right(self.regions, (r.start, r.end), key=_REGION_ORDER)
        self.regions.insert(i, r)
        self._region_starts.insert(i, r.start)
        top = max(self._max_end[i - 1] if i else -1, r.end)
        self._max_end.insert(i, top)
        k, max_end = i + 1, self._max_end
        while k < len(max_end) and max_end[k] < top:  # the running maximum is raised up to where it passes `top`
            max_end[k] = top
            k += 1

    def blocked(self, start: int, end: int, kinds: tuple[str, ...] | None = None) -> Region | None:
        """The first never-data region overlapping [start, end), if any."""
        regions = self._sorted_regions()
        j = bisect.bisect_left(self._region_starts, end) - 1
        while j >= 0 and self._max_end[j] > start:
            r = regions[j]
            if r.end > start and (kinds is None or r.kind in kinds):
                return r
            j -= 1
        return None

    def in_quote(self, offset: int) -> bool:
        return self.blocked(offset, offset + 1, ("quoted",)) is not None

    # ---- trace
    def note(self, rule: str, category: str, action: str, span: tuple[int, int], detail: str = "") -> None:
        self.events.append(Event(rule, category, action, span, detail))
