"""Segment a document: never-data regions (WDTK chrome, URLs, e-mail addresses,
masking placeholders), quoted earlier messages, the thread's messages, and the
document's kind / title / status / authority / requester. Driven by `rules/segment.yaml`.

The order matters: regions first (a URL is never a sender line), then the document's
head (kind decides how the thread is split), then the thread (which marks quotations
and proposes the requester from the first request's signature), then what needs the
quotations known (an outcome stated outside them), then the authority/requester vote.

Modules, in that order: segment_hits (rules run once, hits by meaning),
document_fields (kind, title, status), parties (authority / requester vote),
thread + pasted (messages), quotes (quoted regions), names and thread_text (helpers).
"""
from __future__ import annotations

from pipeline import document_fields, parties, thread
from pipeline.context import Context
from pipeline.matching import TokenMatchers
from pipeline.rules import RuleSet
from pipeline.segment_hits import Hits


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    hits = Hits(ctx, rules)
    _mark_regions(ctx, hits)
    votes = parties.Votes()
    document_fields.read(ctx, hits, votes)
    thread.split(ctx, hits, votes)
    document_fields.read_outcome(ctx, hits)
    votes.decide(ctx)
    for name, value in ctx.preset.document.items():  # what a converter read from structure stands
        setattr(ctx.document, name, value)


def _mark_regions(ctx: Context, hits: Hits) -> None:
    """Rules with `set: {region: KIND}` mark text that is never data."""
    for h in hits.hits("region"):
        if h.end > h.start:
            ctx.add_region(h.start, h.end, h.attrs["region"])
            hits.note(h, h.attrs["region"])
