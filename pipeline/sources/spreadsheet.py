"""Spreadsheets: an Excel workbook (every sheet) or a CSV file, read as tables.

Each block of rows (blocks are split at empty rows) becomes a tab-separated table
in the derived text and a preset Table item; a block of one cell is a title line.
The first row of a block is its header when none of its cells is a number, so the
counts stage reads every number with its column header as subject and its row
label as period or party.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from pipeline.sources.derived import Derived, TextBuilder

RULE = "source.spreadsheet"
MAX_CELLS = 2_000_000  # a sheet this large is data, not correspondence: read this much of it


def convert(data: bytes, kind: str = "xlsx") -> Derived:
    out = TextBuilder()
    derived = Derived(kind=kind, text="")
    sheets = _workbook(data, derived) if kind == "xlsx" else [("", _csv_rows(data))]
    for name, rows in sheets:
        if name:
            out.block(f"Sheet: {name}")
        for block in _blocks(rows):
            filled = [c for c in block[0] if c not in (None, "")]
            if len(block) == 1 and len(filled) == 1:
                out.block(str(filled[0]))
                continue
            table = out.table(block, RULE)
            if table is not None:
                derived.preset.tables.append(table)
    derived.text = out.text()
    return derived


def _workbook(data: bytes, derived: Derived) -> list[tuple[str, list[list]]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets, budget = [], MAX_CELLS
    try:
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                budget -= len(row)
                if budget < 0:
                    derived.warnings.append(f"sheet {sheet.title!r} cut at {len(rows)} rows (over {MAX_CELLS} cells)")
                    break
                rows.append([_value(v) for v in row])
            sheets.append((sheet.title, rows))
    finally:
        book.close()
    return sheets


def _value(v):
    """Dates as ISO days (a time only when there is one), other values as they are."""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _csv_rows(data: bytes) -> list[list[str]]:
    from pipeline.ingest import decode  # ingest imports this package: imported here, on use

    text, _ = decode(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _blocks(rows: list[list]) -> list[list[list]]:
    """Runs of rows with something in them, empty columns at the right cut off."""
    blocks, current = [], []
    for row in rows:
        if any(v not in (None, "") for v in row):
            current.append(list(row))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [_trim(b) for b in blocks]


def _trim(block: list[list]) -> list[list]:
    width = max((max((j + 1 for j, v in enumerate(r) if v not in (None, "")), default=0) for r in block), default=0)
    return [r[:width] for r in block]
