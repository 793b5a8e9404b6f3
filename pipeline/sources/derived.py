"""What a converter hands the pipeline: the derived text, and what the file's structure said.

The derived text is what the extractors run on and what every span indexes; it is
stored in the record (`derived_text`) so a reviewer can see the matches. Structure
the converter read outright (a saved page's messages, a mail's headers, a sheet's
cells) rides along as a `Preset` that the segment and tables stages keep.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.context import Preset
from pipeline.models import Cell, Table


@dataclass
class Attachment:
    """A file that came inside another (a mail's PDF): where its text stands in the derived text."""

    name: str
    kind: str  # pdf, docx, xlsx, csv, html, text, or the MIME type of one that is not read
    parent: int | None = None  # the message it came with
    span: tuple[int, int] | None = None  # its text in the derived text (None: nothing readable)
    note: str | None = None  # why there is no text: scanned, unsupported, damaged

    def to_dict(self) -> dict:
        out = {"name": self.name, "kind": self.kind, "parent": self.parent}
        if self.span is not None:
            out["span"] = list(self.span)
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Derived:
    kind: str  # the source kind: wdtk_html, html, eml, mbox, pdf, docx, xlsx, csv
    text: str
    preset: Preset = field(default_factory=Preset)
    attachments: list[Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class TextBuilder:
    """Builds a derived text piece by piece, telling where each piece landed."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._tail = ""  # the last two characters, to know whether a blank line is owed

    def __len__(self) -> int:
        return self._length

    def add(self, text: str) -> tuple[int, int]:
        text = clean(text)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self._tail = (self._tail + text)[-2:]
        return start, self._length

    def block(self, text: str) -> tuple[int, int]:
        """`text` as a paragraph of its own: after a blank line, ending with a newline."""
        self.blank_line()
        span = self.add(text.strip("\n"))
        self.add("\n")
        return span

    def blank_line(self) -> None:
        if self._length and self._tail != "\n\n":
            self.add("\n" if self._tail.endswith("\n") else "\n\n")

    def table(self, rows: list[list[str]], rule: str) -> Table | None:
        """Rows as tab-separated lines (as the tables extractor reads them) and as a Table with
        cell spans. The first row is the header when none of its cells is a number."""
        rows = [[_cell_text(c) for c in row] for row in rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            return None
        width = max(len(r) for r in rows)
        self.blank_line()
        start, first_part = len(self), len(self._parts)
        cells: list[list[Cell]] = []
        for r in rows:
            line: list[Cell] = []
            for j in range(width):
                if j:
                    self.add("\t")
                value = r[j] if j < len(r) else ""
                line.append(Cell(value, self.add(value)))
            self.add("\n")
            cells.append(line)
        end = len(self) - 1
        header, body = (cells[0], cells[1:]) if _is_header(rows[0]) and len(rows) > 1 else ([], cells)
        return Table(text="".join(self._parts[first_part:])[:-1], span=(start, end), rule=rule, format="tsv",
                     header=[c.text for c in header], rows=[[c.text for c in r] for r in body],
                     header_cells=header, row_cells=body)

    def text(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""


def clean(text: str) -> str:
    """Newlines as LF and no NULs, as ingest makes every text: spans are taken after this."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


_NUMBER = re.compile(r"[-+(]?[£$€]?\d[\d,.]*%?\)?")
_SPACES = re.compile(r"\s+")


def _cell_text(value) -> str:
    """A cell on one line: a cell's line breaks and tabs would break the row apart."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


def _is_header(row: list[str]) -> bool:
    filled = [c for c in row if c]
    return bool(filled) and not any(_NUMBER.fullmatch(c) for c in filled)
