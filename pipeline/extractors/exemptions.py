"""Exemptions: provisions cited as grounds to withhold, refuse or neither confirm nor deny.

Rules in `rules/exemptions.yaml` find a section (or regulation) word with the list
after it, "sections 40(2) & (5)". Here each list is split into its sections, the
Act is decided from the words right after or before it (else the sentence, else the
document), and the stance from the cue rules in reach (the nearest cue wins).
Sections that are not exemptions (s.1(1), s.17) are dropped; reject rules drop
sections of other laws ("section 24 of the Immigration Act 1971"). One item per (act, section): the
mention with the strongest stance, the others in `mentions`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Callable

from pipeline.context import Context
from pipeline.extractors.exemption_context import Vocab, document_act, requester_spans, sentence_bounds
from pipeline.matching import Candidate, TokenMatchers, find_candidates
from pipeline.models import Exemption
from pipeline.rules import RuleSet, RuleTimeout

CATEGORY = "exemptions"
_SUB = r"\((?:\d{1,2}[A-Z]?|[a-z]|[ivx]{2,5})\)"
# a list's parts: a numbered section, a bare continuation "(3)" or a title "(Personal Data)"
_PART = re.compile(rf"(?P<num>\d{{1,3}}[A-Z]?)(?P<subs>(?:\s?{_SUB})*)|(?P<cont>(?:{_SUB})+)|\([^()\n]*\)")
_LEVEL = re.compile(r"\(([^()]*)\)")
_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
_CUE_LENGTH = 200  # a cue match is shorter than this: cues are looked for this far beyond their window


@dataclass
class Stance:
    stance: str
    evidence: str | None = None
    qualified: bool | None = None


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    vocab = Vocab.of(rules)
    candidates = find_candidates(ctx, rules, tokens)
    if not candidates:
        return
    cue_index = _cues_near(ctx, rules, candidates)
    requester = requester_spans(ctx, vocab)
    default_act = document_act(ctx.text, vocab)
    found: dict[tuple[str, str], Exemption] = {}
    for cand in candidates:
        if cand.attrs.get("table_label") and cand.start not in vocab.table_labels(ctx):
            ctx.note(cand.rule.id, CATEGORY, "dropped", cand.span, f"{cand.text!r} is not under an exemptions header")
            continue
        act = _act_of(ctx, cand, vocab, default_act)
        stance = _stance(ctx, cand, cue_index, _inside(cand.start, requester))
        for section, span in sections(cand.text, cand.start, lambda number: vocab.is_exemption(act, number)):
            if not vocab.is_exemption(act, section):
                ctx.note(cand.rule.id, CATEGORY, "dropped", span, f"{act} {section} is not an exemption")
                continue
            _keep(found, Exemption(text=ctx.text[span[0]:span[1]], span=span, rule=cand.rule.id, act=act,
                                   section=section, stance=stance.stance, qualified=stance.qualified,
                                   evidence=stance.evidence), vocab)
    ctx.items[CATEGORY].extend(sorted(found.values(), key=lambda e: e.span))


# ------------------------------------------------------------------ lists of sections
def sections(text: str, offset: int = 0, is_section: Callable[[str], bool] | None = None
             ) -> list[tuple[str, tuple[int, int]]]:
    """Split a matched list into canonical sections with their spans.

    "sections 40(2) & (5)" -> 40(2), 40(5); "31(1)(a) and (b)" -> 31(1)(a), 31(1)(b);
    titles in brackets ("(Personal Data)") are skipped. The first section's span
    starts with the section word. With `is_section` (is this number a section of its
    own?), "38(1)(b), 2(a)(i) and 2(b)" continues section 38: 38(2)(a)(i), 38(2)(b).
    """
    out: list[tuple[str, tuple[int, int]]] = []
    levels: list[str] = []
    last = 0
    for m in _PART.finditer(text):
        if m.group("num"):
            new = [m.group("num")] + _LEVEL.findall(m.group("subs"))
            if out and _continues(levels, new, text[last:m.start()], is_section):
                levels = _continue(levels, new)
            else:
                levels = new
        elif m.group("cont") and levels:
            levels = _continue(levels, _LEVEL.findall(m.group("cont")))
        else:
            continue
        start = offset if not out else offset + m.start()
        out.append((levels[0] + "".join(f"({x})" for x in levels[1:]), (start, offset + m.end())))
        last = m.end()
    return out


def _continues(levels: list[str], new: list[str], between: str, is_section) -> bool:
    """Is "2(a)(i)" after "38(1)(b), " a subsection of 38 rather than section 2?"""
    return (is_section is not None and len(new) > 1 and ";" not in between
            and not re.search(r"[A-Za-z]", between.replace("and", "")) and is_section(levels[0])
            and not is_section(new[0]))


def _kind(levels: list[str], i: int) -> str:
    """digit (2), letter (a) or roman (iv): a roman numeral stands below a letter."""
    level = levels[i]
    if level[:1].isdigit():
        return "digit"
    return "roman" if level in _ROMAN and i > 0 and levels[i - 1].isalpha() else "letter"


def _fits(kind: str, new: str) -> bool:
    """Can `new` stand where a level of `kind` stood? (2)~(3), (a)~(b), (i)~(ii)."""
    if new[:1].isdigit():
        return kind == "digit"
    if new in _ROMAN:
        return kind == "roman" or (len(new) == 1 and kind == "letter")
    return kind == "letter"


def _continue(levels: list[str], cont: list[str]) -> list[str]:
    """'(b)' after 31(1)(a) replaces the deepest level of its kind: 31(1)(b);
    '(ii)' after 36(2)(b)(i) gives 36(2)(b)(ii)."""
    for i in range(len(levels) - 1, 0, -1):
        if _fits(_kind(levels, i), cont[0]):
            return levels[:i] + cont
    return levels + cont


# ------------------------------------------------------------------ the Act
def _act_of(ctx: Context, cand: Candidate, vocab: Vocab, default: str) -> str:
    """The Act named right after or before the list, else in its sentence, else the document's."""
    text = ctx.text
    regulation = cand.attrs.get("instrument") == "regulation"
    named = vocab.act_after(text, cand.end) or vocab.act_before(text, cand.start)
    if named is None:
        start, _ = sentence_bounds(ctx, cand.start)
        named = vocab.act_in(text, start, cand.start)
    if named in (None, "ACT", "REGS"):
        if regulation or named == "REGS":
            return "EISR" if default == "FOISA" else "EIR"
        return default
    return named


