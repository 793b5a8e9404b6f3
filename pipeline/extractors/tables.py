"""Tables laid out in the text: ASCII box, pipe/markdown, tab-separated and space-aligned.

`rules/tables.yaml` says what a row of each layout looks like (one `find` rule per
row shape), which lines are never rows (`reject` rules), and the structural limits
and header words (`vocab`). Here: gather runs of consecutive lines of one shape,
split them into cells, check that the run is a table and pick its header. Each
cell keeps its span, because counts bind table cells to their column header and
row label, and dates read row labels under a year header.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.context import Context
from pipeline.matching import TokenMatchers
from pipeline.models import Cell, Table
from pipeline.rules import Rule, RuleSet, RuleTimeout

CATEGORY = "tables"
# Row shapes, in the order they claim lines: a line of a box table is not also an aligned row.
SHAPES = ("rule_line", "pipe_row", "tab_row", "aligned_row", "numeric_row")
NEVER_ROWS = ("link_block", "chrome")
_WORD = re.compile(r"\S+")

Row = list[Cell]


@dataclass
class Line:
    index: int
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class Vocab:
    """The structural knowledge of rules/tables.yaml, compiled once per rule set."""

    min_rows: dict
    min_columns: int
    max_line: int
    number: re.Pattern
    year: re.Pattern
    placeholder: re.Pattern
    markup: re.Pattern
    bars: re.Pattern
    corners: re.Pattern
    split: re.Pattern
    header_words: frozenset
    connectors: frozenset
    quote_prefix: re.Pattern
    header_phrases: re.Pattern


def vocab_of(rules: RuleSet) -> Vocab:
    """The rule set's Vocab, built once (every document reads it)."""
    return rules.derived(_compile_vocab)


def _compile_vocab(rules: RuleSet) -> Vocab:
    v = rules.vocab
    limits = v.get("limits", {})
    return Vocab(
        min_rows=dict(v.get("min_rows", {})),
        min_columns=int(limits.get("min_columns", 2)),
        max_line=int(limits.get("max_line_chars", 2000)),
        number=re.compile(v.get("number_cell", r"^\d+$")),
        year=re.compile(v.get("year_cell", r"^(?:19|20)\d\d$")),
        placeholder=re.compile(v.get("placeholder_cell", r"^-$"), re.I),
        markup=re.compile(v.get("cell_markup", r"<[^<>]*>")),
        bars=re.compile(v.get("cell_bars", r"\|")),
        corners=re.compile(v.get("box_corners", r"\+")),
        split=re.compile(v.get("cell_split", r"\t| {2,}")),
        header_words=frozenset(w.lower() for w in v.get("header_words", [])),
        connectors=frozenset(w.lower() for w in v.get("header_connectors", [])),
        quote_prefix=re.compile(v.get("quote_prefix", r"[ \t]*(?:>[ \t]?)+")),
        header_phrases=_phrases(v.get("header_phrases", [])),
    )


def _phrases(words: list[str]) -> re.Pattern:
    alternatives = sorted((re.escape(w) for w in words), key=len, reverse=True) or ["(?!)"]
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(alternatives), re.IGNORECASE)


# --------------------------------------------------------------------------- lines
def _line(ctx: Context, offset: int, vocab: Vocab) -> Line:
    """The line holding `offset`; a reply's "> " quote marks are left out, like an indent."""
    start, end = ctx.line_span(offset)
    quoted = vocab.quote_prefix.match(ctx.text, start, end)
    if quoted:
        start = quoted.end()
    return Line(ctx.line_of(offset), start, ctx.text[start:end])


def _shapes(ctx: Context, rules: RuleSet, vocab: Vocab) -> tuple[dict[str, dict[int, str]], dict[int, Line]]:
    """For each row shape, the lines that have it (line number -> rule id), and those lines.
    Only lines a rule matched are looked at; reject rules veto a line for every shape."""
    shapes: dict[str, dict[int, str]] = {s: {} for s in SHAPES}
    lines: dict[int, Line] = {}
    for rule in rules.by_action("find"):
        shape = rule.id.split(".", 1)[1]
        if shape not in shapes or rule.compiled is None:
            continue
        line_end = -1
        for m in _matches(ctx, rule, 0, len(ctx.text)):
            if m.start() <= line_end:
                continue  # one match per line is enough
            n = ctx.line_of(m.start())
            line = lines.get(n) or _line(ctx, m.start(), vocab)
            line_end = line.end
            if len(line.text) <= vocab.max_line and not _never_data(ctx, line):
                shapes[shape][n] = rule.id
                lines[n] = line
    vetoes = rules.by_action("reject")
    for n, line in list(lines.items()):
        veto = next((r for r in vetoes if next(_matches(ctx, r, line.start, line.end), None)), None)
        if veto is not None:
            ctx.note(veto.id, CATEGORY, "rejected", (line.start, line.end), f"{line.text.strip()!r}: {veto.reason}")
            for found in shapes.values():
                found.pop(n, None)
    return shapes, lines


