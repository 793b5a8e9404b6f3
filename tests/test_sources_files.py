"""PDF, Word and Excel answers and CSV files: their tables come out as table rows, and
their numbers as counts with their column headers; a scan is reported, not left empty."""
from __future__ import annotations

import pytest

from pipeline.extract import extract, pipeline_for
from pipeline.ingest import IngestError, discover, read_source
from pipeline.sources import convert, kind_of

from conftest import RULES
from source_files import FIGURES, docx_letter, pdf_letter, scanned_pdf, xlsx_workbook

COUNTS = [(1204, "Requests received", "2017"), (37, "Refused", "2017"),
          (1350, "Requests received", "2018"), (41, "Refused", "2018")]


def record_of(kind: str, data: bytes):
    derived = convert(kind, data)
    rules, nlp = pipeline_for(RULES)
    return derived, extract(derived.text, RULES, nlp=nlp, preset=derived.preset)


@pytest.mark.parametrize("kind, build", [("pdf", pdf_letter), ("docx", docx_letter), ("xlsx", xlsx_workbook)])
def test_a_files_table_round_trips_into_rows_and_counts(kind, build):
    derived, record = record_of(kind, build())
    table = record.tables[0]
    assert table.header == FIGURES[0]
    assert [[c.replace(",", "") for c in row] for row in table.rows] == [["2017", "1204", "37"], ["2018", "1350", "41"]]
    for cell in table.header_cells + [c for row in table.row_cells for c in row]:
        assert derived.text[cell.span[0]:cell.span[1]] == cell.text  # spans index the derived text
    assert [(c.value, c.subject, c.period) for c in record.counts if c.table == 0] == COUNTS


def test_the_tables_read_from_structure_are_written_as_tab_separated_rows():
    text = convert("docx", docx_letter()).text
    assert "Year\tRequests received\tRefused\n2017\t1,204\t37\n2018\t1,350\t41\n" in text
    assert text.startswith("Dear Ms Smith,\nPlease find the figures you asked for below.\n")


def test_every_sheet_is_read_and_a_lone_cell_is_a_title():
    derived = convert("xlsx", xlsx_workbook())
    assert "Sheet: Requests\n\nFreedom of Information requests by year\n\nYear\t" in derived.text
    forces = derived.preset.tables[1]
    assert forces.header == ["Police force", "Officers"] and forces.rows == [["Kent", "3700"], ["Essex", ""]]


def test_a_pdf_letters_text_gives_its_reference():
    _, record = record_of("pdf", pdf_letter(reference="FOI-2019-0042"))
    assert [r.value for r in record.references] == ["FOI-2019-0042"]


def test_a_scanned_pdf_is_reported_as_such_not_read_as_empty(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf())
    with pytest.raises(IngestError, match="scanned PDF: none of its 1 page"):
        read_source(tmp_path / "scan.pdf", tmp_path)


@pytest.mark.parametrize("text, rows", [
    ("Force,Officers\nKent,3700\nEssex,2900\n", [["Kent", "3700"], ["Essex", "2900"]]),
    ("Force;Officers\nKent;3700\nEssex;2900\n", [["Kent", "3700"], ["Essex", "2900"]]),
    ('"Force, area",Officers\r\n"Kent, South",3700\r\n', [["Kent, South", "3700"]]),
])
def test_a_csv_file_is_one_table_whatever_its_delimiter(text, rows):
    table = convert("csv", text.encode("cp1252")).preset.tables[0]
    assert table.rows == rows


def test_files_are_told_by_content_first():
    assert kind_of("reply.txt", pdf_letter()) == "pdf"
    assert kind_of("attachment", docx_letter()) == "docx"
    assert kind_of("figures.bin", xlsx_workbook()) == "xlsx"
    assert kind_of("pasted.txt", b"From: Jo <jo@example.org>\nTo: foi@council.gov.uk\n\nHello") == "text"
    assert kind_of("message", b"From: Jo <jo@example.org>\nTo: foi@council.gov.uk\nSubject: FOI\n\nHi") == "eml"


def test_discovery_picks_inputs_by_content_and_reports_unknown_binaries(tmp_path):
    (tmp_path / "reply").write_bytes(pdf_letter())
    (tmp_path / "letter.docx").write_bytes(docx_letter())
    (tmp_path / "notes.yaml").write_text("not: a document\n")
    (tmp_path / "blob.dat").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "page.html").write_text("<html><body><p>Disclosure log</p></body></html>")
    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    found = sorted(p.name for p in discover(tmp_path))
    assert found == ["blob.dat", "letter.docx", "page.html", "reply"]
    assert read_source(tmp_path / "reply", tmp_path).kind == "pdf"
    with pytest.raises(IngestError, match="binary file, not text"):
        read_source(tmp_path / "blob.dat", tmp_path)


def test_an_image_is_reported_by_what_it_is(tmp_path):
    (tmp_path / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(IngestError, match="a PNG image: no text to read"):
        read_source(tmp_path / "scan.png", tmp_path)


def test_a_damaged_office_file_is_reported_not_a_crash(tmp_path):
    good = docx_letter()
    (tmp_path / "reply.docx").write_bytes(good[: len(good) // 2])
    with pytest.raises(IngestError, match="docx"):
        read_source(tmp_path / "reply.docx", tmp_path)


def test_a_file_beside_its_text_rendering_leaves_the_text_as_the_input(tmp_path):
    (tmp_path / "thread.html").write_text("<html><body><p>Request</p></body></html>")
    (tmp_path / "thread.txt").write_text("Request\n")
    (tmp_path / "reply.pdf").write_bytes(pdf_letter())
    (tmp_path / "reply.docx").write_bytes(docx_letter())
    assert sorted(p.name for p in discover(tmp_path)) == ["reply.docx", "reply.pdf", "thread.txt"]
    assert read_source(tmp_path / "thread.html", tmp_path).kind == "html"  # named outright, it is read
    with pytest.raises(IngestError, match="would overwrite that of reply.docx"):
        read_source(tmp_path / "reply.pdf", tmp_path)
