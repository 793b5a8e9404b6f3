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

import bisect
import re

from pipeline.context import Context
from pipeline.matching import Candidate, TokenMatchers, cue_attrs, cues, find_candidates
from pipeline.models import Reference
from pipeline.rules import RuleSet

_EDGE = "()[]{}<>.,;:'\"“”‘’*"
_WHITE = re.compile(r"\s+")
_YEAR_IN_BRACKETS = re.compile(r"\[\d{4}\]")  # "[2012] UKUT 442 (AAC)"


def normalise(text: str) -> str:
    """As written, trimmed, inner white space collapsed, surrounding punctuation removed."""
    value = _WHITE.sub(" ", text).strip()
    if value.startswith("[") and _YEAR_IN_BRACKETS.match(value):  # a law report citation keeps its brackets
        return value.rstrip(".,;:")
    return value.strip(_EDGE + " ")


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    cue_list = cues(ctx, rules, tokens)
    near = _near(cue_list, max((r.window for r in rules.by_action("cue")), default=0))
    by_value: dict[str, Reference] = {}
    for cand in find_candidates(ctx, rules, tokens):
        value = normalise(cand.text)
        if not value:
            continue
        key = _WHITE.sub("", value).upper()
        if key in by_value:
            by_value[key].mentions.append(cand.span)
            continue
        attrs, _ = cue_attrs(ctx, cand.span, near(cand), "references")
        needs = cand.attrs.get("needs")
        if needs and not attrs.get(needs):
            ctx.note(cand.rule.id, "references", "dropped", cand.span, f"{cand.text!r}: no {needs} nearby")
            continue
        kind = cand.attrs.get("kind") or attrs.get("kind") or cand.attrs.get("default_kind") or "other"
        ref = Reference(text=cand.text, span=cand.span, rule=cand.rule.id, value=value, kind=kind)
        by_value[key] = ref
    ctx.items["references"].extend(by_value.values())


def _near(cue_list: list[Candidate], window: int):
    """The cues that may reach a candidate (those further than any window cannot):
    a long document's many cues are not all tried against every candidate."""
    starts = [c.start for c in cue_list]
    reach = window + max((c.end - c.start for c in cue_list), default=0)

    def near(cand: Candidate) -> list[Candidate]:
        lo = bisect.bisect_left(starts, cand.start - reach)
        return cue_list[lo:bisect.bisect_right(starts, cand.end + window)]
    return near
