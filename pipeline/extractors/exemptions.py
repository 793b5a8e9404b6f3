"""Exemptions: provisions cited as grounds to withhold, refuse or neither confirm nor deny.

Rules in `rules/exemptions.yaml` find a section (or regulation) word with the list
after it, "sections 40(2) & (5)". Here each list is split into its sections, the Act
is decided from the words right after or before it (else the sentence, else the
document), and the stance from the cue rules in reach (`exemption_stance`). Sections
that are not exemptions (s.1(1), s.17) are dropped; reject rules drop sections of
other laws ("section 24 of the Immigration Act 1971"). One item per (act, section):
the mention with the strongest stance, the others in `mentions`.
"""
from __future__ import annotations

import re
from typing import Callable, NamedTuple

from pipeline.context import Context
from pipeline.extractors.exemption_context import Vocab, document_act, requester_spans, sentence_bounds
from pipeline.extractors.exemption_stance import Stance, cues_near, stance_of
from pipeline.matching import Candidate, TokenMatchers, find_candidates
from pipeline.models import Exemption
from pipeline.rules import RuleSet

CATEGORY = "exemptions"
_SUB = r"\((?:\d{1,2}[A-Z]?|[a-z]|[ivx]{2,5})\)"
# a list's parts: a numbered section, a bare continuation "(3)" or a title "(Personal Data)"
_PART = re.compile(rf"(?P<num>\d{{1,3}}[A-C]?)(?P<subs>(?:\s?{_SUB})*)|(?P<cont>(?:{_SUB})+)|\((?P<title>[^()\n]*)\)")
_LEVEL = re.compile(r"\(([^()]*)\)")
_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
_ACT_REACH = 400  # an Act named earlier in the sentence counts only this close before the section


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    vocab = Vocab.of(rules)
    candidates = find_candidates(ctx, rules, tokens)
    if not candidates:
        return
    cue_index = cues_near(ctx, rules, candidates)
    requester = requester_spans(ctx, vocab)
    default_act = document_act(ctx.text, vocab)
    found: dict[tuple[str, str], Exemption] = {}
    uncued: set[tuple[str, str]] = set()
    for cand in candidates:
        if cand.attrs.get("table_label") and cand.start not in vocab.table_labels(ctx):
            ctx.note(cand.rule.id, CATEGORY, "dropped", cand.span, f"{cand.text!r} is not under an exemptions header")
            continue
        act = _act_of(ctx, cand, vocab, default_act)
        stance = stance_of(ctx, cand, cue_index, cand.start in requester)
        for section, span, title in sections(cand.text, cand.start, lambda number: vocab.is_exemption(act, number)):
            if not vocab.is_exemption(act, section):
                ctx.note(cand.rule.id, CATEGORY, "dropped", span, f"{act} {section} is not an exemption")
                continue
            said = stance
            if stance.stance == "cited" and title and not cand.attrs.get("table_label"):
                said = _withheld_for(ctx, cand, title, vocab) or stance
            if said.stance == "cited" and said.evidence is None and not cand.attrs.get("table_label"):
                uncued.add((act, section))
            _keep(found, Exemption(text=ctx.text[span[0]:span[1]], span=span, rule=cand.rule.id, act=act,
                                   section=section, stance=said.stance, qualified=stance.qualified,
                                   evidence=said.evidence), vocab)
    _same_ground(ctx, found, uncued)
    for item in found.values():
        item.mentions.sort()
    ctx.items[CATEGORY].extend(sorted(found.values(), key=lambda e: e.span))


# ------------------------------------------------------------------ lists of sections
class Cited(NamedTuple):
    """One section of a list, as cited: canonical form, span, and its title if given."""

    section: str
    span: tuple[int, int]
    title: str | None = None


