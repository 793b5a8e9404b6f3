"""Dates: every calendar date the text mentions, as ISO day, month or quarter values.

Rules in `rules/dates.yaml` find written dates and capture their parts as named
groups (day, month, year, quarter, weekday, time). This module turns the parts into
values, drops impossible dates (31/02), gives each date a role from the cue words
before it, and takes a missing year from context, in this order:

1. a year labelling the line or the table column ("2010 (Q2 – 1st April – 30th June)",
   a table headed "2016" with rows "Jan", "Feb", ...);
2. the year closing the list or range the date opens ("from 1st March to 1st October
   2018", "September, October, November and December 2016"); for a month, the year
   that puts it inside the period of data just named, if that is shorter than a year
   ("each month between 1 April 2018 and 30 November 2018" / "Apr: 63");
3. an anchor date: the nearest earlier date in the same message (for a day, an
   earlier day that does not bound a period of data; for a month, any date), else
   the message's own date, else the nearest earlier or later date in the document.
   The year is the one that puts the date closest to the anchor ("December 15" after
   "Jan 25, 2017" is 2016-12-15); a named weekday picks the nearest year it fits.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any

import regex

from pipeline.context import Context
from pipeline.matching import Candidate, TokenMatchers, cue_attrs, find_candidates
from pipeline.models import DateItem, Table
from pipeline.rules import Rule, RuleSet, RuleTimeout

_CUE_LENGTH = 60  # the longest cue text we expect; cues are looked for within window + this of a date
_YEAR = regex.compile(r"(?:19|20)\d\d")


@dataclass
class Mention:
    """One written date, parsed; `year` is None until context supplies it."""

    cand: Candidate
    month: int  # for a quarter: its middle month (used for distances only)
    year: int | None = None
    day: int | None = None
    quarter: int | None = None
    weekday: int | None = None
    time: str | None = None
    role: str = "other"
    inferred: bool = False

    @property
    def start(self) -> int:
        return self.cand.start

    def day_in(self, year: int) -> dt.date | None:
        """The date in `year` (mid-month for month and quarter precision), None if impossible."""
        try:
            return dt.date(year, self.month, self.day or 15)
        except ValueError:
            return None

    @property
    def value(self) -> str:
        if self.quarter:
            return f"{self.year:04d}-Q{self.quarter}"
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}"


# --------------------------------------------------------------------------- parsing
class Parser:
    """Candidate groups -> Mention, with the month, weekday and quarter words of the vocab,
    and the joiners that make two dates a list or a range."""


    def __init__(self, rules: RuleSet):
        vocab = rules.vocab
        self.months = {k: int(v) for k, v in vocab.get("months", {}).items()}
        self.weekdays = {k: int(v) for k, v in vocab.get("weekdays", {}).items()}
        self.quarters = {str(k).lower(): int(v) for k, v in vocab.get("quarters", {}).items()}
        self.pivot = int(vocab.get("settings", {}).get("century_pivot", 69))
        self.range_joiner = regex.compile(vocab.get("range_joiner", r"^\s*(?:to|-|–)\s*$"))
        self.list_joiner = regex.compile(vocab.get("list_joiner", r"^\s*(?:,|and|to|-|–)\s*$"))
        # sharing a role takes a list proper, not a range
        self.role_list_joiner = regex.compile(vocab.get("list_joiner", r"^\s*(?:,|and)\s*$"))

    @classmethod
    def of(cls, rules: RuleSet) -> "Parser":
        """The rule set's Parser, built once (every document reads it)."""
        return rules.derived(cls)

    def month_of(self, text: str) -> int | None:
        """A month number from digits or a month word (the rules decide what is a month word)."""
        text = text.strip().rstrip(".")
        return int(text) if text.isdigit() else self.months.get(text[:3].lower())

    def is_month_word(self, text: str) -> bool:
        return text.strip().rstrip(".").lower() in self.months

    def year_of(self, text: str | None) -> int | None:
        if not text:
            return None
        yy = int(text)
        if len(text) == 2:  # two-digit year
            return 2000 + yy if yy <= self.pivot else 1900 + yy
        return yy

    def parse(self, cand: Candidate) -> Mention | None:
        g = cand.groups
        year = self.year_of(g.get("year"))
        if g.get("quarter"):
            q = self.quarters.get(g["quarter"].lower()) or int(g["quarter"])
            return Mention(cand, month=3 * q - 1, year=year, quarter=q)
        month = self.month_of(g.get("month") or "")
        if not month or not 1 <= month <= 12:
            return None
        day = int(g["day"]) if g.get("day") else None
        weekday = self.weekdays.get(g["weekday"][:3].lower()) if g.get("weekday") else None
        mention = Mention(cand, month=month, year=year, day=day, weekday=weekday,
                          time=(g.get("time") or g.get("stamp_time") or None))
        if mention.day_in(year or 2000) is None:  # 2000 is a leap year: 29 February stays possible
            return None
        return mention


