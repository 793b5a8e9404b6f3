"""Corpus-level outputs for other tools: one row per extracted item, as JSON lines, CSV or SQLite.

Reads the YAML records under a folder one at a time (memory stays flat). The
SQLite file has an `items` table (full-text searchable) and a `documents` table,
and opens in datasette as it is.
"""
from __future__ import annotations

import csv
import json
import os
import sys
from contextlib import nullcontext
from itertools import islice
from pathlib import Path
from typing import Any, Iterator, TextIO

import yaml

from pipeline.incremental import SCHEMA_LINE
from pipeline.models import CATEGORIES

FORMATS = ("jsonl", "csv", "sqlite")
COLUMNS = ("document", "category", "value", "kind", "stance", "subject", "act", "role",
           "text", "start", "end", "line", "message", "rule", "details")
DOCUMENT_COLUMNS = ("path", "sha256", "chars", "kind", "title", "status", "authority", "requester", "rules")
# Which field of an item is its `value`, `kind` and `subject` where the category names them otherwise.
VALUE_FIELD = {"exemptions": "section", "messages": "date", "field_lists": "items", "tables": "header"}
KIND_FIELD = {"tables": "format"}
SUBJECT_FIELD = {"field_lists": "label"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def records(folder: Path) -> Iterator[dict[str, Any]]:
    """Every output record under `folder`, in path order (other YAML files are passed over)."""
    folder = Path(folder)
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".yaml") and not name.startswith("."):
                text = (Path(dirpath) / name).read_text(encoding="utf-8")
                if text.startswith(SCHEMA_LINE):
                    yield yaml.load(text, Loader=_Loader)


def item_rows(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per item of a record: messages first, then each category in order."""
    document = record["source"]["path"]
    for category in ("messages",) + CATEGORIES:
        for item in record.get(category) or []:
            yield _row(document, category, dict(item))


def _row(document: str, category: str, item: dict[str, Any]) -> dict[str, Any]:
    start, end = item.pop("span")
    value = item.pop(VALUE_FIELD.get(category, "value"), None)
    row = {
        "document": document, "category": category,
        "value": " | ".join(map(str, value)) if isinstance(value, list) else value,
        "kind": item.pop(KIND_FIELD.get(category, "kind"), None), "stance": item.pop("stance", None),
        "subject": item.pop(SUBJECT_FIELD.get(category, "subject"), None), "act": item.pop("act", None),
        "role": item.pop("role", None), "text": item.pop("text"), "start": start, "end": end,
        "line": item.pop("line", None), "message": item.pop("message", None), "rule": item.pop("rule"),
    }
    row["details"] = item or None  # what is left: qualifier, period, party, mentions, rows, ...
    return row


def document_row(record: dict[str, Any]) -> dict[str, Any]:
    source, document = record["source"], record.get("document") or {}
    return {"path": source["path"], "sha256": source.get("sha256"), "chars": source.get("chars"),
            **{k: document.get(k) for k in ("kind", "title", "status", "authority", "requester")},
            "rules": (record.get("pipeline") or {}).get("rules")}


def export(folder: Path, fmt: str, out: Path | None = None) -> int:
    """Write every item under `folder` in `fmt` to `out` (stdout for jsonl/csv when None); rows written."""
    if fmt == "sqlite":
        return write_sqlite(records(folder), out or Path(f"{Path(folder).name}.sqlite"))
    with open(out, "w", encoding="utf-8", newline="") if out else nullcontext(sys.stdout) as stream:
        rows = (row for record in records(folder) for row in item_rows(record))
        return (write_jsonl if fmt == "jsonl" else write_csv)(rows, stream)


def write_jsonl(rows: Iterator[dict[str, Any]], stream: TextIO) -> int:
    n = 0
    for n, row in enumerate(rows, 1):
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return n


def write_csv(rows: Iterator[dict[str, Any]], stream: TextIO) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    n = 0
    for n, row in enumerate(rows, 1):
        writer.writerow(_flat(row))
    return n


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """`details` as a JSON string: CSV cells and SQLite columns hold text."""
    details = row["details"]
    return {**row, "details": json.dumps(details, ensure_ascii=False) if details else None}


def write_sqlite(recs: Iterator[dict[str, Any]], path: Path, chunk: int = 200) -> int:
    """`documents` and `items` tables (items.document -> documents.path), indexed and full-text searchable."""
    import sqlite_utils

    db = sqlite_utils.Database(path, recreate=True)
    db["documents"].create({c: str for c in DOCUMENT_COLUMNS} | {"chars": int}, pk="path")
    db["items"].create({c: str for c in COLUMNS} | {"start": int, "end": int, "line": int, "message": int},
                       foreign_keys=[("document", "documents", "path")])
    n = 0
    recs = iter(recs)
    while batch := list(islice(recs, chunk)):
        db["documents"].insert_all(document_row(r) for r in batch)
        rows = [_flat(row) for r in batch for row in item_rows(r)]
        db["items"].insert_all(rows)
        n += len(rows)
    for columns in (["document"], ["category", "value"], ["rule"]):
        db["items"].create_index(columns)
    db["items"].enable_fts(["text", "value", "subject"], create_triggers=False)
    db.close()
    return n