def sections(text: str, offset: int = 0, is_section: Callable[[str], bool] | None = None) -> list[Cited]:
    """Split a matched list into canonical sections with their spans.

    "sections 40(2) & (5)" -> 40(2), 40(5); "31(1)(a) and (b)" -> 31(1)(a), 31(1)(b);
    a title in brackets right after ("(Personal Data)") goes to the sections before it
    since the last title. The first section's span starts with the section word. With
    `is_section` (is this number a section of its own?), "38(1)(b), 2(a)(i) and 2(b)"
    continues section 38: 38(2)(a)(i), 38(2)(b).
    """
    out: list[Cited] = []
    levels: list[str] = []
    last, untitled = 0, 0
    for m in _PART.finditer(text):
        if m.group("title") is not None:
            if untitled < len(out) and not text[last:m.start()].strip():
                for i in range(untitled, len(out)):
                    out[i] = out[i]._replace(title=m.group("title"))
                untitled = len(out)
            continue
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
        out.append(Cited(levels[0] + "".join(f"({x})" for x in levels[1:]), (start, offset + m.end())))
        last = m.end()
    return out


def _continues(levels: list[str], new: list[str], between: str, is_section) -> bool:
    """Is "2(a)(i)" after "38(1)(b), " a subsection of 38 rather than section 2?"""
    return (is_section is not None and len(new) > 1 and re.fullmatch(r"[\s,&]*(?:and)?\s*", between) is not None
            and is_section(levels[0]) and not is_section(new[0]))


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
    defined = vocab.defined_names(ctx)
    named = vocab.act_after(text, cand.end, defined) or vocab.act_before(text, cand.start, defined)
    if named is None:
        start, _ = sentence_bounds(ctx, cand.start)  # within reach: a text without full stops is one "sentence"
        named = vocab.act_in(text, max(start, cand.start - _ACT_REACH), cand.start, defined)
    if named in (None, "ACT", "REGS"):
        if regulation or named == "REGS":
            return "EISR" if default == "FOISA" else "EIR"
        return default
    if named == "EIR" and default == "FOISA":  # Scottish texts shorten their Regulations to "the EIRs" too
        return "EISR"
    return named


def _withheld_for(ctx: Context, cand: Candidate, title: str, vocab: Vocab) -> Stance | None:
    """A provision listed with its title, "33(1)(b) (Commercial interests and the economy)",
    is applied where the text says information was withheld for that reason:
    "withheld other information which it considered to be commercially confidential",
    or withheld "under various exemptions" without naming them."""
    stems = vocab.title_stems(title)
    for start, end in vocab.withholding_sentences(ctx):
        sentence = ctx.text[start:end].lower()
        if vocab.several_exemptions.search(sentence) or any(re.search(rf"\b{re.escape(stem)}", sentence)
                                                             for stem in stems):
            ctx.note(cand.rule.id, CATEGORY, "cue", cand.span, f"withheld for {title!r} at {start}-{end}")
            return Stance("applied", re.sub(r"\s+", " ", ctx.text[start:end]).strip())
    return None


def _same_ground(ctx: Context, found: dict[tuple[str, str], Exemption], uncued: set[tuple[str, str]]) -> None:
    """A section named with no cue is applied where the authority applies the same ground
    under a fuller or a shorter citation: "Factors favouring disclosure for section 31(1)"
    beside "Section 31(1) (a) and (b)" withheld; "Section 27(1) Information is exempt if"
    in the annex of a letter applying "Section 27"."""
    applied = [key for key, item in found.items() if item.stance == "applied"]
    for act, section in uncued:
        item = found[(act, section)]
        ground = next((s for a, s in applied if a == act and (s.startswith(section + "(")
                                                                or section.startswith(s + "("))), None)
        if item.stance == "cited" and item.evidence is None and ground:
            item.stance, item.evidence = "applied", f"applied as {ground}"
            ctx.note(item.rule, CATEGORY, "cue", item.span, f"same ground as {act} {ground} -> stance=applied")


def _keep(found: dict[tuple[str, str], Exemption], item: Exemption, vocab: Vocab) -> None:
    """One item per (act, section): the strongest stance's mention, the rest as mentions."""
    key = (item.act, item.section)
    have = found.get(key)
    if have is None:
        found[key] = item
        return
    if vocab.strength(item.stance) > vocab.strength(have.stance):
        item.mentions, have.mentions = have.mentions, []
        item.mentions.append(have.span)
        item.qualified = item.qualified if item.qualified is not None else have.qualified
        found[key] = item
    else:
        have.mentions.append(item.span)
        have.qualified = have.qualified if have.qualified is not None else item.qualified
