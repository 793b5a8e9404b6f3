"""Who asked whom: the authority and the requester, decided by vote.

Every rule or structure that names one proposes it with a rank (1 = the WDTK page
says so outright ... 8 = a lone mention); the best rank wins and the earlier position
breaks ties. Rules of a rank no better than a proposal already made are not run. The
thread adds its own proposals (the first request's signature, author lines) before
the vote is counted.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline import names
from pipeline.context import Context
from pipeline.segment_hits import Hit, Hits
from pipeline.thread_text import head_end, lines, name_lines, salutation_near_top


@dataclass
class Vote:
    rank: float
    value: str
    start: int
    rule: str
    span: tuple[int, int]


@dataclass
class Votes:
    """Proposals for the authority and the requester, counted once the thread is split."""

    authority: list[Vote] = field(default_factory=list)
    requester: list[Vote] = field(default_factory=list)

    def add(self, which: str, rank: float, value: str | None, rule: str, span: tuple[int, int]) -> None:
        if value:
            getattr(self, which).append(Vote(rank, value, span[0], rule, span))

    def decide(self, ctx: Context) -> None:
        for which in ("authority", "requester"):
            votes = getattr(self, which)
            if not votes:
                continue
            best = min(votes, key=lambda v: (v.rank, v.start))
            setattr(ctx.document, which, best.value)
            ctx.note(best.rule, "segment", "found", best.span, f"{which}: {best.value}")


def propose_from_rules(ctx: Context, hits: Hits, votes: Votes) -> None:
    vocab = hits.vocab
    end = head_end(ctx, hits)
    for h in hits.head("doc_kind", "wdtk_thread"):
        for text, span in h.groups_like("authority"):
            votes.add("authority", 1, names.body(text), h.rule.id, span)
        for text, span in h.groups_like("requester"):
            votes.add("requester", 1, names.person(text, vocab), h.rule.id, span)
    if ctx.document.kind == "wdtk_thread":
        first = salutation_near_top(ctx, hits)
        if first is not None and hits.is_body(first.group("name")):
            votes.add("authority", 3, names.body(first.group("name")), first.rule.id, first.match.span("name"))
        for h in hits.head("status"):
            if h.start < end:
                for text, span in h.groups_like("authority"):
                    votes.add("authority", 2, names.body(text), h.rule.id, span)
                for text, span in h.groups_like("requester"):
                    votes.add("requester", 2, names.person(text, vocab), h.rule.id, span)
    if ctx.document.kind == "letter":
        _propose_letterhead(ctx, hits, votes)
        _propose_addressee(ctx, hits, votes)
    for rule in sorted(hits.rules_with("field"), key=lambda r: r.set.get("rank", 5)):
        which, rank = rule.set["field"], rule.set.get("rank", 5)
        if any(v.rank <= rank for v in getattr(votes, which)):
            continue  # a surer source already named it: spare the scan
        if rule.set.get("mode") == "most_frequent":
            _propose_most_mentioned(ctx, hits, votes, rule)
            continue
        for h in hits.of_rule(rule):
            if not ctx.in_quote(h.start):
                _propose(hits, votes, which, rank, h)


_OFFICE = re.compile(r"^(?:Chief\s+Constable|Commissioner|Chief\s+Executive)\s+of\s+(?:the\s+)?")


def _propose(hits: Hits, votes: Votes, which: str, rank: float, h: Hit) -> None:
    text, span = (h.groups_like("name") or [("", h.span)])[0]
    if "value" in h.attrs:  # a mark that names its body ("ATISN 16301": the Welsh Government's scheme)
        text, span = h.attrs["value"], h.span
    if which == "authority":
        name = _OFFICE.sub("", names.body(text) or "")  # "Chief Constable of the Police Service of Scotland"
        if _acceptable_body(hits, name):
            votes.add(which, rank, name, h.rule.id, span)
        for text, span in h.groups_like("requester"):  # a heading naming both parties
            votes.add("requester", rank, names.person(text, hits.vocab), h.rule.id, span)
    else:
        votes.add(which, rank, names.person(text, hits.vocab), h.rule.id, span)


def _acceptable_body(hits: Hits, name: str | None) -> bool:
    if not name:
        return False
    barred = names.folded_set(hits.vocab, "not_authorities")
    roles = names.folded_set(hits.vocab, "role_words")
    return (name.casefold() not in barred and "commissioner" not in name.casefold()
            and name.split()[0].casefold() not in roles)


def _propose_most_mentioned(ctx: Context, hits: Hits, votes: Votes, rule) -> None:
    counts: Counter[str] = Counter()
    first: dict[str, Hit] = {}
    for h in hits.of_rule(rule):
        name = names.body(h.group("name"))
        if not _acceptable_body(hits, name) or ctx.in_quote(h.start):
            continue
        key = name.casefold()
        counts[key] += 1
        first.setdefault(key, h)
    if not counts:
        return
    key, n = counts.most_common(1)[0]
    h = first[key]
    rank = h.attrs.get("rank", 6) + (0 if n >= 2 else 2)
    votes.add("authority", rank, names.body(h.group("name")), h.rule.id, h.match.span("name"))


def _propose_letterhead(ctx: Context, hits: Hits, votes: Votes) -> None:
    """A letter's first line, when it is a body's name ("Home Office")."""
    for line_start, line in lines(ctx.text):
        if not line.strip():
            continue
        name = names.body(line)
        if name and hits.is_body(name) and _acceptable_body(hits, name):
            rule = hits.rules_with("mode", "most_frequent")[0]
            votes.add("authority", 7, name, rule.id, (line_start, line_start + len(line)))
        return


def _propose_addressee(ctx: Context, hits: Hits, votes: Votes) -> None:
    """A letter's addressee: "Dear Jonathan Edwards", or "Dear Mr Charlton" and the line "Mr R Charlton"."""
    first = salutation_near_top(ctx, hits)
    if first is None or not first.group("name"):
        return
    raw = names.squash(first.group("name"))
    bare = names.person(raw, hits.vocab)
    if not bare or hits.is_body(bare) or bare.casefold() in {"sir", "madam", "sir or madam", "sir/madam"}:
        return
    honorific = raw.split()[0].lower().rstrip(".") in names.word_set(hits.vocab, "honorifics")
    if not honorific and len(bare.split()) >= 2:
        votes.add("requester", 4, bare, first.rule.id, first.span)
        return
    for start, end in name_lines(ctx.text, first.start, bare.split()[-1]):  # the address block nearest "Dear"
        full = names.person(ctx.text[start:end], hits.vocab)
        if full and len(full.split()) >= 2:
            votes.add("requester", 4, full, first.rule.id, (start, end))
            return
    if honorific:  # "Dear Mr Houston" and no fuller name: the name as the letter gives it
        votes.add("requester", 6, bare, first.rule.id, first.match.span("name"))
