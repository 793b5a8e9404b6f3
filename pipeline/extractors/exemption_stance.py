"""The stance an exemption is mentioned with, from the cue rules of `rules/exemptions.yaml`.

The nearest stance cue in reach decides (most cues reach within their sentence), but
a `disputed` cue or a `hedge` in reach outweighs an `applied` one ("I do not accept
that section 43 is engaged", "might have been rejected under section 12"), and
counting uses of a provision (`statistics`) is only citing it. In the requester's
words a cue may mean something else (`requester_stance`), a provision named with no
cue is one the requester argues about, and one named in a condition ("if any of it
is exempt under section 40(2), please redact it") is only cited.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from pipeline.context import Context
from pipeline.extractors.exemption_context import sentence_bounds
from pipeline.matching import Candidate
from pipeline.rules import RuleSet, RuleTimeout

CATEGORY = "exemptions"
_CUE_LENGTH = 200  # a cue match is shorter than this: cues are looked for this far beyond their window


@dataclass
class Stance:
    stance: str
    evidence: str | None = None
    qualified: bool | None = None


@dataclass
class CueIndex:
    """Cue matches sorted by start, and how far from a candidate one can be in reach."""

    cues: list[Candidate]
    reach: int

    def __post_init__(self) -> None:
        self.starts = [c.start for c in self.cues]

    def near(self, start: int, end: int) -> list[Candidate]:
        lo = bisect.bisect_left(self.starts, start - self.reach)
        return self.cues[lo:bisect.bisect_right(self.starts, end + self.reach)]


def cues_near(ctx: Context, rules: RuleSet, candidates: list[Candidate]) -> CueIndex:
    """Cue matches within reach of some candidate: cues matter nowhere else, and
    scanning only there keeps a long document with few sections fast."""
    cue_rules = rules.by_action("cue")
    reach = max((r.window for r in cue_rules), default=0) + _CUE_LENGTH
    windows: list[list[int]] = []
    for c in candidates:
        start, end = max(0, c.start - reach), min(len(ctx.text), c.end + reach)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    out = []
    for rule in cue_rules:
        try:
            for start, end in windows:
                for m in rule.finditer(ctx.text, start, end):
                    s, e = rule.span_of(m)
                    if e > s:
                        out.append(Candidate(rule, s, e, ctx.text[s:e], m.groupdict(), dict(rule.set), m))
        except RuleTimeout as err:
            ctx.errors.append(str(err))
    return CueIndex(_widest(out), reach)


def _widest(cue_list: list[Candidate]) -> list[Candidate]:
    """Drop a cue lying inside a longer cue that sets the same attributes
    ("exempt from disclosure under" inside "likely to be exempt from disclosure under")."""
    ordered = sorted(cue_list, key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Candidate] = []
    for c in ordered:
        if any(k.start <= c.start and c.end <= k.end and k.attrs.keys() == c.attrs.keys() for k in kept[-8:]):
            continue
        kept.append(c)
    return kept


def _distance(ctx: Context, cand: Candidate, cue: Candidate, sentence: tuple[int, int]) -> int | None:
    """How far the cue stands from the list, or None when it is out of the cue's reach."""
    rule = cue.rule
    gap = max(cand.start - cue.end, cue.start - cand.end, 0)
    if rule.scope == "sentence":
        inside = cue.end > sentence[0] and cue.start < sentence[1]
        return gap if inside and gap <= rule.window else None
    if rule.scope == "before":
        d = cand.start - cue.end
    elif rule.scope == "after":
        d = cue.start - cand.end
    elif rule.scope == "line":
        return gap if ctx.line_of(cue.start) == ctx.line_of(cand.start) else None
    else:
        d = gap
    return d if 0 <= d <= rule.window else None


def stance_of(ctx: Context, cand: Candidate, cue_index: CueIndex, requester: bool) -> Stance:
    """The stance of the list `cand`, from the cues in reach (see the module's doc)."""
    sentence = sentence_bounds(ctx, cand.start)
    reach: dict[tuple[str, object], tuple[int, Candidate]] = {}  # (attribute, value) -> nearest cue
    for cue in cue_index.near(cand.start, cand.end):
        d = _distance(ctx, cand, cue, sentence)
        for key_value in cue.attrs.items() if d is not None else ():
            if key_value not in reach or d < reach[key_value][0]:
                reach[key_value] = (d, cue)
    qualified = _nearest(reach, "qualified")
    stances = {value: hit for (key, value), hit in reach.items() if key == "stance"}
    used = [qualified[1]] if qualified else []
    if cand.attrs.get("table_label") or not stances:
        arguing = requester and not cand.attrs.get("table_label") and not _nearest(reach, "statistics") \
            and not _nearest(reach, "conditional")
        default = "disputed" if arguing else "cited"
        _note(ctx, cand, used, default)
        return Stance(default, None, qualified[0] if qualified else None)
    stance = min(stances, key=lambda v: stances[v][0])
    cue = stances[stance][1]
    used.append(cue)
    if requester and "requester_stance" in cue.attrs:
        stance = cue.attrs["requester_stance"]
    hedge = _nearest(reach, "hedge")
    statistics = _nearest(reach, "statistics")
    if statistics and stance != "disputed":
        stance = "cited"
        used.append(statistics[1])
    elif stance == "applied" and "disputed" in stances:
        stance = "disputed"
        used.append(stances["disputed"][1])
    elif requester and stance in ("applied", "considered") and _nearest(reach, "conditional"):
        stance = "cited"  # "if any of it is exempt under section 40(2), please redact it"
        used.append(_nearest(reach, "conditional")[1])
    elif stance == "applied" and hedge:
        stance = "disputed" if requester else "considered"
        used.append(hedge[1])
    _note(ctx, cand, used, stance)
    return Stance(stance, " … ".join(c.text for c in used if "qualified" not in c.attrs) or None,
                  qualified[0] if qualified else None)


def _nearest(reach: dict, key: str) -> tuple[object, Candidate] | None:
    hits = [(d, value, cue) for (k, value), (d, cue) in reach.items() if k == key]
    if not hits:
        return None
    _, value, cue = min(hits, key=lambda h: h[0])
    return value, cue


def _note(ctx: Context, cand: Candidate, used: list[Candidate], stance: str) -> None:
    for cue in used:
        ctx.note(cue.rule.id, CATEGORY, "cue", cand.span, ", ".join(f"{k}={v}" for k, v in cue.attrs.items())
                 + f" -> stance={stance}")
