"""field_lists extractor (to be written)."""
from __future__ import annotations

from pipeline.context import Context
from pipeline.matching import TokenMatchers
from pipeline.rules import RuleSet


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    return None
