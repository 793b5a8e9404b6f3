"""`foi-extract export`: one row per extracted item, as JSON lines, CSV or SQLite (datasette-ready)."""
from __future__ import annotations

import csv
import json

import pytest
import sqlite_utils
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.export import COLUMNS, export
from pipeline.flows import process_batch
from pipeline.record import to_yaml

from conftest import RULES


def item(text, start, rule, **fields):
    return {"text": text, "span": [start, start + len(text)], "line": 3, "rule": rule, "message": 0, **fields}


RECORD = {
    "schema": "foi-extract/1",
    "source": {"path": "raw/dfe/0058280.txt", "sha256": "ab" * 32, "chars": 900, "encoding": "utf-8"},
    "pipeline": {"version": "0.1.0", "rules": "sha256:" + "cd" * 32},
    "document": {"kind": "wdtk_thread", "title": "Pupil data requests", "status": "refused",
                 "authority": "Department for Education", "requester": "Jen Persson"},
    "messages": [item("Dear Department for Education, ...", 0, "segment.header", index=0, direction="outgoing",
                      kind="request", date="2016-12-19")],
    "dates": [item("19/12/2016", 120, "dates.numeric", value="2016-12-19", role="received")],
    "references": [item("2016-0058280", 170, "refs.cued_number", value="2016-0058280", kind="foi_case")],
    "exemptions": [item("section 40(2)", 300, "exemptions.section", act="FOIA", section="40(2)",
                        stance="applied", qualified=False)],
    "counts": [item("2,462", 400, "counts.digits", value=2462, subject="requests", period="Q4 2016")],
    "field_lists": [item("name, date of birth", 500, "field_lists.inline", label="the fields used",
                         items=["name", "date of birth"])],
    "tables": [item("| Month | Requests |", 600, "tables.pipe", header=["Month", "Requests"],
                    rows=[["December 2016", "2,462"]], format="pipe")],
}


@pytest.fixture
def extracted(tmp_path):
    folder = tmp_path / "extracted"
    (folder / "dfe").mkdir(parents=True)
    (folder / "dfe" / "0058280.yaml").write_text(to_yaml(RECORD))
    (folder / "notes.yaml").write_text("not: an output of ours\n")
    return folder


def rows_of(folder, fmt, tmp_path):
    out = tmp_path / f"items.{fmt}"
    export(folder, fmt, out)
    return out


def test_jsonl_has_one_row_per_item_with_its_value_kind_stance_and_span(extracted, tmp_path):
    rows = [json.loads(line) for line in rows_of(extracted, "jsonl", tmp_path).read_text().splitlines()]
    assert [r["category"] for r in rows] == ["messages", "dates", "references", "exemptions", "counts",
                                             "field_lists", "tables"]
    by = {r["category"]: r for r in rows}
    assert by["references"] | {"details": None} == {
        "document": "raw/dfe/0058280.txt", "category": "references", "value": "2016-0058280", "kind": "foi_case",
        "stance": None, "subject": None, "act": None, "role": None, "text": "2016-0058280", "start": 170,
        "end": 182, "line": 3, "message": 0, "rule": "refs.cued_number", "details": None}
    exemption = by["exemptions"]
    assert (exemption["act"], exemption["value"], exemption["stance"]) == ("FOIA", "40(2)", "applied")
    assert by["exemptions"]["details"] == {"qualified": False}
    assert (by["counts"]["value"], by["counts"]["subject"], by["counts"]["details"]) == (2462, "requests",
                                                                                        {"period": "Q4 2016"})
    assert (by["dates"]["value"], by["dates"]["role"]) == ("2016-12-19", "received")
    assert (by["field_lists"]["subject"], by["field_lists"]["value"]) == ("the fields used", "name | date of birth")
    assert (by["tables"]["kind"], by["tables"]["value"]) == ("pipe", "Month | Requests")
    assert by["tables"]["details"] == {"rows": [["December 2016", "2,462"]]}


def test_csv_has_the_same_rows_with_details_as_json(extracted, tmp_path):
    with open(rows_of(extracted, "csv", tmp_path), newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == COLUMNS
        rows = list(reader)
    assert len(rows) == 7
    counts = next(r for r in rows if r["category"] == "counts")
    assert counts["value"] == "2462" and json.loads(counts["details"]) == {"period": "Q4 2016"}


def test_sqlite_has_documents_and_searchable_items_linked_to_them(extracted, tmp_path):
    db = sqlite_utils.Database(rows_of(extracted, "sqlite", tmp_path))
    assert set(db.table_names()) >= {"documents", "items"}
    assert db["items"].count == 7
    assert db["items"].foreign_keys[0].other_table == "documents"
    [doc] = list(db["documents"].rows)
    assert (doc["path"], doc["status"], doc["authority"]) == ("raw/dfe/0058280.txt", "refused",
                                                              "Department for Education")
    [hit] = list(db["items"].search('"2016-0058280"'))
    assert hit["category"] == "references" and hit["kind"] == "foi_case"
    [exemption] = db.query("select act, value, stance from items where category = 'exemptions'")
    assert exemption == {"act": "FOIA", "value": "40(2)", "stance": "applied"}


def test_export_of_a_real_run_has_a_row_for_every_item_written(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "letter.txt").write_text("Dear Ms Persson,\n\nYour request of 19/12/2016 has been given reference "
                                    "FOI 2016-0058280.\n\nYours sincerely,\nFOI Team\n")
    [outcome] = process_batch([str(raw / "letter.txt")], str(raw), str(tmp_path / "out"), str(RULES))
    assert outcome.status == "done"
    result = CliRunner().invoke(app, ["export", "--format", "jsonl", "--from", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == sum(outcome.items.values())
    assert all(r["document"] == "raw/letter.txt" for r in rows)


def test_an_unknown_format_is_refused(extracted):
    result = CliRunner().invoke(app, ["export", "--format", "xml", "--from", str(extracted)])
    assert result.exit_code == 2