# --------------------------------------------------------------------------- cues
def _cues_in(ctx: Context, rules: RuleSet, windows: list[tuple[int, int]], wanted: str) -> list[Candidate]:
    """Matches of the cue rules that set `wanted`, looked for only inside `windows`.

    Cues matter only near a date, so scanning just there keeps the stage's cost in
    step with the number of dates rather than the length of the text.
    """
    out = []
    for rule in rules.derived(_cue_rules).get(wanted, ()):
        try:
            for ws, we in windows:
                for m in rule.finditer(ctx.text, ws, we):
                    s, e = rule.span_of(m)
                    if 0 <= s < e:
                        out.append(Candidate(rule, s, e, ctx.text[s:e], m.groupdict(), dict(rule.set), m))
        except RuleTimeout as err:
            ctx.errors.append(str(err))
    return sorted(out, key=lambda c: c.start)


def _cue_rules(rules: RuleSet) -> dict[str, list[Rule]]:
    """The cue rules that set each attribute, in file order."""
    out: dict[str, list[Rule]] = {}
    for rule in rules.by_action("cue"):
        if rule.compiled is not None:
            for attribute in rule.set:
                out.setdefault(attribute, []).append(rule)
    return out


def _windows(spans: list[tuple[int, int]], reach: int, length: int) -> list[tuple[int, int]]:
    """`reach` characters either side of each span, merged where they overlap."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        ws, we = max(0, s - reach), min(length, e + reach)
        if merged and ws <= merged[-1][1] + _CUE_LENGTH:
            merged[-1][1] = max(merged[-1][1], we)
        else:
            merged.append([ws, we])
    return [(a, b) for a, b in merged]


# --------------------------------------------------------------------------- roles
def _roles(ctx: Context, rules: RuleSet, parser: Parser, mentions: list[Mention]) -> None:
    """Role from the finding rule, else from the nearest cue; a list shares its first
    item's role, and both ends of a range ("1st April – 30th June") are periods."""
    reach = max((r.window for r in rules.by_action("cue")), default=0) + _CUE_LENGTH
    windows = _windows([m.cand.span for m in mentions], reach, len(ctx.text))
    cue_list = _cues_in(ctx, rules, windows, "role")
    starts = [c.start for c in cue_list]
    for m in mentions:
        if m.cand.attrs.get("role"):
            m.role = m.cand.attrs["role"]
            continue
        lo = bisect.bisect_left(starts, m.cand.start - reach)
        hi = bisect.bisect_right(starts, m.cand.end + reach)
        attrs, _ = cue_attrs(ctx, m.cand.span, cue_list[lo:hi], "dates")
        m.role = attrs.get("role") or "other"
    for a, b in zip(mentions, mentions[1:]):
        gap = ctx.text[a.cand.end:b.start]
        if parser.range_joiner.match(gap) or (a.role == "period" and gap.strip() == "and"):
            a.role = b.role = "period"
        elif parser.role_list_joiner.match(gap) and b.role == "other":
            b.role = a.role


