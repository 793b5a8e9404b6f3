"""Reading the words around a number: number words, the noun phrase a number counts,
the sentence and the party it stands in, the "number of X" heading above it.

Mechanisms only: the word lists come from the `vocab` of `rules/counts.yaml`.
"""
from __future__ import annotations

import bisect
import itertools
from collections import deque
from dataclasses import dataclass

import regex

from pipeline.context import Context
from pipeline.matching import Candidate
from pipeline.rules import RuleSet

CATEGORY = "counts"
_TOKEN = regex.compile(
    r"[A-Za-z][A-Za-z'’]*(?:[-/&.][A-Za-z]+)*(?:\([A-Za-z]+\)[A-Za-z]*)?"  # word, FOI(S)A, and/or
    r"|\([A-Z][A-Za-z]{1,12}\)"  # an acronym in brackets after a name: (DWP)
    r"|\n[^\S\n]*(?=\n)|\n|[^\sA-Za-z]")
_SENTENCE_END = regex.compile(
    r"(?<!\bNo|\bc|\be\.g|\bi\.e|\bNos)[.!?][\"”’)]?(?=\s)"  # a full stop
    r"|\n[^\S\n]*\n|\n(?=[^\S\n]*(?:[•*·-]|\(?\w{1,3}[.)])[^\S\n])"  # a blank line, a bullet
    r"|(?m:(?<=^[^\n]{0,59})\n)")  # the end of a short line: not wrapped prose
_WORD = regex.compile(r"[A-Za-z][A-Za-z'’]*")
_SPACES = regex.compile(r"\s+")
_WORD_SEPARATOR = regex.compile(r"[\s-]+")
_WRAPPED_LINE = 60  # lines at least this long are wrapped prose: a phrase may go on below
SENTENCE_REACH = 400  # a sentence is read at most this far either side of a number


# --------------------------------------------------------------------------- vocabulary
@dataclass(frozen=True)
class Vocab:
    """The word lists of `rules/counts.yaml`, in the shapes the extractor uses."""

    numbers: dict
    scales: dict
    stop: frozenset
    plural: frozenset
    singular_of: dict
    classes: dict
    qualifier_words: frozenset
    money_words: frozenset
    percent_words: frozenset
    party_stop: frozenset
    connectors: frozenset
    tally_window: int
    elliptic_before: frozenset
    elliptic_after: frozenset
    rate_words: frozenset
    ing_nouns: frozenset
    openers: frozenset

    @classmethod
    def of(cls, rules: RuleSet) -> "Vocab":
        v = rules.vocab
        low = lambda key: frozenset(str(w).lower() for w in v.get(key, []))  # noqa: E731
        return cls(
            numbers={str(k).lower(): int(n) for k, n in v.get("number_words", {}).items()},
            scales={str(k).lower(): int(n) for k, n in v.get("number_scales", {}).items()},
            stop=low("subject_stopwords"), plural=low("plural_nouns"),
            singular_of={str(k).lower(): str(s).lower() for k, s in v.get("singular_of", {}).items()},
            classes={str(k).lower(): str(c) for k, c in v.get("subject_classes", {}).items()},
            qualifier_words=low("qualifier_words"), money_words=low("money_header_words"),
            percent_words=low("percent_header_words"),
            party_stop=frozenset(str(w) for w in v.get("party_stopwords", [])),
            connectors=low("party_connectors"),
            tally_window=int((v.get("tally_window_chars") or [800])[0]),
            elliptic_before=low("elliptic_before"), elliptic_after=low("elliptic_after"),
            rate_words=low("rate_words"),
            ing_nouns=low("ing_nouns"), openers=low("subject_openers"),
        )


def vocab_of(rules: RuleSet) -> Vocab:
    """The rule set's Vocab, built once (every document reads it)."""
    return rules.derived(Vocab.of)


# --------------------------------------------------------------------------- numbers and words
def number_value(text: str, vocab: Vocab) -> int | None:
    """2,462 -> 2462; "twenty-one" -> 21; "one hundred and five" -> 105; "a dozen" -> 12."""
    digits = text.replace(",", "")
    if digits.isdigit():
        return int(digits)
    words = _WORD_SEPARATOR.split(text.lower().strip())
    if " ".join(words) in vocab.numbers:  # "half a dozen"
        return vocab.numbers[" ".join(words)]
    total, current, seen = 0, 0, False
    for word in words:
        if word in ("and", "a", ""):
            continue
        if word in vocab.scales:
            scale = vocab.scales[word]
            if scale >= 1000:
                total, current = (total + max(current, 1)) * scale, 0
            else:
                current = max(current, 1) * scale
        elif word in vocab.numbers:
            current += vocab.numbers[word]
        else:
            return None
        seen = True
    return total + current if seen else None


