"""Counts in table cells (the tables stage's items): every number in a cell counts its
column header, for the period or party its row label names.
"""
from __future__ import annotations

import regex

from pipeline.context import Context
from pipeline.extractors.count_phrases import (
    CATEGORY, Headings, Spans, Vocab, looks_like_period, number_value, rule_or_none)
from pipeline.models import Count, Table
from pipeline.rules import RuleSet

TABLE_RULE = "counts.table_cell"  # the component that reads table cells
PERIOD_CUE = "counts.cue.period_label"
_CELL_WORD = regex.compile(r"[^\S\n]*([A-Za-z]+)")  # "1 monthly", "5 urgent"
_HEADER_WORD = regex.compile(r"[a-z]+|[£$€%]")
_CURRENCY = regex.compile(r"[£$€]")
_FIGURE = regex.compile(r"\d{1,3}(?:,\d{3})*|\d+")
_YEAR = regex.compile(r"(?:19|20)\d\d")


def _column_kind(table: Table, j: int, vocab: Vocab) -> str | None:
    """'money' or 'percent' when column j holds sums of money or percentages."""
    header = (table.header[j] if j < len(table.header) else "").lower()
    cells = [row[j].text for row in table.row_cells if j < len(row)]
    words = set(_HEADER_WORD.findall(header))
    if words & vocab.money_words or any(_CURRENCY.search(c) for c in cells):
        return "money"
    if words & vocab.percent_words or "%" in header or any("%" in c for c in cells):
        return "percent"
    return None


def table_counts(ctx: Context, rules: RuleSet, vocab: Vocab, headings: Headings) -> list[Count]:
    """Every number in a table cell: subject from the column header, period/party from the row label."""
    out: list[Count] = []
    dates = Spans([d.span for d in ctx.items.get("dates", [])])
    taken = Spans([i.span for cat in ("dates", "references") for i in ctx.items.get(cat, [])])
    for index, table in enumerate(ctx.items.get("tables", [])):
        if isinstance(table, Table) and table.row_cells:
            out.extend(TableCounts(ctx, rules, vocab, headings, dates, taken, table, index).counts())
    return out


class TableCounts:
    """The counts of one table. The first column holds row labels unless it holds the
    figures themselves; column headers that are periods ("2020/21") make the row label
    the party and take the subject from the heading above the table."""

    def __init__(self, ctx: Context, rules: RuleSet, vocab: Vocab, headings: Headings, dates: Spans,
                 taken: Spans, table: Table, index: int):
        self.ctx, self.vocab, self.table, self.index = ctx, vocab, table, index
        self.dates, self.taken = dates, taken
        self.number_rule = rules.get("counts.digits")
        self.period_rule = rule_or_none(rules, PERIOD_CUE)
        self.heading = headings.subject_before(ctx, vocab, table.span[0])
        self.headers = [h.strip() for h in table.header]
        width = max(len(r) for r in table.row_cells)
        self.label_col = 0 if width > 1 and not self._figures_in_first_column() else None
        first = 1 if self.label_col == 0 else 0
        self.periods_across = bool(self.headers[first:]) and all(
            looks_like_period(self.period_rule, h) for h in self.headers[first:] if h)
        self.corner_period = self._corner_period()
        self.skip_cols = {j for j in range(width) if _column_kind(table, j, vocab)}

    def _figures_in_first_column(self) -> bool:
        """A first column of bare figures (not years) is data, not row labels."""
        cells = [row[0].text.strip() for row in self.table.row_cells if row]
        figures = [c for c in cells if _FIGURE.fullmatch(c)
                   and not looks_like_period(self.period_rule, c)]
        return len(figures) >= max(2, 0.8 * len(cells))

    def _corner_period(self) -> str | None:
        """Dates in the top-left header ("Requests received 01/01/17 – 01/02/18") date every cell."""
        cells = self.table.header_cells
        if self.label_col != 0 or not cells:
            return None
        s, e = cells[0].span
        dates = sorted(d for d in self.dates.overlapping(s, e) if s <= d[0] and d[1] <= e)
        return " – ".join(self.ctx.text[a:b] for a, b in dates[:2]) or None

    def counts(self) -> list[Count]:
        out = []
        for row in self.table.row_cells:
            label = row[0] if self.label_col == 0 and row else None
            for j, cell in enumerate(row):
                if j == self.label_col or j in self.skip_cols:
                    continue
                column = self.headers[j] if j < len(self.headers) and self.headers[j] else None
                for m in self.number_rule.finditer(self.ctx.text, cell.span[0], cell.span[1]):
                    count = self._cell_count(m, cell, label, column)
                    if count is not None:
                        out.append(count)
        return out

    def _cell_count(self, m, cell, label, column) -> Count | None:
        ctx, (s, e) = self.ctx, m.span()
        if self.taken.overlaps(s, e):
            return None
        value = number_value(m.group(), self.vocab)
        if value is None:
            return None
        word = _CELL_WORD.match(ctx.text, e, cell.span[1])
        if word and word.group(1)[:1].isupper() and _YEAR.fullmatch(m.group()):
            return None  # "2009 Rules", "2004 Regulations": a year in a name
        before = ctx.text[cell.span[0]:s]
        qualifier = word.group(1) if word else ("+" if before.rstrip(" (").endswith("+") else None)
        label_text = label.text.strip() if label is not None else None
        if self.periods_across:
            subject, period, party = self.heading, column, label_text
        else:
            subject = column or self.heading
            is_period = label is not None and looks_like_period(self.period_rule, label_text, label.span, self.dates)
            period, party = (label_text, None) if is_period else (self.corner_period, label_text or None)
        count = Count(text=m.group(), span=(s, e), rule=TABLE_RULE, value=value, subject=subject,
                      qualifier=qualifier, period=period, party=party, table=self.index)
        ctx.note(TABLE_RULE, CATEGORY, "found", (s, e), f"{m.group()} in table {self.index}")
        return count


