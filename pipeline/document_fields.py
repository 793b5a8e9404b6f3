"""The document block: kind, title, status (with its evidence), authority and requester.

Kind, title and status are read from the text's head and the rules' cues; authority
and requester are voted on: every rule or structure that names one proposes it with
a rank (1 = the WDTK page says so outright ... 8 = a lone mention), and the best
rank wins (the earlier position breaks ties). The thread module adds its own votes
(the first request's signature, WDTK author lines) before the vote is counted.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline import names
from pipeline.context import Context
from pipeline.segment_hits import Hit, Hits

HEAD_LINES = 60  # a letter's salutation stands near its top
STATUS_OF_OUTCOMES = {"partial": "partially_successful", "refused": "refused", "not_held": "not_held",
                      "disclosed": "successful"}


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


def read(ctx: Context, hits: Hits, votes: Votes) -> None:
    """Fill kind, title and a WDTK status; propose authority and requester from the rules."""
    doc = ctx.document
    doc.kind = _kind(ctx, hits)
    doc.title = _title(ctx, hits)
    if doc.kind == "wdtk_thread":
        _wdtk_status(ctx, hits)
    _propose_from_rules(ctx, hits, votes)


def read_outcome(ctx: Context, hits: Hits) -> None:
    """Other documents: a status only where the authority states the outcome outright
    (run once quotations are marked: a quoted outcome is not this document's)."""
    if ctx.document.kind != "wdtk_thread":
        _stated_outcome(ctx, hits)


# --------------------------------------------------------------------------- kind
def head_end(ctx: Context, hits: Hits) -> int:
    """Where the first message starts: the first WDTK header or salutation (or the end)."""
    firsts = [h.start for h in hits.hits("boundary", "header")[:1] + hits.hits("boundary", "salutation")[:1]]
    return min(firsts, default=len(ctx.text))


def _kind(ctx: Context, hits: Hits) -> str:
    if hits.head("doc_kind", "attachment"):
        kind = "letter" if _salutation_near_top(ctx, hits) else "other"
        hits.note(hits.head("doc_kind", "attachment")[0], f"kind: {kind}")
        return kind
    wdtk = hits.head("doc_kind", "wdtk_thread") or hits.hits("fold")
    if wdtk:
        hits.note(wdtk[0], "kind: wdtk_thread")
        return "wdtk_thread"
    end = head_end(ctx, hits)
    status = [h for h in hits.head("status") if h.start < end]
    if status:
        hits.note(status[0], "kind: wdtk_thread (status line)")
        return "wdtk_thread"
    first = _salutation_near_top(ctx, hits)
    if first is not None and hits.is_body(first.group("name")):
        hits.note(first, "kind: wdtk_thread (request addressed to a body)")
        return "wdtk_thread"
    if first is not None:
        hits.note(first, "kind: letter (salutation)")
        return "letter"
    article = hits.hits("doc_kind", "article")
    if article:
        hits.note(article[0], "kind: article")
        return "article"
    return "other"


def _salutation_near_top(ctx: Context, hits: Hits) -> Hit | None:
    for h in hits.hits("boundary", "salutation"):
        if ctx.line_of(h.start) <= HEAD_LINES and not ctx.in_quote(h.start):
            return h
    return None


# --------------------------------------------------------------------------- title
def _title(ctx: Context, hits: Hits) -> str | None:
    if ctx.document.kind == "letter":
        subject = _letter_subject(ctx, hits)
        if subject:
            return subject
    skip = [h for key in ("title", "status", "doc_kind") for h in hits.head(key)
            if h.attrs.get("title", "skip") == "skip"]
    for line_start, line in _lines(ctx.text):
        text = _clean_title(line)
        if not text:
            continue
        start = line_start + len(line) - len(line.lstrip())
        end = line_start + len(line.rstrip())
        if ctx.blocked(start, end, ("chrome",)):
            continue
        skipped = next((h for h in skip if h.start < end and start < h.end), None)
        if skipped is not None:
            if "title" in skipped.attrs:
                hits.note(skipped, "not the title")
            continue
        return _whole_heading(ctx, hits, text, end)
    return None


def _whole_heading(ctx: Context, hits: Hits, title: str, end: int) -> str:
    """A heading wrapped onto the next line ("... under the Freedom of" / "Information Act"),
    or repeated there in full after a short form ("Decision 041/2020" / "Decision 041/2020: ...")."""
    following = next((_clean_title(line) for _, line in _lines(ctx.text[end + 1:end + 400]) if line.strip()), "")
    if not following:
        return title
    if following.startswith(title) and len(following) <= 200:
        return following
    if title.split()[-1].lower() in names.word_set(hits.vocab, "wrap_words") and len(title) + len(following) <= 200:
        return f"{title} {following}"
    return title


def _letter_subject(ctx: Context, hits: Hits) -> str | None:
    first = _salutation_near_top(ctx, hits)
    subjects = [h for h in hits.head("title", "subject") if first is None or h.start < first.start + 2000]
    if subjects:
        hits.note(subjects[0], "title: subject line")
        return _clean_title(ctx.text[subjects[0].start:subjects[0].end])
    if first is None:
        return None
    after = ctx.text[first.end:first.end + 400]
    for line in after.split("\n"):
        text = _clean_title(line)
        if text:
            return text if len(text) <= 150 and not text.endswith((".", ",", ":")) else None
    return None


def _clean_title(line: str) -> str:
    return names.squash(line).strip("#*_ ").strip()


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


# --------------------------------------------------------------------------- status
def _wdtk_status(ctx: Context, hits: Hits) -> None:
    end = head_end(ctx, hits)
    for h in hits.head("status"):
        if h.start >= end:
            break
        ctx.document.status = h.attrs["status"]
        hits.note(h, f"status: {h.attrs['status']}")
        return


def _stated_outcome(ctx: Context, hits: Hits) -> None:
    found: dict[str, Hit] = {}
    for h in hits.hits("outcome"):
        if not ctx.in_quote(h.start):
            found.setdefault(h.attrs["outcome"], h)
    if not found:
        return
    limits = [found[k] for k in ("refused", "not_held") if k in found]
    if "partial" in found:
        decided, status = found["partial"], "partially_successful"
    elif "disclosed" in found and limits:
        decided, status = min(limits, key=lambda h: h.start), "partially_successful"
        hits.note(found["disclosed"], f"status: {status} (some information given)")
    elif limits and _some_answers_given(ctx, hits, limits):
        decided, status = min(limits, key=lambda h: h.start), "partially_successful"
    elif limits:
        decided = min(limits, key=lambda h: h.start)
        status = STATUS_OF_OUTCOMES[decided.attrs["outcome"]]
    else:
        decided, status = found["disclosed"], "successful"
    ctx.document.status = status
    ctx.document.status_evidence = sentence_around(ctx.text, decided.start, decided.end)
    hits.note(decided, f"status: {status}")


def _some_answers_given(ctx: Context, hits: Hits, limits: list[Hit]) -> bool:
    """Answers given per question ("Q1 - not held", "Q2 - 316"): some refused, some not."""
    labels = hits.hits("answer", "label")
    limited = {ctx.line_of(h.start) for h in limits}
    refused = [h for h in labels if ctx.line_of(h.start) in limited]
    answered = [h for h in labels if ctx.line_of(h.start) not in limited]
    if refused and answered:
        hits.note(answered[0], "some questions answered")
        return True
    return False


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding [start, end), white space collapsed. A line break ends a sentence
    only after a short line: wrapped e-mail lines run on, list items and headings do not."""
    left = max(text.rfind(".", 0, start), text.rfind("\n\n", 0, start) + 1, text.rfind(":\n", 0, start) + 1)
    nl = text.rfind("\n", 0, start)
    if nl > left and _short_line_ends_at(text, nl):
        left = nl
    left = 0 if left < 0 else left + 1
    right = len(text)
    m = _SENTENCE_END.search(text, end)
    if m:
        right = m.end()
    nl = text.find("\n", end)
    if 0 <= nl < right and _short_line_ends_at(text, nl):
        right = nl
    return names.squash(text[left:right])


_SENTENCE_END = re.compile(r"\.(?=\s|$)|\n\s*\n")
SHORT_LINE = 60


def _short_line_ends_at(text: str, newline: int) -> bool:
    return newline - (text.rfind("\n", 0, newline) + 1) < SHORT_LINE


# --------------------------------------------------------------------------- authority / requester
def _propose_from_rules(ctx: Context, hits: Hits, votes: Votes) -> None:
    vocab = hits.vocab
    end = head_end(ctx, hits)
    for h in hits.head("doc_kind", "wdtk_thread"):
        for text, span in h.groups_like("authority"):
            votes.add("authority", 1, names.body(text), h.rule.id, span)
        for text, span in h.groups_like("requester"):
            votes.add("requester", 1, names.person(text, vocab), h.rule.id, span)
    if ctx.document.kind == "wdtk_thread":
        first = _salutation_near_top(ctx, hits)
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


def _propose(hits: Hits, votes: Votes, which: str, rank: float, h: Hit) -> None:
    text = h.group("name") or ""
    if which == "authority":
        name = names.body(text)
        if _acceptable_body(hits, name):
            votes.add(which, rank, name, h.rule.id, h.match.span("name"))
    else:
        votes.add(which, rank, names.person(text, hits.vocab), h.rule.id, h.match.span("name"))


def _acceptable_body(hits: Hits, name: str | None) -> bool:
    if not name:
        return False
    barred = {n.casefold() for n in hits.vocab.get("not_authorities", [])}
    roles = {w.casefold() for w in hits.vocab.get("role_words", [])}
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
    for line_start, line in _lines(ctx.text):
        if not line.strip():
            continue
        name = names.body(line)
        if name and hits.is_body(name) and _acceptable_body(hits, name):
            rule = hits.rules_with("mode", "most_frequent")[0]
            votes.add("authority", 7, name, rule.id, (line_start, line_start + len(line)))
        return


def _propose_addressee(ctx: Context, hits: Hits, votes: Votes) -> None:
    """A letter's addressee: "Dear Jonathan Edwards", or "Dear Mr Charlton" and the line "Mr R Charlton"."""
    first = _salutation_near_top(ctx, hits)
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
    surname = bare.split()[-1]
    line_re = re.compile(r"(?m)^[ \t]*((?:[A-Z][\w.'’-]*[ \t]+){0,4}" + re.escape(surname) + r")[ \t]*$")
    for m in line_re.finditer(ctx.text, 0, first.start):
        full = names.person(m.group(1), hits.vocab)
        if full and len(full.split()) >= 2:
            votes.add("requester", 4, full, first.rule.id, m.span(1))
            return
