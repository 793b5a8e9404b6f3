"""The document block: kind, title and status (with its evidence).

They are read from the text's head and the rules' cues; the authority and the
requester are voted on (pipeline/parties.py).
"""
from __future__ import annotations

import re

from pipeline import names, parties
from pipeline.context import Context
from pipeline.parties import Votes
from pipeline.segment_hits import Hit, Hits
from pipeline.thread_text import head_end, lines, salutation_near_top

STATUS_OF_OUTCOMES = {"partial": "partially_successful", "refused": "refused", "not_held": "not_held",
                      "disclosed": "successful"}


def read(ctx: Context, hits: Hits, votes: Votes) -> None:
    """Fill kind, title and a WDTK status; propose authority and requester from the rules."""
    doc = ctx.document
    doc.kind = _kind(ctx, hits)
    doc.title = _title(ctx, hits)
    if doc.kind == "wdtk_thread":
        _wdtk_status(ctx, hits)
    parties.propose_from_rules(ctx, hits, votes)


def read_outcome(ctx: Context, hits: Hits) -> None:
    """Other documents: a status only where the authority states the outcome outright
    (run once quotations are marked: a quoted outcome is not this document's)."""
    if ctx.document.kind == "wdtk_thread":
        return
    decision = hits.head("doc_kind", "decision")
    if decision:
        hits.note(decision[0], "a decision: no outcome of the authority's own")
        return
    _stated_outcome(ctx, hits)


# --------------------------------------------------------------------------- kind
def _kind(ctx: Context, hits: Hits) -> str:
    if hits.head("doc_kind", "attachment"):
        kind = "letter" if salutation_near_top(ctx, hits) else "other"
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
    first = salutation_near_top(ctx, hits)
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


# --------------------------------------------------------------------------- title
def _title(ctx: Context, hits: Hits) -> str | None:
    if ctx.document.kind == "letter":
        subject = _letter_subject(ctx, hits)
        if subject:
            return subject
    skip = [h for key in ("title", "status", "doc_kind") for h in hits.head(key)
            if h.attrs.get("title", "skip") == "skip"]
    for line_start, line in lines(ctx.text):
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
    following = next((_clean_title(line) for _, line in lines(ctx.text[end + 1:end + 400]) if line.strip()), "")
    if not following:
        return title
    if following.startswith(title) and len(following) <= 200:
        return following
    if title.split()[-1].lower() in names.word_set(hits.vocab, "wrap_words") and len(title) + len(following) <= 200:
        return f"{title} {following}"
    return title


def _letter_subject(ctx: Context, hits: Hits) -> str | None:
    first = salutation_near_top(ctx, hits)
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
    found: dict[str, Hit] = {}  # the first statement of each outcome (each rule is read up to its first)
    for rule in hits.rules_with("outcome"):
        h = hits.first(rule, lambda h: not ctx.in_quote(h.start) and not _in_brackets(ctx, h))
        kind = rule.set["outcome"]
        if h is not None and (kind not in found or (h.start, -h.end) < (found[kind].start, -found[kind].end)):
            found[kind] = h
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


def _in_brackets(ctx: Context, h: Hit) -> bool:
    """A cue inside brackets on its line names a provision ("17(1) (Notice that information
    is not held)"); it does not state an outcome."""
    start, end = ctx.line_span(h.start)
    before, after = ctx.text[start:h.start], ctx.text[h.end:end]
    return before.rfind("(") > before.rfind(")") and ")" in after


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


