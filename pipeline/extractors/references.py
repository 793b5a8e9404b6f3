"""References: identifiers a reader would quote back (case numbers, ICO refs, PQs, DSAP ids).

Rules in `rules/references.yaml` find them (`group` picks the identifier out of its
cue words) and set their `kind`; reject rules keep phone numbers, postcodes and
dates out. One item per distinct value; later mentions go in `mentions`.

A rule's `kind` is fixed by its shape (DS00689 is a data share wherever it stands);
a general shape has a `default_kind` that a cue nearby may override (a case
reference beside a Commissioner's decision number is the Commissioner's). A rule
with `needs: ATTR` proposes candidates that stand only where a cue lends ATTR.
"""
from __future__ import annotations

import re

from pipeline.context import Context
from pipeline.matching import TokenMatchers, cue_attrs, cues, find_candidates
from pipeline.models import Reference
from pipeline.rules import RuleSet

_EDGE = "()[]{}<>.,;:'\"“”‘’*"


def normalise(text: str) -> str:
    """As written, trimmed, inner white space collapsed, surrounding punctuation removed."""
    value = re.sub(r"\s+", " ", text).strip()
    if value.startswith("[") and re.match(r"^\[\d{4}\]", value):  # "[2012] UKUT 442 (AAC)" keeps its brackets
        return value.rstrip(".,;:")
    return value.strip(_EDGE + " ")


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    cue_list = cues(ctx, rules, tokens)
    by_value: dict[str, Reference] = {}
    for cand in find_candidates(ctx, rules, tokens):
        value = normalise(cand.text)
        if not value:
            continue
        key = re.sub(r"\s+", "", value).upper()
        if key in by_value:
            by_value[key].mentions.append(cand.span)
            continue
        attrs, _ = cue_attrs(ctx, cand.span, cue_list, "references")
        needs = cand.attrs.get("needs")
        if needs and not attrs.get(needs):
            ctx.note(cand.rule.id, "references", "dropped", cand.span, f"{cand.text!r}: no {needs} nearby")
            continue
        kind = cand.attrs.get("kind") or attrs.get("kind") or cand.attrs.get("default_kind") or "other"
        ref = Reference(text=cand.text, span=cand.span, rule=cand.rule.id, value=value, kind=kind)
        by_value[key] = ref
    ctx.items["references"].extend(by_value.values())
