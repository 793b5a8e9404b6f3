"""Split a thread into messages and describe each one.

Two shapes of WhatDoTheyKnow text:
- a rendered page, where an author line and a date line stand above every message
  (`boundary: header`); annotations end the message before them;
- pasted text, where only the authority's author lines ("Team, Authority") and the
  salutations mark where messages start. A salutation opens a new message only once
  the current one is closed (signed off, or its link block ended); inside a quotation
  or an open message it is part of that message.
A letter is one message. Each message gets its direction, kind (cue rules, ranked),
date (its header, else its own letter date), sender, signatory and attachments.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline import names, quotes
from pipeline.context import Context
from pipeline.document_fields import Votes
from pipeline.models import Message
from pipeline.segment_hits import Hit, Hits

CUE_WINDOW = 3000  # a message says what it is in its first paragraphs
LONG_LINE = 40  # a line this long after a signature is a new message's prose, not more signature


@dataclass
class Start:
    """Where a message starts and what its start says about it."""

    pos: int
    hit: Hit | None
    direction: str | None = None
    sender: str | None = None
    date: str | None = None


def split(ctx: Context, hits: Hits, votes: Votes) -> None:
    kind = ctx.document.kind
    if kind == "wdtk_thread":
        headers = _headers(ctx, hits, votes)
        if headers:
            stops = [h.start for h in hits.hits("boundary", "annotation")]
            for h in hits.hits("boundary", "annotation"):
                hits.note(h, "annotation: ends the message before it")
            quotes.mark_blocks(ctx, hits, [s.pos for s in headers] + stops)
            _build(ctx, hits, votes, headers, stops)
        else:
            _pasted(ctx, hits, votes)
    elif kind == "letter":
        quotes.mark_blocks(ctx, hits, [])
        start = len(ctx.text) - len(ctx.text.lstrip())
        _build(ctx, hits, votes, [Start(start, None)], [])
    else:
        quotes.mark_blocks(ctx, hits, [])


# --------------------------------------------------------------------------- rendered pages
def _headers(ctx: Context, hits: Hits, votes: Votes) -> list[Start]:
    requester = _best(votes.requester)
    out = []
    for h in hits.hits("boundary", "header"):
        sender = names.squash(h.group("sender"))
        if not _after_blank(ctx.text, h.start) or not _sender_shaped(sender, requester):
            continue
        hits.note(h, f"message header: {sender}")
        out.append(Start(h.start, h, sender=sender, date=parse_day(h.group("date"), hits.vocab)))
    if out and requester is None:
        votes.add("requester", 3, names.person(out[0].sender, hits.vocab), out[0].hit.rule.id,
                  out[0].hit.match.span("sender"))
    return out


def _sender_shaped(sender: str, requester: str | None) -> bool:
    """An author line: the requester, "Team, Authority", "Despatch Box," or a capitalised name."""
    if requester and names.same(names.person(sender, {}) or sender, requester):
        return True
    last = sender.rstrip(",").split()[-1] if sender.rstrip(",") else ""
    return sender.endswith(",") or ", " in sender or last[:1].isupper()


def _after_blank(text: str, pos: int) -> bool:
    if pos == 0:
        return True
    prev_start = text.rfind("\n", 0, pos - 1) + 1
    return not text[prev_start:pos].strip()


# --------------------------------------------------------------------------- pasted text
def _pasted(ctx: Context, hits: Hits, votes: Votes) -> None:
    authority = _best(votes.authority)
    strong = _sender_lines(ctx, hits, votes, authority)
    quotes.mark_blocks(ctx, hits, [s.pos for s in strong])
    starts = _weak_starts(ctx, hits, votes, strong, _authority_alone(ctx, hits, _best(votes.authority)))
    _build(ctx, hits, votes, starts, [])


def _sender_lines(ctx: Context, hits: Hits, votes: Votes, authority: str | None) -> list[Start]:
    """Authority author lines: "Team, Authority" (or the authority's name alone) after a blank line."""
    out = []
    for h in hits.hits("boundary", "sender"):
        named = names.body(h.group("authority"))
        if not _after_blank(ctx.text, h.start) or ctx.in_quote(h.start):
            continue
        if authority is not None and not names.same(named, authority):
            continue
        if authority is None and not _is_body(hits, named):
            continue
        votes.add("authority", 4, named, h.rule.id, h.match.span("authority"))
        authority = authority or named
        out.append(_sender_start(ctx, hits, h, h.start, h.end))
    return sorted(out, key=lambda s: s.pos)


def _authority_alone(ctx: Context, hits: Hits, authority: str | None) -> list[tuple[int, int, Hit]]:
    """Lines that hold only the authority's name as the request addressed it ("Metropolitan
    Police Service (MPS)"): an author line when they follow the requester's signature."""
    first = _first_salutation(ctx, hits)
    raw = names.squash(first.group("name") or "") if first is not None else ""
    if not raw or not names.same(names.body(raw), authority):
        return []
    alone = re.compile(r"(?m)^[ \t]*" + re.escape(raw) + r"[ \t]*$")
    return [(m.start(), m.end(), first) for m in alone.finditer(ctx.text, first.end)
            if _after_blank(ctx.text, m.start())]


def _sender_start(ctx: Context, hits: Hits, h: Hit, start: int, end: int) -> Start:
    sender = names.squash(ctx.text[start:end])
    hits.note(h, f"message author line: {sender}", (start, end))
    return Start(start, h, direction="incoming", sender=sender)


def _first_salutation(ctx: Context, hits: Hits) -> Hit | None:
    return next((h for h in hits.hits("boundary", "salutation") if not ctx.in_quote(h.start)), None)


def _weak_starts(ctx: Context, hits: Hits, votes: Votes, strong: list[Start],
                 alone: list[tuple[int, int, Hit]]) -> list[Start]:
    """Walk the text's marks in order; salutations open messages only after a closed one,
    and the authority's bare name opens one only after the requester signed off."""
    text = ctx.text
    requester = _best(votes.requester)
    marks = [(s.pos, 0, "strong", s) for s in strong]
    marks += [(start, 0, "alone", (start, end, h)) for start, end, h in alone]
    marks += [(h.start, 1, "salutation", h) for h in hits.hits("boundary", "salutation")]
    marks += [(h.start, 2, "sign_off", h) for h in hits.hits("sign_off")]
    marks += [(r.end, 3, "closed", None) for r in ctx.regions if r.kind == "link_block"]
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
        elif what == "salutation" and closed:
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
    lines = _lines_from(text, pos)
    signature = next(lines, None)
    following = next(lines, None)
    if signature is None or following is None:
        return None
    start, line = following
    if bisect.bisect_right(strong, start) > bisect.bisect_right(strong, pos) or ctx.blocked(start, start + 1):
        return None
    return start if len(line.strip()) >= LONG_LINE or line.rstrip().endswith(".") else None


def _lines_from(text: str, pos: int):
    """(start, line) of the non-blank lines after the line holding `pos`."""
    nl = text.find("\n", pos)
    while nl != -1:
        start = nl + 1
        nl = text.find("\n", start)
        line = text[start:nl if nl != -1 else len(text)]
        if line.strip():
            yield start, line


# --------------------------------------------------------------------------- messages
def _build(ctx: Context, hits: Hits, votes: Votes, starts: list[Start], stops: list[int]) -> None:
    text = ctx.text
    bounds = sorted({s.pos for s in starts} | set(stops) | {len(text)})
    spans, salutations = [], []
    for s in starts:
        end = bounds[bisect.bisect_right(bounds, s.pos)]
        end = s.pos + len(text[s.pos:end].rstrip())
        spans.append((s.pos, end))
        salutations.append(_first_in(ctx, hits.within(s.pos, end, "boundary", "salutation")))
    quotes.mark_trails(ctx, hits, spans, salutations)
    requester = _best(votes.requester)
    authority = _best(votes.authority)
    previous_kind = None
    for i, (s, (start, end)) in enumerate(zip(starts, spans)):
        if end <= start:
            continue
        direction = s.direction or _direction(ctx, hits, s, start, end, requester, authority, i)
        msg = Message(text=text[start:end], span=(start, end), rule=_rule_of(s, hits), index=len(ctx.messages),
                      direction=direction, sender=s.sender)
        msg.kind = _kind(ctx, hits, msg, previous_kind, first_out=not any(
            m.direction == "outgoing" for m in ctx.messages))
        msg.date = s.date or _own_date(ctx, hits, start, end, salutations[i])
        msg.signatory = _signatory(ctx, hits, start, end)
        msg.attachments = _attachments(ctx, hits, start, end)
        if msg.kind == "request":
            _propose_requester(ctx, hits, votes, msg)
        ctx.messages.append(msg)
        previous_kind = msg.kind
    _date_requests_from_replies(ctx, hits)


def _propose_requester(ctx: Context, hits: Hits, votes: Votes, msg: Message) -> None:
    """The first request is signed by the requester: its signatory, else its last line if name-shaped."""
    start, end = msg.span
    if msg.signatory:
        sign = _first_in(ctx, hits.within(start, end, "sign_off"))
        votes.add("requester", 3, names.person(msg.signatory, hits.vocab), "segment.sign_off", (sign, sign))
        return
    last = ctx.text[start:end].rstrip().rsplit("\n", 1)[-1]
    if _NAME_LINE.fullmatch(last.strip()):
        votes.add("requester", 3.5, names.person(last, hits.vocab), "segment.thread", (end - len(last), end))


_NAME_LINE = re.compile(r"(?:[A-Z][\w.'’-]*[ \t]+){1,3}[A-Z][\w'’-]+")


def _date_requests_from_replies(ctx: Context, hits: Hits) -> None:
    """An undated outgoing message takes the day the replies to it say it was received."""
    messages = ctx.messages
    for i, sent in enumerate(messages):
        if sent.direction != "outgoing" or sent.date:
            continue
        for reply in messages[i + 1:]:
            if reply.direction == "outgoing":
                break
            day = _received_day(ctx, hits, reply)
            if day:
                sent.date = day
                break


def _received_day(ctx: Context, hits: Hits, reply: Message) -> str | None:
    start, end = reply.span
    for h in hits.within(start, min(end, start + CUE_WINDOW), "request_date"):
        day = parse_day(h.group("date"), hits.vocab)
        if day and not ctx.in_quote(h.start):
            hits.note(h, f"request received {day}")
            return day
    return None


def _rule_of(s: Start, hits: Hits) -> str:
    if s.hit is not None:
        return s.hit.rule.id
    return "segment.thread"


def _direction(ctx, hits, s: Start, start: int, end: int, requester, authority, index: int) -> str:
    """For a header: the requester's name means outgoing; for a letter: whom it addresses."""
    sender = s.sender or ""
    if requester and sender and names.same(names.person(sender, hits.vocab) or sender, requester):
        return "outgoing"
    if sender and (requester or "," in sender):
        return "incoming"
    salutation = next((h for h in hits.within(start, end, "boundary", "salutation") if not ctx.in_quote(h.start)), None)
    if salutation is not None:
        h = salutation
        addressee = names.body(h.group("name"))
        if addressee and (names.same(addressee, authority) or _is_body(hits, addressee)):
            return "outgoing"
        return "incoming"
    return "outgoing" if sender and index == 0 else "incoming"


def _kind(ctx: Context, hits: Hits, msg: Message, previous_kind: str | None, first_out: bool) -> str:
    if msg.direction == "outgoing" and first_out:
        return "request"
    start, end = msg.span
    cues = [h for h in hits.window(start, min(end, start + CUE_WINDOW), "message_kind")
            if not ctx.in_quote(h.start) and h.attrs.get("direction", msg.direction) == msg.direction]
    if cues:
        best = min(cues, key=lambda h: (h.attrs.get("rank", 9), h.start))
        hits.note(best, f"message {msg.index}: {best.attrs['message_kind']}")
        return best.attrs["message_kind"]
    if msg.direction == "outgoing":
        return "clarification" if previous_kind == "clarification_request" else "follow_up"
    long_or_letter = end - start > 2000 or ctx.document.kind == "letter"
    return "response" if msg.attachments or long_or_letter else "other"


def _own_date(ctx: Context, hits: Hits, start: int, end: int, salutation: int | None) -> str | None:
    """A letter's own date: labelled, or on a line of its own above the salutation."""
    limit = salutation if salutation is not None else min(end, start + 600)
    found = [h for h in hits.within(start, limit, "letter_date") if not ctx.in_quote(h.start)
             and parse_day(h.group("date"), hits.vocab)]
    if not found:
        return None
    nearest = found[-1]  # the date just above the salutation, not a page's "published" date
    day = parse_day(nearest.group("date"), hits.vocab)
    hits.note(nearest, f"message date {day}")
    return day


def _signatory(ctx: Context, hits: Hits, start: int, end: int) -> str | None:
    """The first name line after the message's first sign-off."""
    for h in hits.within(start, end, "sign_off"):
        if ctx.in_quote(h.start):
            continue
        for line_start, line in _lines_from(ctx.text, h.end):
            if line_start >= end or ctx.blocked(line_start, line_start + len(line)):
                return None
            if hits.within(line_start, line_start + len(line), "sign_off"):
                continue
            name = names.squash(line)
            if len(name) > 80 or not re.search(r"[^\W\d_]", name) or name.endswith((".", ":")):
                return None
            return names.person(name, hits.vocab) or name
        return None
    return None


def _attachments(ctx: Context, hits: Hits, start: int, end: int) -> list[str]:
    for h in hits.within(start, end, "attachment", "count"):
        hits.note(h, "attachments listed")
    out = []
    for h in hits.within(start, end, "attachment", "name"):
        hits.note(h, "attachment")
        out.append(names.squash(h.group("name")))
    return out


def _first_in(ctx: Context, found: list[Hit]) -> int | None:
    """Where the first of `found` outside a quotation starts."""
    return next((h.start for h in found if not ctx.in_quote(h.start)), None)


def _best(votes) -> str | None:
    return min(votes, key=lambda v: (v.rank, v.start)).value if votes else None


def _is_body(hits: Hits, name: str | None) -> bool:
    return bool(name) and any(r.compiled.fullmatch(name) for r in hits.rules_with("mode", "most_frequent"))


# --------------------------------------------------------------------------- dates
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
