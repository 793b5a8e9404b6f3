"""Quoted earlier messages: marked as `quoted` regions so extractors count them once.

Rules say where a quotation starts (`set: {quote: ...}`); this module decides where
it ends:
- `span`: the match itself (">" lines, a message reproduced in quotation marks);
- `block`: to the next message start or WhatDoTheyKnow fold marker ("Original
  Message", "On ... wrote:", a "From: / Sent:" header);
- `restated`: a salutation after a lead-in ("You requested:") down to the
  signature after the restated message's sign-off;
- `trail`: a rule line and a second salutation after the message's own, to the fold
  marker or the end of the message (set once the messages are known).
Quoted text is not never-data: it still holds dates and references.
"""
from __future__ import annotations

import bisect

from pipeline.context import Context
from pipeline.segment_hits import Hit, Hits

QUOTED = "quoted"


def mark_blocks(ctx: Context, hits: Hits, starts: list[int]) -> None:
    """Mark `span`, `block` and `restated` quotations; `starts` are where messages begin."""
    ends = sorted(set(starts) | {h.start for h in hits.hits("fold")})
    for h in hits.hits("quote"):
        how = h.attrs["quote"]
        if ctx.in_quote(h.start):
            continue
        if how == "span":
            _mark(ctx, hits, h, h.start, h.end)
        elif how == "block" and not _opens_message(ctx, h.start, starts):
            _mark(ctx, hits, h, h.start, _next(ends, h.start, len(ctx.text)))
        elif how == "restated":
            end = _restated_end(ctx, hits, h, _next(ends, h.start, len(ctx.text)))
            if end is not None:
                _mark(ctx, hits, h, h.start, end)


def mark_trails(ctx: Context, hits: Hits, spans: list[tuple[int, int]], first_salutations: list[int | None]) -> None:
    """Reply trails: after a message's own salutation, a rule line and another salutation."""
    folds = sorted(h.start for h in hits.hits("fold"))
    starts = [start for start, _ in spans]
    for h in hits.hits("quote", "trail"):
        i = bisect.bisect_right(starts, h.start) - 1
        if i < 0:
            continue
        end, own = spans[i][1], first_salutations[i]
        if h.start < end and own is not None and own < h.start and not ctx.in_quote(h.start):
            _mark(ctx, hits, h, h.start, min(_next(folds, h.start, end), end))


def _mark(ctx: Context, hits: Hits, h: Hit, start: int, end: int) -> None:
    end = start + len(ctx.text[start:end].rstrip())
    if end > start:
        ctx.add_region(start, end, QUOTED)
        hits.note(h, QUOTED, (start, end))


def _next(sorted_positions: list[int], pos: int, default: int) -> int:
    i = bisect.bisect_right(sorted_positions, pos)
    return sorted_positions[i] if i < len(sorted_positions) else default


def _opens_message(ctx: Context, pos: int, starts: list[int]) -> bool:
    """A mail header at the top of the text, or right under a message's author and date
    lines, is that message's own header, not a quotation."""
    before = [s for s in starts if s <= pos]
    since = before[-1] if before else 0
    lines = [ln for ln in ctx.text[since:pos].split("\n") if ln.strip()]
    return len(lines) <= (2 if before else 0)


def _restated_end(ctx: Context, hits: Hits, h: Hit, limit: int) -> int | None:
    """End of the signature line after the restated message's sign-off, if it is before `limit`."""
    for sign in hits.within(h.end, len(ctx.text), "sign_off"):
        if sign.start >= limit:
            return None
        text = ctx.text
        pos = sign.end
        while pos < limit:
            nl = text.find("\n", pos + 1)
            nl = limit if nl < 0 or nl > limit else nl
            if text[pos:nl].strip():
                return nl
            pos = nl
        return None
    return None
