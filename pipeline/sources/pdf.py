"""A PDF: its text layer, page by page, with the tables pdfplumber's table finder sees
(ruled tables) written as tab-separated rows and preset as Table items.

Text lines and tables keep their order on the page (by their top edge); a gap
taller than a line between two lines is a paragraph break. A page with no text
layer is reported (a scan needs OCR, which this does not do); a PDF of scans only
is refused with that reason rather than yielding an empty record.
"""
from __future__ import annotations

import io

import pdfplumber

from pipeline.sources.derived import Derived, TextBuilder

RULE = "source.pdf_table"
PARAGRAPH_GAP = 1.6  # a gap above a line this many line heights tall starts a paragraph


def convert(data: bytes, kind: str = "pdf") -> Derived:
    out = TextBuilder()
    derived = Derived(kind="pdf", text="")
    scanned: list[int] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            if not _page(page, out, derived):
                scanned.append(number)
        pages = len(pdf.pages)
    derived.text = out.text()
    if scanned and len(scanned) == pages:
        derived.warnings.append(f"scanned PDF: none of its {pages} page(s) has a text layer (OCR needed)")
    elif scanned:
        derived.warnings.append(f"page(s) {', '.join(map(str, scanned))} of {pages} have no text layer "
                                "(scanned? OCR needed)")
    return derived


def _page(page, out: TextBuilder, derived: Derived) -> bool:
    """Write one page's lines and tables in reading order; False when it has no text at all."""
    found = page.find_tables()
    boxes = [t.bbox for t in found]
    rest = page.filter(lambda obj: not _inside(obj, boxes)) if boxes else page
    pieces = [(line["top"], line["bottom"], line["text"]) for line in rest.extract_text_lines()]
    pieces += [(t.bbox[1], t.bbox[3], t) for t in found]
    pieces.sort(key=lambda p: p[0])
    if not pieces:
        return False
    out.blank_line()
    previous_bottom, height = None, None
    for top, bottom, piece in pieces:
        if isinstance(piece, str):
            if previous_bottom is not None and height and top - previous_bottom > PARAGRAPH_GAP * height:
                out.blank_line()
            out.add(piece + "\n")
            previous_bottom, height = bottom, bottom - top
            continue
        table = out.table(piece.extract(), RULE)
        if table is not None:
            derived.preset.tables.append(table)
        out.blank_line()
        previous_bottom = None
    return True


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    """A character or line within a table's box (its centre, so ruling edges count too)."""
    if "x0" not in obj or "top" not in obj:
        return False
    x = (obj["x0"] + obj.get("x1", obj["x0"])) / 2
    y = (obj["top"] + obj.get("bottom", obj["top"])) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)