def _never_data(ctx: Context, line: Line) -> bool:
    """The whole line is WhatDoTheyKnow chrome or a link block (a link marker in a cell is not)."""
    region = ctx.blocked(line.start, max(line.end, line.start + 1), NEVER_ROWS)
    return region is not None and region.start <= line.start and region.end >= line.end


def _matches(ctx: Context, rule: Rule, start: int, end: int):
    try:
        yield from rule.finditer(ctx.text, start, end)
    except RuleTimeout as err:
        ctx.errors.append(str(err))


def _runs(indices) -> list[list[int]]:
    """Line indices grouped into runs of consecutive lines."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


# --------------------------------------------------------------------------- cells
def _cell(text: str, start: int, end: int, vocab: Vocab) -> Cell:
    """A cell of source [start, end): its text without markup, its span trimmed of
    white space and of tags wrapping the whole cell, so the span stays honest."""
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped:
        return Cell("", (start, start))
    start += raw.index(stripped[0])
    end = start + len(stripped)
    if "<" not in stripped and "*" not in stripped:  # no markup: the common case, kept cheap
        return Cell(" ".join(stripped.split()), (start, end))
    while True:
        raw = text[start:end]
        start, end = start + len(raw) - len(raw.lstrip()), end - (len(raw) - len(raw.rstrip()))
        raw = text[start:end]
        first = vocab.markup.match(raw)
        last = None
        for last in vocab.markup.finditer(raw):
            pass
        if first and first.end() < len(raw):
            start += first.end()
        elif last and last.end() == len(raw) and last.start() > 0:
            end = start + last.start()
        else:
            break
    return Cell(" ".join(vocab.markup.sub("", text[start:end]).split()), (start, end))


def _join(parts: list[Cell]) -> Cell:
    """One cell from the pieces of a cell wrapped over several lines."""
    full = [c for c in parts if c.text]
    if not full:
        return parts[0]
    return Cell(" ".join(c.text for c in full), (full[0].span[0], full[-1].span[1]))


def _split_pipes(line: Line, text: str, vocab: Vocab) -> Row:
    """Cells between bars; the bars at both ends of a row are optional."""
    body = line.text.strip()
    pos = line.start + len(line.text) - len(line.text.lstrip())
    if vocab.bars.match(body):
        body, pos = body[1:], pos + 1
    if body and vocab.bars.match(body[-1]):
        body = body[:-1]
    cells = []
    for part in vocab.bars.split(body):
        cells.append(_cell(text, pos, pos + len(part), vocab))
        pos += len(part) + 1
    return cells


def _split_by(line: Line, text: str, vocab: Vocab) -> Row:
    """Cells set apart by tabs or runs of spaces; a leading tab is an empty first cell."""
    body = line.text.rstrip(" \r")  # a trailing tab still ends an empty last cell
    lead = len(body) - len(body.lstrip(" "))
    cells, pos = [], line.start + lead
    for m in vocab.split.finditer(body, lead):
        cells.append(_cell(text, pos, line.start + m.start(), vocab))
        pos = line.start + m.end()
    cells.append(_cell(text, pos, line.end, vocab))
    return cells


# --------------------------------------------------------------------------- checks
def _kind(cell: Cell, vocab: Vocab) -> str:
    t = cell.text
    if not t:
        return "empty"
    if vocab.year.match(t):
        return "year"
    if vocab.number.match(t) or vocab.placeholder.match(t):
        return "number"
    return "text"


def _mostly_numbers(cells: list[Cell], vocab: Vocab) -> bool:
    kinds = [_kind(c, vocab) for c in cells if c.text]
    return bool(kinds) and kinds.count("number") * 2 > len(kinds)


def _looks_like_header(first: Row, body: list[Row], vocab: Vocab) -> bool:
    """A first row names the columns when it has no numbers of its own and either uses a
    header word or stands above a column of numbers with a name (or a year)."""
    heads = first[1:]
    if not body or not any(c.text for c in heads) or any(_kind(c, vocab) == "number" for c in heads):
        return False
    words = {w for c in first for w in c.text.lower().split()}
    if words & vocab.header_words:
        return True
    return any(_mostly_numbers([r[j] for r in body if j < len(r)], vocab) for j in range(1, len(first)))


def _numeric_column(rows: list[Row], vocab: Vocab) -> bool:
    width = max(len(r) for r in rows)
    return any(_mostly_numbers([r[j] for r in rows if j < len(r)], vocab) for j in range(1, width))


def _columns_filled(rows: list[Row], vocab: Vocab) -> bool:
    """At least `min_columns` columns hold text in half the rows (not indented prose)."""
    width = max(len(r) for r in rows)
    filled = sum(1 for j in range(width) if 2 * sum(1 for r in rows if j < len(r) and r[j].text) >= len(rows))
    return filled >= vocab.min_columns


def _columns(lines: list[Line]) -> list[tuple[int, int]]:
    """Where the columns of space-aligned lines stand: between the runs of 2+ blank
    character positions that all the lines share (offsets within a line)."""
    indent = min(len(ln.text) - len(ln.text.lstrip()) for ln in lines)
    ink = bytearray(b" " * max(len(ln.text.rstrip()) for ln in lines))
    for ln in lines:
        for m in _WORD.finditer(ln.text):
            ink[m.start():m.end()] = b"x" * (m.end() - m.start())
    return [m.span() for m in _INKED.finditer(ink, indent)]


_INKED = re.compile(rb"x+(?: x+)*")


# --------------------------------------------------------------------------- layouts
class Finder:
    """Tables of one document: each layout claims its lines, in the order of SHAPES."""

    def __init__(self, ctx: Context, rules: RuleSet):
        self.ctx, self.text = ctx, ctx.text
        self.vocab = vocab_of(rules)
        self.shapes, self.lines = _shapes(ctx, rules, self.vocab)
        self.claimed: set[int] = set()
        self.tables: list[Table] = []
        self._pipes: dict[int, Row] = {}  # pipe rows split once, though a ragged run is tried in parts

    def run(self) -> list[Table]:
        ruled = set(self.shapes["rule_line"]) | set(self.shapes["pipe_row"])
        for run in _runs(ruled):
            self._ruled(run)
        for run in self._free_runs("tab_row"):
            self._tabbed(run)
        for run in self._free_runs("aligned_row"):
            self._aligned(run)
        for run in self._free_runs("numeric_row"):
            self._numeric(run)
        return self.tables

    def _free_runs(self, shape: str) -> list[list[int]]:
        return _runs(i for i in self.shapes[shape] if i not in self.claimed)

    def _emit(self, fmt: str, header: Row, body: list[Row], first: int, last: int,
              shapes: tuple[str, ...]) -> None:
        span = (self.lines[first].start, self.lines[last].end)
        rule_ids = list(dict.fromkeys(self.shapes[s][i] for s in shapes for i in range(first, last + 1)
                                      if i in self.shapes[s]))  # the layout's own rule first
        for rid in rule_ids:
            self.ctx.note(rid, CATEGORY, "found", span, fmt)
        self.claimed.update(range(first, last + 1))
        self.tables.append(Table(
            text=self.text[span[0]:span[1]], span=span, rule=rule_ids[0], format=fmt,
            header=[c.text for c in header], rows=[[c.text for c in r] for r in body],
            header_cells=header, row_cells=body))

    def _ruled(self, run: list[int]) -> None:
        """Box and markdown tables (rule lines split header from body), or bare pipe rows."""
        rule_lines = self.shapes["rule_line"]
        groups: list[list[Row]] = [[]]
        for i in run:
            if i in rule_lines:
                groups.append([])
            else:
                groups[-1].append(self._pipe_cells(i))
        groups = [g for g in groups if g]
        if len({len(row) for g in groups for row in g}) > 1:
            for part in self._same_width_parts(run):  # ragged: a stray pipe line beside a table
                self._ruled(part)
            return
        if not groups:
            return
        boxed = run[0] in rule_lines or any(self.vocab.corners.search(self.lines[i].text)
                                            for i in run if i in rule_lines)
        fmt = "ascii_box" if boxed else "pipe"
        if len(groups) > 2:  # a rule under every row: each group is one row, wrapped over lines
            rows = [[_join([line[j] for line in g]) for j in range(len(g[0]))] for g in groups]
            header, body = rows[0], rows[1:]
        elif len(groups) == 2:  # one rule, under the (maybe wrapped) header
            header = [_join([line[j] for line in groups[0]]) for j in range(len(groups[0][0]))]
            body = groups[1]
        else:
            header, body = [], groups[0]
            if _looks_like_header(body[0], body[1:], self.vocab):
                header, body = body[0], body[1:]
        layout = "ruled" if len(groups) > 1 or boxed else fmt
        if (len(body) < self.vocab.min_rows.get(layout, 2) or len(body[0]) < self.vocab.min_columns
                or not _columns_filled(body, self.vocab)):
            return
        shapes = ("rule_line", "pipe_row") if boxed else ("pipe_row", "rule_line")
        self._emit(fmt, header, body, run[0], run[-1], shapes)

    def _pipe_cells(self, i: int) -> Row:
        if i not in self._pipes:
            self._pipes[i] = _split_pipes(self.lines[i], self.text, self.vocab)
        return self._pipes[i]

    def _same_width_parts(self, run: list[int]) -> list[list[int]]:
        """A ragged run cut where the count of cells changes (rule lines go with the rows above)."""
        parts: list[list[int]] = []
        width = None
        for i in run:
            if i not in self.shapes["rule_line"]:
                w = len(self._pipe_cells(i))
                if w != width:
                    parts.append([])
                width = w
            if not parts:
                parts.append([])
            parts[-1].append(i)
        return parts

    def _tabbed(self, run: list[int]) -> None:
        """Tab-separated rows, one row per line. The usual count of cells is the table's width:
        a shorter row lost its empty last cells and is filled up; a wider row ends the table."""
        rows = {i: _split_by(self.lines[i], self.text, self.vocab) for i in run}
        width = Counter(len(r) for r in rows.values()).most_common(1)[0][0]
        parts: list[list[int]] = [[]]
        for i in run:
            if 2 <= len(rows[i]) <= width:
                end = self.lines[i].end
                rows[i] = rows[i] + [Cell("", (end, end))] * (width - len(rows[i]))
                parts[-1].append(i)
            elif parts[-1]:
                parts.append([])
        for part in parts:
            if not part or width < self.vocab.min_columns:
                continue
            cells = [rows[i] for i in part]
            header, body = [], cells
            if _looks_like_header(cells[0], cells[1:], self.vocab):
                header, body = cells[0], cells[1:]
            if len(body) >= self.vocab.min_rows.get("tsv", 2) and _columns_filled(cells, self.vocab):
                self._emit("tsv", header, body, part[0], part[-1], ("tab_row",))

    def _aligned(self, run: list[int]) -> None:
        """Space-aligned rows: the columns are the runs of two or more blanks that every line
        has at the same place, so a row may leave a cell empty. A title line above the table
        or a note under it would blur the columns: the run is also tried without them, and
        the cut giving the most columns (then rows) wins."""
        lines = [self.lines[i] for i in run]
        minimum = self.vocab.min_rows.get("aligned", 3)
        parts = [p for p in (lines, lines[1:], lines[:-1], lines[1:-1]) if len(p) >= minimum]
        cuts = sorted(((_columns(p), p) for p in parts), key=lambda c: (len(c[0]), len(c[1])), reverse=True)
        for columns, part in cuts:
            rows = [[_cell(self.text, ln.start + min(a, len(ln.text)), ln.start + min(b, len(ln.text)), self.vocab)
                     for a, b in columns] for ln in part]
            if len(columns) < self.vocab.min_columns or not _columns_filled(rows, self.vocab):
                continue
            header, body = [], rows
            if _looks_like_header(rows[0], rows[1:], self.vocab):
                header, body = rows[0], rows[1:]
            if len(body) >= minimum and _numeric_column(body, self.vocab):
                self._emit("aligned", header, body, part[0].index, part[-1].index, ("aligned_row",))
                return

    def _numeric(self, run: list[int]) -> None:
        """Rows of a label and single-spaced numbers. The usual count of numbers on a line is
        the table's width; a line with more gives the extra ones to its label ("Section 40 4 10"),
        a line with fewer ends the table."""
        numbers = {i: self._trailing_numbers(self.lines[i]) for i in run}
        width = Counter(len(n) for n in numbers.values() if len(n) >= 2).most_common(1)
        if not width:
            return
        width = width[0][0]
        parts: list[list[int]] = [[]]
        for i in run:
            if len(numbers[i]) >= width:
                parts[-1].append(i)
            elif parts[-1]:
                parts.append([])
        for part in parts:
            if len(part) < self.vocab.min_rows.get("aligned", 3):
                continue
            body = [self._label_and_numbers(self.lines[i], numbers[i][-width:]) for i in part]
            header = self._header_above(part[0], width + 1)
            self._emit("aligned", header, body, part[0] - (1 if header else 0), part[-1], ("numeric_row",))

    def _trailing_numbers(self, line: Line) -> list[tuple[int, int]]:
        """Spans (within the line) of the numbers the line ends with, after at least one other word."""
        tokens = [m.span() for m in _WORD.finditer(line.text)]
        n = 0
        while n < len(tokens) - 1 and self.vocab.number.match(line.text[slice(*tokens[-1 - n])]):
            n += 1
        return tokens[len(tokens) - n:]

    def _label_and_numbers(self, line: Line, numbers: list[tuple[int, int]]) -> Row:
        cells = [_cell(self.text, line.start, line.start + numbers[0][0], self.vocab)]
        return cells + [_cell(self.text, line.start + s, line.start + e, self.vocab) for s, e in numbers]

    def _header_above(self, first: int, width: int) -> Row:
        """The line right above a run of numeric rows names its columns if it splits into as many
        cells: at tabs or runs of spaces, at each word, or at each capitalised word not joined to
        the word before by a connector ("Overview of requests | April to June 2023 | Total")."""
        start = self.lines[first].start
        if start == 0 or first - 1 in self.claimed or first - 1 in self.shapes["numeric_row"]:
            return []
        line = self.lines[first - 1] = _line(self.ctx, start - 1, self.vocab)
        stripped = line.text.strip()
        if not stripped or stripped[-1] in ".:;?!" or len(line.text) > self.vocab.max_line:
            return []
        words = [m.span() for m in _WORD.finditer(line.text)]
        if not words:
            return []
        cuts = (_split_by(line, self.text, self.vocab), self._cells_at(line, words, range(len(words))),
                self._cells_at(line, words, self._title_starts(line, words)))
        for cut in cuts:
            if len(cut) == width:
                return cut
        named = cuts[-1]  # names over the number columns only, the label column unnamed:
        if len(named) == width - 1 > 1:  # "Number of IRPs heard Number upheld" over "2015/16 3 3"
            return [_cell(self.text, line.start, line.start, self.vocab)] + named
        return []

    def _title_starts(self, line: Line, words: list[tuple[int, int]]) -> list[int]:
        """Words that start a header cell: capitalised, not after a connector, not inside a
        known column name ("Information Not Held")."""
        text = [line.text[s:e] for s, e in words]
        inside: set[int] = set()
        for m in self.vocab.header_phrases.finditer(line.text):
            inside.update(k for k, (s, _) in enumerate(words) if m.start() < s < m.end())
        return [k for k, word in enumerate(text) if k == 0 or (
            word[:1].isupper() and text[k - 1].lower() not in self.vocab.connectors and k not in inside)]

    def _cells_at(self, line: Line, words: list[tuple[int, int]], firsts) -> Row:
        """Header cells made of runs of words, a new cell at each word of `firsts`."""
        firsts = list(firsts)
        ends = [words[k - 1][1] for k in firsts[1:]] + [words[-1][1]]
        return [_cell(self.text, line.start + words[k][0], line.start + end, self.vocab)
                for k, end in zip(firsts, ends)]


def _distinct(tables: list[Table]) -> list[Table]:
    """A table restated (quoted in a reply) is kept once, where it first stands."""
    seen, out = set(), []
    for t in sorted(tables, key=lambda t: t.span):
        key = (tuple(t.header), tuple(tuple(r) for r in t.rows))
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


def run(ctx: Context, rules: RuleSet, tokens: TokenMatchers | None = None) -> None:
    # tables a converter read from a file's structure (pipeline/sources) stand as read
    ctx.items[CATEGORY].extend(_distinct(ctx.preset.keep_tables(Finder(ctx, rules).run())))