def singular(word: str, vocab: Vocab) -> str:
    w = word.lower().strip("'’")
    if w in vocab.singular_of:
        return vocab.singular_of[w]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def is_plural(word: str, vocab: Vocab) -> bool:
    w = word.lower().strip("'’")
    if w in vocab.plural:
        return True
    return len(w) > 2 and w.endswith("s") and not w.endswith(("ss", "us", "is")) and w not in vocab.stop


def subject_class(subject: str | None, vocab: Vocab) -> str | None:
    """What a subject counts, for telling restatements apart: its head noun, by class."""
    if not subject:
        return None
    words = _WORD.findall(subject)
    if not words:
        return None
    head = singular(words[-1], vocab)
    return vocab.classes.get(head, head)


# --------------------------------------------------------------------------- reading the text
class _Tokens:
    """The tokens in the 200 characters after a position, read only as far as they are
    looked at (a phrase mostly ends within a few words)."""

    def __init__(self, text: str, pos: int, limit: int = 200):
        self._next = _TOKEN.finditer(text, pos, min(len(text), pos + limit))
        self._read: list = []

    def has(self, i: int) -> bool:
        while len(self._read) <= i:
            m = next(self._next, None)
            if m is None:
                return False
            self._read.append(m)
        return True

    def __getitem__(self, i: int):
        return self._read[i]


def _line_len(text: str, pos: int) -> int:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return (end if end >= 0 else len(text)) - start


def read_subject(text: str, pos: int, vocab: Vocab, *, allow_no: bool = False) -> tuple[int, int] | None:
    """The span of the noun phrase that starts at `pos`: words up to a stopword, a mark,
    or the end of its plural head ("active data sharing agreements", "human rights
    organisations", "Freedom of Information Act (FOIA) requests")."""
    toks = _Tokens(text, pos)
    words: list = []
    plural_seen = False
    i = 0
    while len(words) < 8 and toks.has(i):
        m = toks[i]
        tok = m.group()
        if tok == "\n":  # a wrapped sentence goes on in lower case on the next line
            if _line_len(text, m.start()) >= _WRAPPED_LINE and toks.has(i + 1) and toks[i + 1].group()[0].islower():
                i += 1
                continue
            break
        if tok.startswith("(") and len(tok) > 2 and words and words[-1].group()[0].isupper():
            words.append(m)  # "Department for Work and Pensions (DWP)"
            i += 1
            continue
        if not tok[0].isalpha():
            break
        low = tok.lower()
        if not words and low in vocab.openers and toks.has(i + 1) and toks[i + 1].group()[0].isalpha():
            words.append(m)  # "three other properties": the noun phrase goes on past "other"
            i += 1
            continue
        if (low in vocab.connectors and words and words[-1].group()[0].isupper()
                and toks.has(i + 1) and toks[i + 1].group()[0].isupper()):
            words.append(m)  # "Freedom of Information"
            i += 1
            continue
        if low in vocab.stop and not (allow_no and low == "no" and not words):
            break
        if plural_seen and not is_plural(low, vocab):
            break
        if all(w.group().lower() in vocab.openers for w in words) and low.endswith("ing") \
                and low not in vocab.ing_nouns:
            break
        words.append(m)
        plural_seen = plural_seen or is_plural(low, vocab)
        i += 1
    while words and words[-1].group().lower() in vocab.connectors:
        words.pop()
    if not words:
        return None
    return words[0].start(), words[-1].end()


def sentence_bounds(text: str, pos: int, reach: int = SENTENCE_REACH) -> tuple[int, int]:
    lo = max(0, pos - reach)
    last = deque(_SENTENCE_END.finditer(text, lo, pos), maxlen=1)  # the last end before pos
    m = _SENTENCE_END.search(text, pos, min(len(text), pos + reach))
    return (last[0].end() if last else lo), (m.start() if m else min(len(text), pos + reach))


