"""Pasted WhatDoTheyKnow text: where its messages start.

Only the authority's author lines ("Team, Authority") are sure starts. A salutation
opens a new message only once the current one is closed (signed off, or its link
block ended); inside a quotation or an open message it is part of that message. The
authority's bare name opens a reply only after the requester signed off, and prose
right after the requester's signature is a reply with no author line.
"""
from __future__ import annotations

import bisect

from pipeline import names, quotes
from pipeline.context import Context
from pipeline.parties import Votes
from pipeline.segment_hits import Hit, Hits
from pipeline.thread_text import Start, after_blank, best, first_salutation, lines_from, lines_reading

LONG_LINE = 40  # a line this long after a signature is a new message's prose, not more signature


def starts(ctx: Context, hits: Hits, votes: Votes) -> list[Start]:
    """Where the messages start; block quotations are marked on the way."""
    authority = best(votes.authority)
    strong = _sender_lines(ctx, hits, votes, authority)
    quotes.mark_blocks(ctx, hits, [s.pos for s in strong])
    return _weak_starts(ctx, hits, votes, strong, _authority_alone(ctx, hits, best(votes.authority)))


def _sender_lines(ctx: Context, hits: Hits, votes: Votes, authority: str | None) -> list[Start]:
    """Authority author lines: "Team, Authority" (or the authority's name alone) after a blank line."""
    out = []
    for h in hits.hits("boundary", "sender"):
        if not after_blank(ctx.text, h.start) or ctx.in_quote(h.start):
            continue
        named = _authority_at_end(ctx.text[h.start:h.end], authority) or names.body(h.group("authority"))
        if authority is None and not hits.is_body(named):
            continue
        if authority is not None and not names.same(named, authority):
            continue
        votes.add("authority", 4, named, h.rule.id, h.match.span("authority"))
        authority = authority or named
        out.append(_sender_start(ctx, hits, h, h.start, h.end))
    return sorted(out, key=lambda s: s.pos)


def _authority_at_end(line: str, authority: str | None) -> str | None:
    """The known authority when the line ends with ", <authority>" (its name may hold commas)."""
    if not authority:
        return None
    line = names.squash(line)
    cut = len(line) - len(authority)
    if cut > 1 and line[cut - 1] == " " and line[cut - 2] == "," and names.same(line[cut:], authority):
        return authority
    return None


def _authority_alone(ctx: Context, hits: Hits, authority: str | None) -> list[tuple[int, int, Hit]]:
    """Lines that hold only the authority's name as the request addressed it ("Metropolitan
    Police Service (MPS)"): an author line when they follow the requester's signature."""
    first = first_salutation(ctx, hits)
    raw = names.squash(first.group("name") or "") if first is not None else ""
    if not raw or not names.same(names.body(raw), authority):
        return []
    return [(start, end, first) for start, end in lines_reading(ctx.text, raw, first.end)
            if after_blank(ctx.text, start)]


def _sender_start(ctx: Context, hits: Hits, h: Hit, start: int, end: int) -> Start:
    sender = names.squash(ctx.text[start:end])
    hits.note(h, f"message author line: {sender}", (start, end))
    return Start(start, h, direction="incoming", sender=sender)


def _weak_starts(ctx: Context, hits: Hits, votes: Votes, strong: list[Start],
                 alone: list[tuple[int, int, Hit]]) -> list[Start]:
    """Walk the text's marks in order; salutations open messages only after a closed one,
    and the authority's bare name opens one only after the requester signed off."""
    text = ctx.text
    requester = best(votes.requester)
    marks = [(s.pos, 0, "strong", s) for s in strong]
    marks += [(start, 0, "alone", (start, end, h)) for start, end, h in alone]
    marks += [(h.start, 1, "salutation", h) for h in hits.hits("boundary", "salutation")]
    marks += [(h.start, 2, "sign_off", h) for h in hits.hits("sign_off")]
    marks += [(r.end, 3, "closed", None) for r in ctx.regions if r.kind == "link_block"]
    trails = {h.end for h in hits.hits("quote", "trail")}
    desk = _authority_side(best(votes.authority), strong)
    starts: list[Start] = []
    closed = True
    for pos, _, what, obj in sorted(marks, key=lambda m: (m[0], m[1])):
        if what == "strong":
            starts.append(obj)
            closed = False
        elif ctx.in_quote(pos) or (starts and pos < starts[-1].pos):
            continue
        elif what == "alone":
            if closed and starts and starts[-1].direction == "outgoing":
                starts.append(_sender_start(ctx, hits, obj[2], obj[0], obj[1]))
                closed = False
        elif what == "salutation" and pos in trails:
            continue  # under a rule line: the e-mail this one replies to
        elif what == "salutation" and (closed or (starts[-1].direction == "incoming" and _to(obj, desk))):
            starts.append(_salutation_start(ctx, hits, obj, requester, first=not starts))
            closed = False
        elif what == "sign_off" and starts:
            closed = True
            if starts[-1].direction == "outgoing":
                after = _prose_after_signature(ctx, obj.end, [s.pos for s in strong])
                if after is not None:
                    hits.note(obj, "message after the requester's signature", (after, after))
                    starts.append(Start(after, None, direction="incoming"))
                    closed = False
        elif what == "closed":
            closed = True
    if not starts and text.strip():
        starts.append(Start(len(text) - len(text.lstrip()), None))
    return starts


def _authority_side(authority: str | None, strong: list[Start]) -> set[str]:
    """Names a requester writes to: the authority and the teams on its author lines."""
    side = {names.squash(authority).casefold()} if authority else set()
    for s in strong:
        team = (s.sender or "").split(",")[0].strip()
        if team:
            side.add(team.casefold())
    return side


def _to(h: Hit, side: set[str]) -> bool:
    """A salutation addressed to one of `side` ("Dear Despatch Box,")."""
    return names.squash(h.group("name") or "").casefold() in side


def _salutation_start(ctx: Context, hits: Hits, h: Hit, requester: str | None, first: bool) -> Start:
    """A message opened by a salutation: to the requester -> incoming, else outgoing."""
    raw = names.squash(h.group("name") or "")
    words = raw.split()
    honorifics = names.word_set(hits.vocab, "honorifics")
    to_requester = bool(words) and (
        (requester is not None and words[-1].casefold() == requester.split()[-1].casefold())
        or (not first and words[0].lower().rstrip(".") in honorifics))
    direction = "incoming" if to_requester else "outgoing"
    start = h.start
    if first and direction == "outgoing" and requester:
        start = _author_line_above(ctx.text, h.start, requester) or start
    hits.note(h, f"message opened by salutation ({direction})")
    return Start(start, h, direction=direction)


def _author_line_above(text: str, pos: int, requester: str) -> int | None:
    """The requester's name on the last non-blank line above `pos` (a pasted author line)."""
    end = pos
    while end > 0:
        start = text.rfind("\n", 0, end - 1) + 1
        line = text[start:end].strip()
        if line:
            return start if names.same(names.person(line, {}) or line, requester) else None
        end = start
    return None


def _prose_after_signature(ctx: Context, pos: int, strong: list[int]) -> int | None:
    """Where new prose starts after a sign-off and its signature line, if before any author line."""
    text = ctx.text
    lines = lines_from(text, pos)
    signature = next(lines, None)
    following = next(lines, None)
    if signature is None or following is None:
        return None
    start, line = following
    if bisect.bisect_right(strong, start) > bisect.bisect_right(strong, pos) or ctx.blocked(start, start + 1):
        return None
    return start if len(line.strip()) >= LONG_LINE or line.rstrip().endswith(".") else None