# --------------------------------------------------------------------------- years
class YearContext:
    """Where a year-less date takes its year from (see the module docstring)."""

    def __init__(self, ctx: Context, rules: RuleSet, parser: Parser, mentions: list[Mention]):
        self.ctx = ctx
        self.rules = rules
        self.mentions = mentions
        self.list_joiner = parser.list_joiner
        self.range_joiner = parser.range_joiner
        self.message_starts = [m.span[0] for m in ctx.messages]
        self.message_dates = [_iso_date(m.date) for m in ctx.messages]
        # line start -> the year labels on that line, and the timeouts met looking for them
        # (a table's header line is read once, not once per row below it)
        self._labels: dict[int, tuple[list[Candidate], list[str]]] = {}

    def message_of(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.message_starts, offset) - 1
        if i >= 0 and offset < self.ctx.messages[i].span[1]:
            return i
        return None

    # -- 1. labels
    def label_year(self, m: Mention) -> tuple[int, Candidate | None] | None:
        """A year labelling the mention's line, or (for a table row label) its column."""
        ls, _ = self.ctx.line_span(m.start)
        label = self._label_between(ls, m.start)
        if label is not None:
            return int(label.text), label
        if not m.cand.attrs.get("row_label"):
            return None
        year = _table_header_year(self.ctx, m.cand.span)
        if year is not None:
            return year, None
        return self._label_above(ls)

    def _label_between(self, start: int, end: int) -> Candidate | None:
        """The nearest year label starting in [start, end) (looked for on that line only):
        "for 2013, ... Jul to Dec; for 2014 ... January to December"."""
        kept = self._labels.get(start)
        if kept is None:
            errors = len(self.ctx.errors)
            labels = _cues_in(self.ctx, self.rules, [(start, self.ctx.line_span(start)[1])], "year_label")
            kept = self._labels[start] = (labels, self.ctx.errors[errors:])
        else:
            self.ctx.errors.extend(kept[1])  # as a second scan would say again
        return next((c for c in reversed(kept[0]) if c.start < end), None)

    def _label_above(self, line_start: int) -> tuple[int, Candidate] | None:
        """A year label starting one of the unbroken (non-blank) lines above, e.g. a header row."""
        text, end = self.ctx.text, line_start
        while end > 0:
            start = text.rfind("\n", 0, end - 1) + 1
            if not text[start:end].strip():
                return None
            label = self._label_between(start, end)
            if label is not None:
                return int(label.text), label
            end = start
        return None

    # -- 2. lists and ranges
    def list_year(self, i: int) -> int | None:
        """The explicit year closing the list or range that mention i opens."""
        m, text = self.mentions[i], self.ctx.text
        prev = m
        for nxt in self.mentions[i + 1:]:
            if not self.list_joiner.match(text[prev.cand.end:nxt.start]):
                return None
            if nxt.year is not None and not nxt.inferred:
                later = (m.month, m.day or 0) > (nxt.month, nxt.day or 0)
                return nxt.year - 1 if later else nxt.year
            prev = nxt
        return None

    def period_year(self, i: int) -> int | None:
        """For a year-less month: the one year putting it inside the last period of data
        named before it (two period dates in a row, less than a year apart)."""
        m = self.mentions[i]
        if m.day is not None or m.quarter:
            return None
        ends = [j for j in range(i) if self.mentions[j].role == "period" and self.mentions[j].year is not None
                and not self.mentions[j].inferred][-2:]
        if len(ends) < 2 or ends[1] != ends[0] + 1:
            return None
        a, b = (self.mentions[j] for j in ends)
        first, last = (a.year, a.month), (b.year, b.month)
        if not first < last or (last[0] - first[0]) * 12 + last[1] - first[1] >= 12:
            return None
        years = [y for y in sorted({a.year, b.year}) if first <= (y, m.month) <= last]
        return years[0] if len(years) == 1 else None

    # -- 3. anchors
    def resolve(self) -> None:
        """Give every year-less mention a year, in text order, so each can anchor the next."""
        anchors = _Anchors(self.mentions)
        for i, m in enumerate(self.mentions):
            message = self.message_of(m.start) if self.message_starts else None
            if m.year is None:
                m.year = self._year_for(i, message, anchors)
                m.inferred = m.year is not None
            anchors.add(m, message)
        self._order_ranges()

    def _order_ranges(self) -> None:
        """A range with no year at either end ("1st Jan – 31st Dec") runs forward within
        one year: its start takes the year of its end."""
        for a, b in zip(self.mentions, self.mentions[1:]):
            if not (a.inferred and b.inferred and a.year and b.year and a.day and b.day):
                continue
            if self.range_joiner.match(self.ctx.text[a.cand.end:b.start]) and a.day_in(a.year) > b.day_in(b.year):
                start = a.day_in(b.year)
                if start is not None and start <= b.day_in(b.year):
                    a.year = b.year

    def _year_for(self, i: int, message: int | None, anchors: _Anchors) -> int | None:
        m = self.mentions[i]
        labelled = self.label_year(m)
        if labelled is not None:
            year, label = labelled
            if label is not None:
                self.ctx.note(label.rule.id, "dates", "cue", m.cand.span, f"year {year}")
            return year
        year = self.list_year(i)
        if year is None:
            year = self.period_year(i)
        if year is not None:
            return year
        # a day is dated against correspondence first, not against dates bounding data periods
        for strict in ((True, False) if m.day is not None else (False,)):
            ref = anchors.in_message(message, strict) if message is not None else None
            if ref is None and message is not None:
                ref = self.message_dates[message]
            ref = ref or anchors.earlier(strict) or anchors.later(i, strict)
            if ref is not None:
                return _closest_year(m, ref, m.weekday)
        return None