def party_before(text: str, start: int, pos: int, vocab: Vocab, skip: list[tuple[int, int]]) -> str | None:
    """The party a count in text[start:pos] is for: the first capitalised name ("the Home
    Office / UKVI", "Ministry of Justice (MoJ)") of the nearest clause before the number
    that names one, as a clause's first name is mostly its subject ("the Home Office has
    made requests of DfE data on 25 occasions"). Leaves out the word that opens the
    sentence and dates (`skip`)."""
    lo = max(start, pos - 200)
    names: list[tuple[int, list]] = []  # (clause number, tokens of a name)
    clause, run, first = 0, [], lo == start
    toks = list(_TOKEN.finditer(text, lo, pos))
    for j, m in enumerate(toks):
        tok = m.group()
        if not run and "a" <= tok[0] <= "z":  # most words: only the clause count can change
            first = False
            if tok.lower() in ("that", "which"):
                clause += 1
            continue
        capital = (tok[0].isupper() and tok not in vocab.party_stop and not (first and tok[0].isalpha())
                   and not any(s <= m.start() < e for s, e in skip))
        if tok[0].isalpha():
            first = False
        if capital or (tok.startswith("(") and run):
            run.append(m)
            continue
        if run and tok.lower() in vocab.connectors and j + 1 < len(toks) and toks[j + 1].group()[0].isupper():
            run.append(m)
            continue
        if tok == "\n" and run:
            continue
        if run:
            names.append((clause, run))
            run = []
        if tok in ",;:" or tok.lower() in ("that", "which"):
            clause += 1
        elif tok in ".!?":
            first = True
    if run:
        names.append((clause, run))
    if not names:
        return None
    last_clause = names[-1][0]
    best = next(run for c, run in names if c == last_clause)
    while best and best[-1].group().lower() in vocab.connectors:
        best.pop()
    return _SPACES.sub(" ", text[best[0].start():best[-1].end()]) if best else None


def rule_or_none(rules: RuleSet, rule_id: str):
    """A rule of the file by id, or None when a rules directory leaves it out."""
    try:
        return rules.get(rule_id)
    except KeyError:
        return None


class Spans:
    """Spans of text (sorted, with a running maximum end) asked by bisection which of
    them meet a stretch of text: a long document's many numbers stay cheap."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.reach = list(itertools.accumulate((e for _, e in self.spans), max))

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        out = []
        j = bisect.bisect_left(self.starts, end) - 1
        while j >= 0 and self.reach[j] > start:  # no span before j reaches `start`
            if self.spans[j][1] > start:
                out.append(self.spans[j])
            j -= 1
        return out

    def overlaps(self, start: int, end: int) -> bool:
        j = bisect.bisect_left(self.starts, end) - 1
        while j >= 0 and self.reach[j] > start:
            if self.spans[j][1] > start:
                return True
            j -= 1
        return False


class Headings:
    """The "number of X" / "how many X" cues of a document, for the subject of the
    figures below them."""

    def __init__(self, cue_list: list[Candidate], rule_id: str):
        self.cues = [c for c in cue_list if c.rule.id == rule_id and c.match is not None]
        self.starts = [c.start for c in self.cues]
        self._subjects: dict[int, tuple[int, int] | None] = {}  # a heading's subject, read once

    def _subject_of(self, j: int, text: str, vocab: Vocab) -> tuple[int, int] | None:
        if j not in self._subjects:
            self._subjects[j] = read_subject(text, self.cues[j].match.start("subject"), vocab)
        return self._subjects[j]

    def subject_before(self, ctx: Context, vocab: Vocab, pos: int, since: int | None = None) -> str | None:
        """The subject of the nearest heading before `pos` (within its rule's window, and
        not before `since`) that names one ("how many were rejected" names none)."""
        hi = bisect.bisect_left(self.starts, pos)
        for j in range(hi - 1, max(-1, hi - 21), -1):
            cue = self.cues[j]
            if pos - cue.start > cue.rule.window or (since is not None and cue.start < since):
                break
            s = self._subject_of(j, ctx.text, vocab)
            if s is not None:
                ctx.note(cue.rule.id, CATEGORY, "cue", (pos, pos), f"subject from {cue.text[:40]!r}")
                return ctx.text[s[0]:s[1]]
        return None


def looks_like_period(period_rule, label: str | None, span: tuple[int, int] | None = None,
                      dates: Spans | None = None) -> bool:
    """A label naming a period: a date the dates stage found in it, or the period label cue."""
    if not label:
        return False
    if span is not None and dates is not None and dates.overlaps(*span):
        return True
    if period_rule is None:
        return False
    m = period_rule.compiled.match(label.strip())
    return m is not None and m.end() == len(label.strip())


