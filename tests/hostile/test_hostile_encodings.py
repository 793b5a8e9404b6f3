"""The same letter in every encoding and line ending a mail export produces: one and
the same extraction, spans into the decoded LF text, and the record says how it was read."""
from __future__ import annotations

from hostile_kit import check_output, letter, run_batch

LETTER = letter(18).replace("pupil data", "the caf\u00e9 contract (\u00a3450, \u201cheadline\u201d figures)")

VARIANTS = {  # name: (bytes on disk, what the record's source says besides sha256)
    "utf8.txt": (LETTER.encode("utf-8"), {"encoding": "utf-8"}),
    "utf8_bom.txt": (b"\xef\xbb\xbf" + LETTER.encode("utf-8"), {"encoding": "utf-8-sig"}),
    "utf16le.txt": (b"\xff\xfe" + LETTER.encode("utf-16-le"), {"encoding": "utf-16-le"}),
    "utf16be_crlf.txt": (b"\xfe\xff" + LETTER.replace("\n", "\r\n").encode("utf-16-be"),
                         {"encoding": "utf-16-be", "newlines": "crlf"}),
    "cp1252_crlf.txt": (LETTER.replace("\n", "\r\n").encode("cp1252"), {"encoding": "cp1252", "newlines": "crlf"}),
    "mac_cr.txt": (LETTER.replace("\n", "\r").encode("utf-8"), {"encoding": "utf-8", "newlines": "cr"}),
    "nuls.txt": (LETTER.replace("2016", "20\x0016").encode("utf-8"), {"encoding": "utf-8", "nul_removed": LETTER.count("2016")}),
}


def without_source(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "source"}


def test_every_encoding_gives_the_same_items_with_spans_into_the_decoded_text(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name, (data, _) in VARIANTS.items():
        (raw / name).write_bytes(data)
    outcomes = run_batch(raw, out)
    assert {rel: o.status for rel, o in outcomes.items()} == {name: "done" for name in VARIANTS}
    records = {name: check_output(out / name.replace(".txt", ".yaml"), LETTER) for name in VARIANTS}
    reference = without_source(records["utf8.txt"])
    assert reference["references"]  # the letter has something to find
    for name, (_, source) in VARIANTS.items():
        assert without_source(records[name]) == reference, name
        said = {k: v for k, v in records[name]["source"].items() if k in ("encoding", "newlines", "nul_removed")}
        assert said == source, name


def test_a_cp1252_letter_with_mojibake_is_read_as_it_stands(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    text = LETTER.replace("Jos\u00e9", "Jos\u00c3\u00a9")  # already garbled upstream
    (raw / "garbled.txt").write_bytes(text.encode("cp1252"))
    assert run_batch(raw, out)["garbled.txt"].status == "done"
    check_output(out / "garbled.yaml", text)