class _Anchors:
    """The dates a year-less date can be dated against: the latest seen so far (in its
    message and in the document) and, failing those, the next date with a written year.

    `strict` anchors are day-precision dates that do not bound a period of data.
    """

    def __init__(self, mentions: list[Mention]):
        self.latest: dict[tuple[int | None, bool], dt.date] = {}
        self.next_written: list[dict[bool, dt.date | None]] = [{}] * len(mentions)
        upcoming: dict[bool, dt.date | None] = {True: None, False: None}
        for i in range(len(mentions) - 1, -1, -1):
            self.next_written[i] = dict(upcoming)
            m = mentions[i]
            if m.year is not None:
                upcoming = {True: m.day_in(m.year) if _is_strict(m) else upcoming[True],
                            False: m.day_in(m.year)}

    def add(self, m: Mention, message: int | None) -> None:
        if m.year is None:
            return
        day = m.day_in(m.year)
        for scope in {None, message}:
            self.latest[(scope, False)] = day
            if _is_strict(m):
                self.latest[(scope, True)] = day

    def in_message(self, message: int, strict: bool) -> dt.date | None:
        return self.latest.get((message, strict))

    def earlier(self, strict: bool) -> dt.date | None:
        return self.latest.get((None, strict))

    def later(self, i: int, strict: bool) -> dt.date | None:
        return self.next_written[i][strict]


def _is_strict(m: Mention) -> bool:
    return m.day is not None and m.role != "period"


def _closest_year(m: Mention, ref: dt.date, weekday: int | None) -> int | None:
    """The year putting m nearest to ref (earlier on a tie); with a weekday, a year it fits."""
    spread = 6 if weekday is not None else 1
    best: tuple[int, int] | None = None
    for year in range(ref.year - spread, ref.year + spread + 1):
        day = m.day_in(year)
        if day is None or (weekday is not None and day.weekday() != weekday):
            continue
        key = (abs((day - ref).days), year)
        best = key if best is None or key < best else best
    if best is None and weekday is not None:  # a wrong weekday should not lose the date
        return _closest_year(m, ref, None)
    return best[1] if best else None


def _iso_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- tables
def _table_header_year(ctx: Context, span: tuple[int, int]) -> int | None:
    """The year heading the table column that holds `span`, if the tables stage found one."""
    for table in ctx.items.get("tables", []):
        if not (table.span[0] <= span[0] < table.span[1]) or not isinstance(table, Table):
            continue
        for row in table.row_cells:
            for col, cell in enumerate(row):
                if cell.span[0] <= span[0] < cell.span[1] and col < len(table.header_cells):
                    header = table.header_cells[col].text.strip()
                    return int(header) if _YEAR.fullmatch(header) else None
    return None


def _table_label_candidates(ctx: Context, rules: RuleSet, parser: Parser,
                            found: list[Candidate]) -> list[Candidate]:
    """Month cells under a year column header that the line-based row-label rule did not reach."""
    rule = next((r for r in rules.by_action("find") if r.set.get("row_label")), None)
    if rule is None:
        return []
    taken = {c.span for c in found}
    extra = []
    for table in ctx.items.get("tables", []):
        if not isinstance(table, Table):
            continue
        year_cols = {i for i, h in enumerate(table.header_cells) if _YEAR.fullmatch(h.text.strip())}
        for row in table.row_cells:
            for col in year_cols & set(range(len(row))):
                word = row[col].text.strip()
                if not parser.is_month_word(word):
                    continue
                start = ctx.text.find(word, *row[col].span)
                span = (start, start + len(word))
                if start < 0 or span in taken or ctx.blocked(*span):
                    continue
                extra.append(Candidate(rule, span[0], span[1], word, {"month": word}, dict(rule.set)))
                ctx.note(rule.id, "dates", "found", span, word)
    return extra


# --------------------------------------------------------------------------- stage
def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    parser = Parser.of(rules)
    found = find_candidates(ctx, rules, tokens)
    found += _table_label_candidates(ctx, rules, parser, found)
    mentions = []
    for cand in sorted(found, key=lambda c: c.start):
        m = parser.parse(cand)
        if m is None:
            ctx.note(cand.rule.id, "dates", "dropped", cand.span, f"{cand.text!r} is not a calendar date")
            continue
        mentions.append(m)
    _roles(ctx, rules, parser, mentions)
    YearContext(ctx, rules, parser, mentions).resolve()
    for m in mentions:
        if m.year is None or m.day_in(m.year) is None:
            ctx.note(m.cand.rule.id, "dates", "dropped", m.cand.span, f"{m.cand.text!r}: no year in context")
            continue
        ctx.items["dates"].append(DateItem(
            text=m.cand.text, span=m.cand.span, rule=m.cand.rule.id, value=m.value, role=m.role,
            time=m.time, inferred_year=True if m.inferred else None))
