"""Counts: numbers that count something, bound to what they count.

Figures come from two places. Table cells (the tables stage's items): every number
in a cell counts its column header, for the period or party its row label names.
Prose: `rules/counts.yaml` finds numbers in figures and in words and vetoes what is
not a count (money, measures, years, provisions, list numbers ...). A prose number
is bound to the noun phrase after it (its subject), or borrows one: "21 of these"
from the count before it, "(two in X and one in Y)" from the count it breaks down,
a figure on a label line from the "number of X" heading above it.

One item per counted fact: a restatement ("seven (7)", a quoted request, a sentence
repeating a table cell) becomes a mention of the item it restates. A number with
no subject of its own can only restate; if it restates nothing it is dropped.

`count_tables` reads table cells; `count_phrases` reads the words around a number.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Callable

import regex

from pipeline.context import Context
from pipeline.extractors.count_phrases import (
    CATEGORY, SENTENCE_REACH, Headings, Spans, Vocab, looks_like_period, number_value, party_before, read_subject,
    rule_or_none, sentence_bounds, subject_class, vocab_of)
from pipeline.extractors.count_tables import PERIOD_CUE, TABLE_RULE, table_counts
from pipeline.matching import Candidate, TokenMatchers, find_candidates
from pipeline.models import Count
from pipeline.rules import RuleSet, RuleTimeout

__all__ = ["run", "number_value", "vocab_of", "TABLE_RULE"]

MEASURE_CUE = "counts.cue.measure"
NUMBER_OF_CUE = "counts.cue.number_of"
APPROXIMATION_CUE = "counts.cue.approximation"
# tried at one place (after a number, a label's start, before a number), never scanned
ANCHORED_CUES = (PERIOD_CUE, MEASURE_CUE, APPROXIMATION_CUE)
QUALIFIER_REACH = 2  # an approximation ends at most this far from its number ("over 500", "(c. 500")
LAYOUT_FORMS = ("label_value", "label_pair", "attachments")  # figures laid out one to a line: never restatements
LABEL_FORMS = ("label_value", "label_pair")  # a label's figure is for no party
PERIOD_ROLES = (None, "period", "other")  # dates a figure can be for (not when a letter was sent)
PARALLEL_WINDOW = 3000  # statements this close that name different parties count different things

_RESTATED = regex.compile(r"[^\S\n]*\([^\S\n]*(\d[\d,]*)[^\S\n]*\)")  # "seven (7)"
_PARTITIVE_AFTER = regex.compile(r"\s+of\s+(?:these|those|them|which|whom|the)\b", regex.I)
_PARTITIVE_BEFORE = regex.compile(r"\bof\s+(?:these|those|them|which|whom|the)[\s,]*$", regex.I)
_NOUN_OF = regex.compile(r"\b(?P<noun>[A-Za-z]+s)\s+of\s*$")
_DATE_RANGE = regex.compile(r"\s*(?:and|to|-|–|until|till)\s*")
_DEFINITE = regex.compile(r"\b(?:the|these|those|said|each[^\S\n]+of[^\S\n]+the|all[^\S\n]+(?:of[^\S\n]+)?the)\s*(?:c\.[^\S\n]*)?$", regex.I)
_UNIT_GAP = regex.compile(r"\+?[^\S\n]*[-–]?\s*")  # "5+ years", "12-month", "20\nworking days"
_NEXT_WORD = regex.compile(r"\s*([A-Za-z]+)")
_INLINE_LABEL = regex.compile(r"(?:(?<![\w/])([\w/]+)[^\S\n–-]*[–-]?[^\S\n]*){1,4}?[:=][^\S\n]*$")  # "2021: "
_LABEL_EDGE = regex.compile(r"^[\s•*·>|=–-]+|[\s|=–-]+$")  # bullets, bars, dashes around a label
_LOWER_NEXT_LINE = regex.compile(r"(?:[^\S\n]|\|)*\n[^\S\n]*[a-z]")  # the sentence goes on below
_NOT_WORD = regex.compile(r"[^a-z0-9]+")
_QUALIFIER_GAP = regex.compile(r"[\s(]*")  # "over 500", "(c. 500"
_THE_BEFORE = regex.compile(r"(?i)\bthe\W*$")
_WORD_BEFORE = regex.compile(r"([A-Za-z]+)\s*$")
_WORD_AFTER = regex.compile(r"\s+([A-Za-z]+)")
_LETTERS = regex.compile(r"[A-Za-z]+")
_FIGURE = regex.compile(r"(?<![\w/.])\d")
_PERIOD_GAP = regex.compile(r"(?:[^\S\n]|[.|=:–-])")  # what may follow a period label before its figure


# --------------------------------------------------------------------------- facts
def _no_party() -> None:
    return None


@dataclass
class Mention:
    """What folding needs to know of a number in prose to find the fact it restates."""

    value: int
    pos: int
    kind: str | None = None
    party_of: Callable[[], str | None] = _no_party  # the party, read when first asked for
    qualifier: str | None = None
    partitive: bool = False
    definite: bool = False

    @cached_property
    def party(self) -> str | None:
        """Reading the party takes the words of the sentence: only a near-by parallel
        statement of the same value, or a new count, asks for it."""
        return self.party_of()


@dataclass
class Fact:
    """A count being built: the item and what the folding of restatements needs."""

    count: Count
    kind: str | None  # subject class
    layout: bool = False  # a table cell or a label line: never folded into another
    partitive: bool = False  # "two of these requests": a subset with its own predicate
    definite: bool = False  # "the 20 HO requests": points back at a count stated elsewhere

    @property
    def value(self) -> int:
        return self.count.value


@dataclass
class Facts:
    items: list[Fact] = field(default_factory=list)
    prose: list[Fact] = field(default_factory=list)  # in text order
    _prose_starts: list[int] = field(default_factory=list, repr=False)
    by_value: dict[int, list[Fact]] = field(default_factory=dict)

    def add(self, fact: Fact) -> None:
        self.items.append(fact)
        if not fact.layout:
            self.prose.append(fact)
        self.by_value.setdefault(fact.value, []).append(fact)

    def restated(self, m: Mention) -> Fact | None:
        """The fact that mention `m` restates, if any. Near-by statements naming different
        parties are parallel facts ("gives two ... for the Home Office", "gives two ... for
        DWP"); a definite mention ("the 20 HO requests") or a far one points back anyway."""
        same = self.by_value.get(m.value, [])
        layouts = [f for f in same if f.layout]
        for f in same:
            if f.layout:
                if m.kind is None and (m.qualifier is None or m.qualifier in (f.count.qualifier or "")):
                    return f
                if m.kind is not None and m.kind == f.kind and len(layouts) == 1:
                    return f
                continue
            if m.partitive and f.partitive:
                continue
            if m.kind is not None and f.kind is not None and m.kind != f.kind and "any" not in (m.kind, f.kind):
                continue
            parallel = not (m.definite or f.definite) and abs(m.pos - f.count.span[0]) <= PARALLEL_WINDOW
            if parallel and m.party and f.count.party and _norm(m.party) != _norm(f.count.party):
                continue
            return f
        return None

    def tallied(self, kind: str | None, pos: int, window: int) -> bool:
        """Whether prose counts of `kind` stand within `window` characters of `pos`."""
        if len(self._prose_starts) != len(self.prose):
            self._prose_starts = [f.count.span[0] for f in self.prose]
        starts = self._prose_starts
        lo, hi = bisect.bisect_left(starts, pos - window), bisect.bisect_right(starts, pos + window)
        return any(f.value > 0 and f.kind == kind for f in self.prose[lo:hi])

    def previous(self, pos: int, reach: int = 400) -> Fact | None:
        """The nearest prose count with a subject that ends before `pos` (prose facts come
        in text order)."""
        for f in reversed(self.prose):
            end = f.count.span[1]
            if end < pos - reach:
                return None
            if f.count.subject and end <= pos:
                return f
        return None


def _any_within(starts: list[int], lo: int, hi: int) -> bool:
    """Whether sorted `starts` hold one in [lo, hi)."""
    j = bisect.bisect_left(starts, lo)
    return j < len(starts) and starts[j] < hi


def _distance(span: tuple[int, int], pos: int) -> int:
    return max(span[0] - pos, pos - span[1], 0)


def _norm(s: str) -> str:
    return _NOT_WORD.sub(" ", s.lower().replace("the ", " ")).strip()


# --------------------------------------------------------------------------- the stage
def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    if not rules.rules:
        return
    vocab = vocab_of(rules)
    cue_list = scan_cues(ctx, rules)
    headings = Headings(cue_list, NUMBER_OF_CUE)
    facts = Facts()
    for count in table_counts(ctx, rules, vocab, headings):
        facts.add(Fact(count, subject_class(count.subject, vocab), layout=True))
    ProseCounts(ctx, rules, vocab, facts, cue_list, headings, tokens).run()
    ctx.items[CATEGORY].extend(sorted((f.count for f in facts.items), key=lambda c: c.span))


def scan_cues(ctx: Context, rules: RuleSet) -> list[Candidate]:
    """Matches of the cue rules that are read over the whole text. The period label,
    measure and approximation cues are only ever tried at one place (a label's start,
    after a number, before a number), so they are not scanned."""
    out = []
    for rule in rules.by_action("cue"):
        if rule.id in ANCHORED_CUES or rule.compiled is None:
            continue
        try:
            for m in rule.finditer(ctx.text):
                start, end = rule.span_of(m)
                out.append(Candidate(rule, start, end, ctx.text[start:end], m.groupdict(), dict(rule.set), m))
        except RuleTimeout as err:
            ctx.errors.append(str(err))
    return sorted(out, key=lambda c: c.start)


# --------------------------------------------------------------------------- prose
@dataclass
class Reading:
    """What the words around one number in prose say."""

    value: int
    form: str
    end: int  # where the words after the number (and its "(7)", "+", ")") start
    mentions: list[tuple[int, int]] = field(default_factory=list)
    qualifier: str | None = None
    subject: str | None = None
    subject_end: int | None = None  # where the subject's own words end
    how: str | None = None  # "320 accepted": the word after the number says how, not what
    partitive: bool = False  # "two of these requests"
    own: bool = False  # the subject is the number's own following words
    borrowed: bool = False  # "there were 66": the subject of the count before
    period: str | None = None  # "2021: 412, 2022: 389": a period label right before the figure


class ProseCounts:
    """Numbers in running text: find, bind to a subject, fold restatements."""

    def __init__(self, ctx: Context, rules: RuleSet, vocab: Vocab, facts: Facts, cue_list: list[Candidate],
                 headings: Headings, tokens: TokenMatchers | None):
        self.ctx, self.rules, self.vocab, self.facts, self.tokens = ctx, rules, vocab, facts, tokens
        self.text = ctx.text
        self.cue_list, self.headings = cue_list, headings
        self.approx_rule = rule_or_none(rules, APPROXIMATION_CUE)
        self.period_rule = rule_or_none(rules, PERIOD_CUE)
        self.measure_rule = rule_or_none(rules, MEASURE_CUE)
        self.dates = sorted(ctx.items.get("dates", []), key=lambda d: d.span)
        self.date_starts = [d.span[0] for d in self.dates]
        self.taken = Spans(self._taken_spans())
        self._sentences: dict[int, tuple[int, int]] = {}  # a number's sentence, read once

    def _sentence(self, pos: int) -> tuple[int, int]:
        if pos not in self._sentences:
            self._sentences[pos] = sentence_bounds(self.text, pos)
        return self._sentences[pos]

    def _taken_spans(self) -> list[tuple[int, int]]:
        """Text other stages own: dates, references, exemptions, tables and the items of
        field lists ("Address Line 1" names a field, it counts nothing)."""
        spans = [tuple(i.span) for cat in ("dates", "references", "exemptions", "tables")
                 for i in self.ctx.items.get(cat, [])]
        spans += [tuple(sp) for fl in self.ctx.items.get("field_lists", []) for sp in getattr(fl, "item_spans", [])]
        return sorted(spans)

    def run(self) -> None:
        tallies = []
        for cand in find_candidates(self.ctx, self.rules, self.tokens):
            if self.taken.overlaps(cand.start, cand.end):
                self.ctx.note(cand.rule.id, CATEGORY, "dropped", cand.span, f"{cand.text!r} belongs to another stage")
                continue
            if cand.attrs.get("form") == "no_tally":
                tallies.append(cand)
                continue
            self.bind(cand)
        for cand in tallies:
            self.bind_no(cand)

    # ---- binding
    def bind(self, cand: Candidate) -> None:
        r = self.read(cand)
        if r is None:
            return None
        if r.form == "label_value" and not self._good_label(cand, r.qualifier):
            return self._drop(cand, "a line-final number that is not a label's value")
        text = self.text
        period = self._line_period(cand)
        if r.form == "label_value":
            r.subject, period = self._label_subject(cand, None)
        elif r.form == "label_pair":
            period = r.period
        elif period is None:
            period = self._dated_period(cand)
        kind = subject_class(r.subject, self.vocab)
        definite = bool(_DEFINITE.search(text, max(0, cand.start - 30), cand.start))
        layout = r.form in LAYOUT_FORMS
        party_of = _no_party if r.form in LABEL_FORMS else partial(self._party, cand.start)
        mention = Mention(r.value, cand.start, None if r.borrowed else kind, party_of, r.how, r.partitive, definite)
        fact = None if layout else self.facts.restated(mention)
        if fact is not None:
            fact.count.mentions.append(cand.span)
            fact.count.mentions.extend(r.mentions)
            self.ctx.note(cand.rule.id, CATEGORY, "cue", cand.span, f"restates {fact.count.text!r} at {fact.count.span[0]}")
            return None
        if r.subject is None and r.how is not None:
            r.subject = self._heading(cand.start)  # "2021/22 320 accepted, 692 repudiated"
            if r.subject is None and period is None:
                return self._drop(cand, f"{r.how!r} says how, not what it counts")
        elif r.subject is None and not layout:
            return self._drop(cand, "no subject of its own and nothing it restates")
        count = Count(text=cand.text, span=cand.span, rule=cand.rule.id, value=r.value, subject=r.subject,
                      qualifier=r.how or r.qualifier, period=period, party=mention.party, mentions=r.mentions)
        self.facts.add(Fact(count, kind, layout=layout, partitive=r.partitive, definite=definite))
        return None

    def read(self, cand: Candidate) -> Reading | None:
        """The words around a number: its restatement "(7)", qualifier and subject."""
        value = number_value(cand.text, self.vocab)
        if value is None:
            return None
        text = self.text
        r = Reading(value, cand.attrs.get("form") or "digits", cand.end)
        restated = _RESTATED.match(text, r.end)
        if restated and number_value(restated.group(1), self.vocab) == value:
            r.mentions.append(restated.span(1))
            r.end = restated.end()
        r.qualifier = self._qualifier(cand, r.end)
        if text.startswith("+", r.end):
            r.end += 1
        if text.startswith(")", r.end) and text[max(0, cand.start - 3):cand.start].endswith(("(c.", "(", "(c. ")):
            r.end += 1  # "(c.500) live DfE third party data shares"
        scale = _NEXT_WORD.match(text, r.end)
        if scale and scale.group(1).lower() in self.vocab.scales and cand.attrs.get("form") == "digits":
            r.value *= self.vocab.scales[scale.group(1).lower()]  # "2 million people"
            r.end = scale.end()
        unit = self._measure_after(cand, r.end)
        if unit is not None:
            return self._drop(cand, f"a measure ({unit!r}), not a count")
        self._subject(cand, r)
        rate = _NEXT_WORD.match(text, r.subject_end or r.end)
        if rate and rate.group(1).lower() in self.vocab.rate_words:
            return self._drop(cand, f"a rate ({rate.group(1)!r}), not a tally")
        if r.form == "label_value" and r.own:
            r.form = "digits"  # a wrapped sentence: "on 25\noccasions"
        return r

    def _measure_after(self, cand: Candidate, end: int) -> str | None:
        """The unit right after a number ("20 working days", "12-month", "ten (10) days"), if any."""
        if self.measure_rule is None:
            return None
        gap = _UNIT_GAP.match(self.text, end)
        m = self.measure_rule.compiled.match(self.text, gap.end())
        if m is None:
            return None
        self.ctx.note(self.measure_rule.id, CATEGORY, "cue", cand.span, f"measure={m.group()!r}")
        return m.group()

    def _drop(self, cand: Candidate, why: str) -> None:
        self.ctx.note(cand.rule.id, CATEGORY, "dropped", cand.span, f"{cand.text!r}: {why}")

    def _says_how(self, words: str) -> bool:
        """"320 accepted", "5 succeeded", "1 urgent": a word that says how, not what, is counted."""
        return " " not in words and words.islower() and (words.endswith("ed") or words in self.vocab.qualifier_words)

    def _qualifier(self, cand: Candidate, end: int) -> str | None:
        qualifier = None
        cue = self._approximation(cand.start)
        if cue is not None:
            gap = self.text[cue[1]:cand.start]
            if len(gap) <= QUALIFIER_REACH and _QUALIFIER_GAP.fullmatch(gap):
                qualifier = " ".join(self.text[cue[0]:cue[1]].split())
                self.ctx.note(self.approx_rule.id, CATEGORY, "cue", cand.span, f"qualifier={qualifier}")
        if self.text.startswith("+", end):
            qualifier = "+"
        return qualifier

    def _approximation(self, pos: int) -> tuple[int, int] | None:
        """The span of the last approximation ("over", "c.") ending at most QUALIFIER_REACH
        characters after `pos`, if it ends at most that far before it (one further back is
        too far to count). The cue's regex takes one digit and reads the words in a
        look-behind, so a scan lists a cue at each digit where the look-behind holds, in
        the order of their ends: a cue ending near `pos` has its digit right after the
        gap that follows its end, so scanning from `pos - QUALIFIER_REACH` to the digit
        after the gap at `pos + QUALIFIER_REACH` finds all that can matter."""
        rule, text = self.approx_rule, self.text
        if rule is None or rule.compiled is None:
            return None
        last_digit = _QUALIFIER_GAP.match(text, min(len(text), pos + QUALIFIER_REACH)).end()
        found = None
        try:
            for m in rule.finditer(text, max(0, pos - QUALIFIER_REACH), min(len(text), last_digit + 1)):
                span = rule.span_of(m)
                if abs(span[1] - pos) <= QUALIFIER_REACH and (found is None or span[1] > found[1]):
                    found = span
        except RuleTimeout as err:  # as a scan of the text would: noted once, and the cue is not read again
            self.ctx.errors.append(str(err))
            self.approx_rule = None
        return found

    def _subject(self, cand: Candidate, r: Reading) -> None:
        """Fill in what the number counts: the noun phrase after it ("21 of these requests"),
        or, failing that, one it borrows."""
        text, end = self.text, r.end
        if r.form == "attachments":
            word = _NEXT_WORD.match(text, end)
            r.subject, r.own = (word.group(1) if word else "Attachments"), True
            return
        if r.form == "compound":
            r.subject, r.own = (cand.match.group("noun") if cand.match is not None else None), True
            return
        partitive = _PARTITIVE_AFTER.match(text, end)
        if partitive:
            r.partitive = True
            span = read_subject(text, partitive.end(), self.vocab)
            if span:
                r.subject, r.subject_end, r.own = text[span[0]:span[1]], span[1], True
            else:
                prev = self.facts.previous(cand.start)
                r.subject = prev.count.subject if prev else None
            return
        line_start = not text[text.rfind("\n", 0, cand.start) + 1:cand.start].strip()
        span = read_subject(text, end, self.vocab, allow_no=line_start)
        if span and span[0] - end <= 3:
            words = text[span[0]:span[1]]
            if not self._says_how(words):
                r.subject, r.subject_end, r.own = words, span[1], True
                return
            r.how = words  # and borrow the subject below
        self._borrow_subject(cand, r)

    def _borrow_subject(self, cand: Candidate, r: Reading) -> None:
        """A subject for a number with none of its own: "of these 348", "copies of eight (8)",
        "2021: 412" under a heading, "(two in X and one in Y)", "the number of X was N",
        "there were 66"."""
        text = self.text
        before = text[max(0, cand.start - 40):cand.start]
        if _PARTITIVE_BEFORE.search(before):  # "of these 348 had died", "(Of the 61 there were)"
            prev = self.facts.previous(cand.start)
            if prev is not None and (prev.value == r.value or not _THE_BEFORE.search(before)):
                r.subject, r.partitive = prev.count.subject, prev.value != r.value
                return
        noun = _NOUN_OF.search(before)
        if noun and noun.group("noun").lower() not in self.vocab.stop:
            r.subject = noun.group("noun")  # "copies of eight (8) in total"
            return
        r.period = self._inline_period(cand) if r.form != "label_value" else None
        if r.period is not None:  # "2021: 412, 2022: 389" under "How many officers were assaulted?"
            r.form, r.subject = "label_pair", self._heading(cand.start)
            return
        r.subject = self._breakdown_subject(cand) or self._sentence_number_of(cand)
        if r.subject is None:
            r.subject = self._elliptic_subject(cand, r.end)
            r.borrowed = r.subject is not None

    def _inline_period(self, cand: Candidate) -> str | None:
        """A period label and a colon right before the figure, in the same line."""
        line_start = self.text.rfind("\n", 0, cand.start) + 1
        lo = max(line_start, cand.start - 40)
        if self.text.find(":", lo, cand.start) < 0 and self.text.find("=", lo, cand.start) < 0:
            return None  # no colon or "=" for a label to end with
        m = _INLINE_LABEL.search(self.text, lo, cand.start)
        if m is None:
            return None
        for label in (self.text[start:m.ends(1)[-1]] for start in m.starts(1)):
            if looks_like_period(self.period_rule, label):  # the longest period label before the colon
                self.ctx.note(self.period_rule.id, CATEGORY, "cue", cand.span, f"period={label}")
                return label
        return None

    def _sentence_number_of(self, cand: Candidate) -> str | None:
        """"The total number of FOI requests received in 2019 was 1,234": the subject
        named earlier in the figure's own sentence."""
        if not _any_within(self.headings.starts, cand.start - SENTENCE_REACH, cand.start):
            return None  # no heading in reach of the sentence: no need to find where it starts
        s_start, _ = self._sentence(cand.start)
        return self.headings.subject_before(self.ctx, self.vocab, cand.start, since=s_start)

    def _breakdown_subject(self, cand: Candidate) -> str | None:
        """(two in the DSAP worksheet and one in the pre DSAP shares): the count it breaks down."""
        text = self.text
        open_at = text.rfind("(", max(0, cand.start - 200), cand.start)
        if open_at < 0 or ")" in text[open_at:cand.start]:
            return None
        for f in reversed(self.facts.prose):
            if open_at - f.count.span[1] > 80:
                break
            if f.count.subject and 0 <= open_at - f.count.span[1]:
                gap = text[f.count.span[1]:open_at]
                if f.count.subject in gap and len(gap.strip()) <= len(f.count.subject) + 2:
                    return f.count.subject
        return None

    def _elliptic_subject(self, cand: Candidate, end: int) -> str | None:
        """"in May 2022 there were 66", "compared to 94", "a total of 477 were recorded": a
        figure that leaves its subject to the count before it in the same paragraph."""
        if cand.attrs.get("form") != "digits":
            return None
        text = self.text
        before = _WORD_BEFORE.search(text[max(0, cand.start - 24):cand.start])
        after = _WORD_AFTER.match(text[end:end + 24])
        if not ((before and before.group(1).lower() in self.vocab.elliptic_before)
                or (after and after.group(1).lower() in self.vocab.elliptic_after)):
            return None
        paragraph = text.rfind("\n\n", 0, cand.start) + 2
        prev = self.facts.previous(cand.start, reach=min(250, cand.start - paragraph))
        return prev.count.subject if prev is not None else None

    def _label_of(self, cand: Candidate) -> str:
        """The words before a line-final number: "2021/22", "Number of records received from DfE"."""
        line_start = self.text.rfind("\n", 0, cand.start) + 1
        return _LABEL_EDGE.sub("", self.text[line_start:cand.start])

    def _good_label(self, cand: Candidate, qualifier: str | None = None) -> bool:
        """A label line, not a wrapped sentence that happens to end in a number."""
        line_start = self.text.rfind("\n", 0, cand.start) + 1
        label = self.text[line_start:cand.start].strip().strip("|=").strip()
        if qualifier and label.endswith(qualifier):
            label = label[:-len(qualifier)].rstrip()  # "How many beds does your Trust have? Approx. 600"
        if self.measure_rule is not None and self.measure_rule.compiled.match(label):
            self.ctx.note(self.measure_rule.id, CATEGORY, "cue", cand.span, f"{label!r} names a measure")
            return False  # "Days taken to respond: 27"
        if label.endswith(("?", ":")):
            return True  # a question and its answer
        if label.endswith("-") and not label.endswith(" -"):
            return False  # "by Tele- 1": a word broken at the end of a line
        last = _LETTERS.findall(label)[-1:] or [""]
        bare = _LABEL_EDGE.sub("", label)
        period = self.period_rule.compiled.match(label) if self.period_rule is not None else None
        whole_period = period is not None and not label[period.end():].strip()  # "27 April - 3 May"
        if (last[0].lower() in self.vocab.stop and not whole_period
                and not (bare[:1].isupper() and len(bare.split()) == 1)):
            return False  # "... within the" ends a wrapped sentence; "- Total - 1,137" is a row label
        if _FIGURE.search(label[period.end():] if period else label):
            return False  # "Quarter 1 (April-June) 536 18 518 21 24": a row of figures, not a label
        return _LOWER_NEXT_LINE.match(self.text, cand.end) is None

    def _label_subject(self, cand: Candidate, subject: str | None) -> tuple[str | None, str | None]:
        """A label line's subject and period: a period label takes its subject from the
        heading above; "How many requests did we receive ...? 22" from its own words."""
        label = self._label_of(cand).strip(":")
        if looks_like_period(self.period_rule, label):
            return subject or self._heading(cand.start), label
        inline = self._inline_period(cand)  # "Q1 - 2021: 412, 2022: 389"
        if inline is not None:
            return subject or self._heading(cand.start), inline
        label_start = self.text.rfind("\n", 0, cand.start) + 1
        own = self.headings.subject_before(self.ctx, self.vocab, cand.start, since=label_start)
        return subject or own or label or self._heading(cand.start), None

    def _heading(self, pos: int) -> str | None:
        return self.headings.subject_before(self.ctx, self.vocab, pos)

    def _party(self, pos: int) -> str | None:
        s_start, _ = self._sentence(pos)
        return party_before(self.text, s_start, pos, self.vocab, self.taken.overlapping(s_start, pos))

    def _line_period(self, cand: Candidate) -> str | None:
        """The period label opening a count's line, if any ("2021/22 320 accepted")."""
        text = self.text
        line_start = text.rfind("\n", 0, cand.start) + 1
        if self.period_rule is not None and cand.start - line_start <= 30:
            m = self.period_rule.compiled.match(text, line_start, cand.start)
            if m and m.end() > line_start and _PERIOD_GAP.match(text[m.end():cand.start] or "\n"):
                self.ctx.note(self.period_rule.id, CATEGORY, "cue", cand.span, f"period={m.group()}")
                return m.group().strip()
        return None

    def _dated_period(self, cand: Candidate) -> str | None:
        """The period of a prose count with no period label opening its line: the date range
        ("between July 2015 and September 2016") or date nearest it in its sentence."""
        text = self.text
        if not _any_within(self.date_starts, cand.start - SENTENCE_REACH, cand.start + SENTENCE_REACH):
            return None  # no date in reach of the sentence: no need to find its bounds
        s_start, s_end = self._sentence(cand.start)
        j = bisect.bisect_left(self.date_starts, s_start)
        dates = []
        while j < len(self.dates) and self.dates[j].span[0] < s_end:
            d = self.dates[j]
            if d.span[1] <= s_end and d.role in PERIOD_ROLES:
                dates.append(d)
            j += 1
        if not dates:
            return None
        spans = [(d.span, d.text) for d in dates]
        spans += [((a.span[0], b.span[1]), f"{a.text} - {b.text}") for a, b in zip(dates, dates[1:])
                  if _DATE_RANGE.fullmatch(text, a.span[1], b.span[0])]
        return min(spans, key=lambda sp: (_distance(sp[0], cand.start), -(sp[0][1] - sp[0][0])))[1]

    # ---- "no X" in a tally
    def bind_no(self, cand: Candidate) -> None:
        span = read_subject(self.text, cand.end, self.vocab)
        if span is None:
            return
        subject = self.text[span[0]:span[1]]
        kind = subject_class(subject, self.vocab)
        if not self.facts.tallied(kind, cand.start, self.vocab.tally_window):
            return self._drop(cand, f"'no {subject}' answers no tally")
        mention = Mention(0, cand.start, kind, partial(self._party, cand.start))
        fact = self.facts.restated(mention)
        if fact is not None:
            fact.count.mentions.append(cand.span)
            return None
        count = Count(text=cand.text, span=cand.span, rule=cand.rule.id, value=0, subject=subject, party=mention.party)
        self.facts.add(Fact(count, kind))
        return None