# ------------------------------------------------------------------ stance
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


def _cues_near(ctx: Context, rules: RuleSet, candidates: list[Candidate]) -> CueIndex:
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


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= offset < e for s, e in spans)


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


def _stance(ctx: Context, cand: Candidate, cue_index: CueIndex, requester: bool) -> Stance:
    """The nearest stance cue decides, but a `disputed` cue or a `hedge` in reach
    outweighs an `applied` one ("I do not accept that section 43 is engaged"), and
    counting uses of a provision (`statistics`) is only citing it. In the requester's
    words a cue may mean something else (`requester_stance`), and a provision named
    with no cue is one the requester argues about."""
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
        default = "cited" if cand.attrs.get("table_label") or not requester or "statistics" in dict(reach) else "disputed"
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


def _keep(found: dict[tuple[str, str], Exemption], item: Exemption, vocab: Vocab) -> None:
    """One item per (act, section): the strongest stance's mention, the rest as mentions."""
    key = (item.act, item.section)
    have = found.get(key)
    if have is None:
        found[key] = item
        return
    if vocab.strength(item.stance) > vocab.strength(have.stance):
        item.mentions = sorted(have.mentions + [have.span])
        item.qualified = item.qualified if item.qualified is not None else have.qualified
        found[key] = item
    else:
        have.mentions = sorted(have.mentions + [item.span])
        have.qualified = have.qualified if have.qualified is not None else item.qualified
