"""What the exemptions extractor reads around a mention: the vocabulary of
`rules/exemptions.yaml` (Act names, which sections are exemptions), sentences, the
requester's own words, and the Act a document is written under.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from pipeline.context import Context
from pipeline.rules import RuleSet

# A sentence ends at . ! ? before a capital (not "s. 12" or "No. 10"), at a blank
# line, before a bullet or numbered line, or after a "label: 16" line of figures.
_SENTENCE_END = re.compile(r"[.!?][\"”’')]*\s+(?=[\"“‘'(]?[A-Z•])|\n[ \t\u00a0]*\n"
                           r"|\n(?=[ \t]*(?:[-•*▪]|\d{1,2}[.)]|\([a-z\d]{1,3}\))[ \t])|:[ \t]*\d[\d,]*[ \t]*\n")
_DEAR = re.compile(r"(?m)^[ \t]*Dear\s")
_CELL_SPLIT = re.compile(r"\||\t")
_TABLE_BLOCK = re.compile(r"(?m)^[^\n|\t]*[|\t][^\n]*(?:\n[^\n|\t]*[|\t][^\n]*)*")  # a run of lines with | or tabs
_LINE = re.compile(r"[^\n]+")


def sentence_bounds(ctx: Context, offset: int) -> tuple[int, int]:
    """[start, end) of the sentence holding `offset` (boundaries computed once per document)."""
    ends = getattr(ctx, "_sentence_ends", None)
    if ends is None:
        ends = [m.end() for m in _SENTENCE_END.finditer(ctx.text)]
        ctx._sentence_ends = ends  # a cache on the context, not data
    i = bisect.bisect_right(ends, offset)
    start = ends[i - 1] if i > 0 else 0
    end = ends[i] if i < len(ends) else len(ctx.text)
    return start, end


@dataclass
class Vocab:
    """The exemptions rule file's `vocab`, compiled once per rule set."""

    act_names: list[tuple[re.Pattern, str]]
    after: re.Pattern
    before: re.Pattern
    scottish: tuple[str, ...]
    uk: tuple[str, ...]
    exemptions: dict[str, set[int]]
    strengths: dict[str, int]
    salutation: re.Pattern
    sign_off: re.Pattern
    table_header: re.Pattern
    withholding: re.Pattern
    several_exemptions: re.Pattern
    title_stopwords: frozenset[str]
    defining: list[tuple[re.Pattern, str]] = field(repr=False, default_factory=list)
    _acts_any: re.Pattern = field(repr=False, default=None)

    @classmethod
    def of(cls, rules: RuleSet) -> "Vocab":
        """The rule set's Vocab, built once (every document reads it)."""
        return rules.derived(cls._from_rules)

    @classmethod
    def _from_rules(cls, rules: RuleSet) -> "Vocab":
        return cls._compile(rules.vocab)

    @classmethod
    def _compile(cls, v: dict) -> "Vocab":
        names = [(re.compile(rf"(?:{pattern})\b"), code) for pattern, code in v["acts"].items()]
        alternation = "|".join(f"(?:{p})" for p in v["acts"])
        proper = "|".join(f"(?:{p})" for p, code in v["acts"].items() if code not in ("ACT", "REGS", "DPA"))
        link = r"\s*,?\s*(?:(?:of|in|under)\s+(?:the\s+|this\s+|that\s+|its\s+|our\s+|your\s+|their\s+)?)?"
        return cls(
            act_names=names,
            after=re.compile(rf"{link}(?P<name>{alternation})\b"),
            before=re.compile(rf"(?P<name>{alternation})\s*(?:\([A-Za-z() ]{{2,12}}\))?\s*[,:]?\s*(?:under\s+)?$"),
            scottish=tuple(v["scottish_markers"]),
            uk=tuple(v["uk_markers"]),
            exemptions={act: _numbers(spec) for act, spec in v["exemption_sections"].items()},
            strengths={k: int(n) for k, n in v["strength"].items()},
            salutation=re.compile(v["requester_salutation"]),
            sign_off=re.compile(v["sign_off"]),
            table_header=re.compile(v["table_header"]),
            withholding=re.compile(v["withholding"]),
            several_exemptions=re.compile(v["several_exemptions"]),
            title_stopwords=frozenset(w.lower() for w in v["title_stopwords"]),
            defining=[(re.compile(rf"(?:{p})\s*\((?:the\s+)?(?P<short>[A-Za-z()]{{2,12}})\)"), code)
                      for p, code in v["acts"].items() if code not in ("ACT", "REGS")],
            _acts_any=re.compile(rf"\b(?:{proper})\b"),
        )

    # ---- acts
    def code(self, name: str, defined: dict[str, str] | None = None) -> str:
        if defined and name.rstrip("s") in defined:
            return defined[name.rstrip("s")]
        return next((code for pattern, code in self.act_names if pattern.fullmatch(name)), "ACT")

    def defined_names(self, ctx: Context) -> dict[str, str]:
        """Short names a text gives an instrument where they would otherwise mean another:
        "Environmental Information (Scotland) Regulations 2004 (the EIRs)" makes "EIRs" the
        Scottish Regulations in that text (once per document)."""
        defined = getattr(ctx, "_act_short_names", None)
        if defined is None:
            defined = {}
            for pattern, code in self.defining:
                for m in pattern.finditer(ctx.text):
                    short = m.group("short")
                    if self.code(short) not in ("ACT", "REGS", code):
                        defined.setdefault(short.rstrip("s"), code)
            ctx._act_short_names = defined  # a cache on the context, not data
        return defined

    def act_after(self, text: str, end: int, defined: dict[str, str] | None = None) -> str | None:
        """The Act named right after a list ("... of the Freedom of Information Act 2000")."""
        m = self.after.match(text, end, end + 160)
        return self.code(m.group("name"), defined) if m else None

    def act_before(self, text: str, start: int, defined: dict[str, str] | None = None) -> str | None:
        m = self.before.search(text[max(0, start - 120):start])
        return self.code(m.group("name"), defined) if m else None

    def act_in(self, text: str, start: int, end: int, defined: dict[str, str] | None = None) -> str | None:
        """The last Act named by its proper name in text[start:end]."""
        last = None
        for m in self._acts_any.finditer(text, start, end):
            last = m
        return self.code(last.group(0), defined) if last else None

    # ---- sections
    def is_exemption(self, act: str, section: str) -> bool:
        number = int(re.match(r"\d+", section).group(0))
        return number in self.exemptions.get(act, set())

    def strength(self, stance: str) -> int:
        return self.strengths.get(stance, 0)

    # ---- provisions withheld for the reason their title names
    def title_stems(self, title: str) -> list[str]:
        """Stems of a title's telling words: "Commercial interests and the economy" -> commerc, economy."""
        words = re.findall(r"[A-Za-z]{5,}", title)
        return [w.lower()[:7] for w in words if w.lower() not in self.title_stopwords]

    def withholding_sentences(self, ctx: Context) -> list[tuple[int, int]]:
        """Sentences saying information was withheld (once per document)."""
        found = getattr(ctx, "_withholding_sentences", None)
        if found is None:
            found = sorted({sentence_bounds(ctx, m.start()) for m in self.withholding.finditer(ctx.text)})
            ctx._withholding_sentences = found  # a cache on the context, not data
        return found

    # ---- tables whose row labels are sections
    def table_labels(self, ctx: Context) -> set[int]:
        """Offsets of row-label cells in tables headed by an exemption column (once per document).

        Rows are lines of cells split by | or tabs; a table flattened to one cell per
        line is read in cycles of its header's width.
        """
        labels = getattr(ctx, "_exemption_table_labels", None)
        if labels is None:
            labels = set()
            for block in _TABLE_BLOCK.finditer(ctx.text):
                labels.update(self._labels_in(ctx.text, block.start(), block.end()))
            ctx._exemption_table_labels = labels  # a cache on the context, not data
        return labels

    def _labels_in(self, text: str, start: int, end: int) -> list[int]:
        rows = [_cells(text, line.start(), line.end()) for line in _LINE.finditer(text, start, end)]
        rows = [r for r in rows if r and not all(set(c) <= set("-: ") for _, c in r)]
        if not rows or not self.table_header.search(rows[0][0][1]):
            return []
        if any(len(r) > 1 for r in rows):
            return [r[0][0] for r in rows[1:]]
        cells = [r[0] for r in rows]
        width = next((i for i, (_, c) in enumerate(cells) if c[:1].isdigit()), 0)
        return [s for s, _ in cells[width::width]] if width > 1 else []


