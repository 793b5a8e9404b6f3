"""Small pieces the segment modules share: where a message starts, the head of the
text, its lines, days."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.context import Context
from pipeline.segment_hits import Hit, Hits


@dataclass
class Start:
    """Where a message starts and what its start says about it."""

    pos: int
    hit: Hit | None
    direction: str | None = None
    sender: str | None = None
    date: str | None = None


def after_blank(text: str, pos: int) -> bool:
    if pos == 0:
        return True
    prev_start = text.rfind("\n", 0, pos - 1) + 1
    return not text[prev_start:pos].strip()


def lines_from(text: str, pos: int):
    """(start, line) of the non-blank lines after the line holding `pos`."""
    nl = text.find("\n", pos)
    while nl != -1:
        start = nl + 1
        nl = text.find("\n", start)
        line = text[start:nl if nl != -1 else len(text)]
        if line.strip():
            yield start, line


def first_salutation(ctx: Context, hits: Hits) -> Hit | None:
    return next((h for h in hits.hits("boundary", "salutation") if not ctx.in_quote(h.start)), None)


def best(votes) -> str | None:
    return min(votes, key=lambda v: (v.rank, v.start)).value if votes else None


def first_in(ctx: Context, found: list[Hit]) -> int | None:
    """Where the first of `found` outside a quotation starts."""
    return next((h.start for h in found if not ctx.in_quote(h.start)), None)


_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")
_MDY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_NUM = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")



def parse_day(text: str | None, vocab: dict) -> str | None:
    """ISO day of "12 July 2019", "9th February 2012", "Jan 25, 2017" or "19/12/2016" (day first)."""
    if not text:
        return None
    months = vocab.get("months", {})
    for rx, order in ((_DMY, "dmy"), (_MDY, "mdy"), (_NUM, "num")):
        m = rx.search(text)
        if not m:
            continue
        if order == "num":
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            d, mon, year = (m.group(1), m.group(2), m.group(3)) if order == "dmy" else (m.group(2), m.group(1), m.group(3))
            day, month, year = int(d), months.get(mon[:3].lower()), int(year)
        if month and 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None

HEAD_LINES = 60  # a letter's salutation stands near its top


def head_end(ctx: Context, hits: Hits) -> int:
    """Where the first message starts: the first WDTK header or salutation (or the end)."""
    firsts = [h.start for h in hits.hits("boundary", "header")[:1] + hits.hits("boundary", "salutation")[:1]]
    return min(firsts, default=len(ctx.text))


def salutation_near_top(ctx: Context, hits: Hits) -> Hit | None:
    for h in hits.hits("boundary", "salutation"):
        if ctx.line_of(h.start) <= HEAD_LINES and not ctx.in_quote(h.start):
            return h
    return None


def lines_reading(text: str, words: str, pos: int) -> list[tuple[int, int]]:
    """[start, end) of the lines starting at or after `pos` that hold only `words` (a name
    without outer white space) between blanks: what `(?m)^[ \\t]*WORDS[ \\t]*$` finds from
    `pos`, found with str.find (a regex per name would be compiled for each document)."""
    out = []
    i = text.find(words, pos)
    while i >= 0:
        start = text.rfind("\n", 0, i) + 1
        end = text.find("\n", i)
        end = len(text) if end < 0 else end
        if start >= pos and not text[start:i].strip(" \t") and not text[i + len(words):end].strip(" \t"):
            out.append((start, end))
        i = text.find(words, end + 1)  # a line holds its name once, where its blanks end
    return out


def name_lines(text: str, end: int, surname: str) -> list[tuple[int, int]]:
    """[start, end) of the names on lines of their own above `end` that end in `surname`
    after up to four capitalised words ("Mr R Charlton"), last first: what
    `(?m)^[ \\t]*((?:[A-Z][\\w.'’-]*[ \\t]+){0,4}SURNAME)[ \\t]*$` finds before `end`, group 1."""
    out = []
    for line_start, line in lines(text[:end]):
        name = line.strip(" \t")
        if name.endswith(surname) and _NAME_WORDS.fullmatch(name, 0, len(name) - len(surname)):
            first = line_start + len(line) - len(line.lstrip(" \t"))
            out.append((first, first + len(name)))
    return out[::-1]


_NAME_WORDS = re.compile(r"(?:[A-Z][\w.'’-]*[ \t]+){0,4}")


def lines(text: str):
    """(start, line) of each line, read only as far as the caller goes (a title stands near the top)."""
    pos = 0
    while (nl := text.find("\n", pos)) >= 0:
        yield pos, text[pos:nl]
        pos = nl + 1
    yield pos, text[pos:]
