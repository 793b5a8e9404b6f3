"""Split a thread into messages and describe each one.

Two shapes of WhatDoTheyKnow text:
- a rendered page, where an author line and a date line stand above every message
  (`boundary: header`); annotations end the message before them;
- pasted text, where only author lines and salutations mark where messages start
  (pipeline/pasted.py).
A letter is one message. Each message gets its direction, kind (cue rules, ranked),
date (its header, else its own letter date), sender, signatory and attachments.
"""
from __future__ import annotations

import bisect
import re

from pipeline import names, pasted, quotes
from pipeline.context import Context
from pipeline.parties import Votes
from pipeline.rules import RuleSet
from pipeline.models import Message
from pipeline.segment_hits import Hits
from pipeline.thread_text import Start, after_blank, best, first_in, lines_from, parse_day

CUE_WINDOW = 3000  # a message says what it is in its first paragraphs


def split(ctx: Context, hits: Hits, votes: Votes) -> None:
    kind = ctx.document.kind
    if ctx.preset.messages:
        _split_preset(ctx, hits, votes)
    elif kind == "wdtk_thread":
        headers = _headers(ctx, hits, votes)
        if headers:
            stops = [h.start for h in hits.hits("boundary", "annotation")]
            for h in hits.hits("boundary", "annotation"):
                hits.note(h, "annotation: ends the message before it")
            quotes.mark_blocks(ctx, hits, [s.pos for s in headers] + stops)
            _build(ctx, hits, votes, headers, stops)
        else:
            _build(ctx, hits, votes, pasted.starts(ctx, hits, votes), [])
    elif kind == "letter":
        quotes.mark_blocks(ctx, hits, [])
        start = len(ctx.text) - len(ctx.text.lstrip())
        _build(ctx, hits, votes, [Start(start, None)], [])
    else:
        quotes.mark_blocks(ctx, hits, [])


def _split_preset(ctx: Context, hits: Hits, votes: Votes) -> None:
    """Messages a converter read from the source's structure (a saved page, a mailbox) are
    kept: their spans, directions, days, senders and attachments; the rules add the rest."""
    preset = ctx.preset.messages
    starts = [Start(m.span[0], None, direction=m.direction, sender=m.sender, date=m.date) for m in preset]
    stops = [m.span[1] for m in preset]
    quotes.mark_blocks(ctx, hits, [s.pos for s in starts] + stops)
    _build(ctx, hits, votes, starts, stops)
    by_start = {m.span[0]: m for m in preset}
    for msg in ctx.messages:
        read = by_start[msg.span[0]]
        msg.rule = read.rule
        msg.attachments = list(read.attachments) or msg.attachments


# --------------------------------------------------------------------------- rendered pages
def _headers(ctx: Context, hits: Hits, votes: Votes) -> list[Start]:
    requester = best(votes.requester)
    out = []
    for h in hits.hits("boundary", "header"):
        sender = names.squash(h.group("sender"))
        if not after_blank(ctx.text, h.start) or not _sender_shaped(sender, requester):
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


# --------------------------------------------------------------------------- messages
def _build(ctx: Context, hits: Hits, votes: Votes, starts: list[Start], stops: list[int]) -> None:
    text = ctx.text
    bounds = sorted({s.pos for s in starts} | set(stops) | {len(text)})
    spans, salutations = [], []
    for s in starts:
        end = bounds[bisect.bisect_right(bounds, s.pos)]
        end = s.pos + len(text[s.pos:end].rstrip())
        spans.append((s.pos, end))
        salutations.append(first_in(ctx, hits.within(s.pos, end, "boundary", "salutation")))
    quotes.mark_trails(ctx, hits, spans, salutations)
    requester = best(votes.requester)
    authority = best(votes.authority)
    previous_kind = None
    sent = any(m.direction == "outgoing" for m in ctx.messages)  # the first outgoing message is the request
    for i, (s, (start, end)) in enumerate(zip(starts, spans)):
        if end <= start:
            continue
        direction = s.direction or _direction(ctx, hits, s, start, end, requester, authority, i)
        msg = Message(text=text[start:end], span=(start, end), rule=_rule_of(s, hits), index=len(ctx.messages),
                      direction=direction, sender=s.sender)
        msg.kind = _kind(ctx, hits, msg, previous_kind, first_out=not sent)
        msg.date = s.date or _own_date(ctx, hits, start, end, salutations[i])
        msg.signatory = _signatory(ctx, hits, start, end)
        msg.attachments = _attachments(ctx, hits, start, end)
        if msg.kind == "request":
            _propose_requester(ctx, hits, votes, msg)
        ctx.messages.append(msg)
        sent = sent or direction == "outgoing"
        previous_kind = msg.kind
    _date_requests_from_replies(ctx, hits)


def _propose_requester(ctx: Context, hits: Hits, votes: Votes, msg: Message) -> None:
    """The first request is signed by the requester: its signatory, else its last line if name-shaped."""
    start, end = msg.span
    if msg.signatory:
        sign = first_in(ctx, hits.within(start, end, "sign_off"))
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
        if addressee and (names.same(addressee, authority) or hits.is_body(addressee)):
            return "outgoing"
        return "incoming"
    return "outgoing" if sender and index == 0 else "incoming"


def _kind(ctx: Context, hits: Hits, msg: Message, previous_kind: str | None, first_out: bool) -> str:
    if msg.direction == "outgoing" and first_out:
        return "request"
    start, end = msg.span
    for rules in _cue_ranks(hits, msg.direction):  # the best rank that speaks wins: the rest are not run
        cues = [h for h in hits.window(start, min(end, start + CUE_WINDOW), rules) if not ctx.in_quote(h.start)]
        if cues:
            best = min(cues, key=lambda h: h.start)
            hits.note(best, f"message {msg.index}: {best.attrs['message_kind']}")
            return best.attrs["message_kind"]
    if msg.direction == "outgoing":
        return "clarification" if previous_kind == "clarification_request" else "follow_up"
    long_or_letter = end - start > 2000 or ctx.document.kind == "letter"
    return "response" if msg.attachments or long_or_letter else "other"


def _cue_ranks(hits: Hits, direction: str) -> list[list]:
    """The message-kind rules that fit a message's direction, grouped by rank, best first
    (grouped once per rule set: every message asks)."""
    return hits.rules.derived(_cue_ranks_by_direction).get(direction) or _ranked(hits.rules, direction)


def _cue_ranks_by_direction(rules: RuleSet) -> dict[str, list[list]]:
    return {direction: _ranked(rules, direction) for direction in ("incoming", "outgoing")}


def _ranked(rules: RuleSet, direction: str) -> list[list]:
    fit = [r for r in rules.rules if "message_kind" in r.set and r.set.get("direction", direction) == direction]
    return [[r for r in fit if r.set.get("rank", 9) == rank] for rank in sorted({r.set.get("rank", 9) for r in fit})]


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
        for line_start, line in lines_from(ctx.text, h.end):
            if line_start >= end or ctx.blocked(line_start, line_start + len(line)):
                return None
            if hits.within(line_start, line_start + len(line), "sign_off"):
                continue
            name = names.squash(line)
            if len(name) > 80 or not names.has_letter(name) or name.endswith((".", ":")):
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


