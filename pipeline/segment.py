"""Segment a document: never-data regions (WDTK chrome, URLs, e-mail addresses,
masking placeholders), the document's kind/title/status/authority/requester, and
the thread's messages. Driven by `rules/segment.yaml`.
"""
from __future__ import annotations

from pipeline.context import Context
from pipeline.matching import TokenMatchers
from pipeline.rules import RuleSet


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    """Rules with `set: {region: KIND}` mark never-data regions."""
    for rule in rules.by_action("find"):
        region = rule.set.get("region")
        if region and rule.compiled is not None:
            for m in rule.finditer(ctx.text):
                s, e = rule.span_of(m)
                if e > s:
                    ctx.add_region(s, e, region)
                    ctx.note(rule.id, "segment", "found", (s, e), region)