def _numbers(spec: str) -> set[int]:
    out: set[int] = set()
    for part in str(spec).split(","):
        lo, _, hi = part.strip().partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def _cells(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """(offset, text) of each non-empty cell of one line."""
    out, pos = [], start
    for part in _CELL_SPLIT.split(text[start:end]):
        lead = len(part) - len(part.lstrip())
        if part.strip():
            out.append((pos + lead, part.strip()))
        pos += len(part) + 1
    return out


# ------------------------------------------------------------------ whose words
class Spans:
    """Disjoint sorted spans, for asking quickly whether an offset falls in one."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def __contains__(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


def requester_spans(ctx: Context, vocab: Vocab) -> Spans:
    """Where the requester speaks: outgoing messages, and letters addressed to an
    organisation ("Dear Department for Education,") up to their sign-off, which
    also finds a request quoted inside the authority's reply."""
    spans = [m.span for m in ctx.messages if m.direction == "outgoing"]
    incoming = Spans([m.span for m in ctx.messages if m.direction == "incoming"])
    text = ctx.text
    sign_offs = [m.end() for m in vocab.sign_off.finditer(text)]
    dears = [m.start() for m in _DEAR.finditer(text)]
    for m in vocab.salutation.finditer(text):
        if m.group("anyone") and m.start() in incoming:
            continue  # an authority may write "Dear Sir or Madam," too
        i = bisect.bisect_left(sign_offs, m.end())
        end = sign_offs[i] if i < len(sign_offs) else len(text)
        j = bisect.bisect_right(dears, m.start())
        if j < len(dears) and dears[j] < end:
            end = dears[j]
        spans.append((m.start(), end))
    return Spans(spans)


def document_act(text: str, vocab: Vocab) -> str:
    """FOISA when the text speaks of Scottish FOI law at least as often as of UK law."""
    scottish = sum(text.count(marker) for marker in vocab.scottish)
    return "FOISA" if scottish and scottish >= sum(text.count(marker) for marker in vocab.uk) else "FOIA"
