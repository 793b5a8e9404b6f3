"""A Word (.docx) document: its paragraphs and tables in document order.

Paragraphs are lines; an empty paragraph or a heading leaves a blank line, and so
does a long (prose) paragraph. Tables are written as tab-separated rows and preset
as Table items (a merged cell's text stands once, in its first column).
"""
from __future__ import annotations

import io

from pipeline.sources.derived import Derived, TextBuilder

RULE = "source.docx_table"
PROSE = 100  # a paragraph this long is prose: a blank line after it, as in a letter


def convert(data: bytes, kind: str = "docx") -> Derived:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    out = TextBuilder()
    derived = Derived(kind="docx", text="")
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            _paragraph(Paragraph(child, document), out)
        elif tag == "tbl":
            table = out.table(_rows(DocxTable(child, document)), RULE)
            if table is not None:
                derived.preset.tables.append(table)
            out.blank_line()
    derived.text = out.text()
    return derived


def _paragraph(paragraph, out: TextBuilder) -> None:
    text = paragraph.text.replace("\v", "\n").rstrip()
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if not text.strip():
        out.blank_line()
        return
    if style.startswith(("Heading", "Title")):
        out.block(text)
        out.blank_line()
        return
    out.add(text + "\n")
    if len(text) >= PROSE:
        out.blank_line()


def _rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            key = id(cell._tc)
            cells.append("" if key in seen else cell.text)  # a merged cell repeats across its columns
            seen.add(key)
        rows.append(cells)
    return rows
