"""Reading correspondence as it arrives: every encoding, every line ending, and the
files that are not documents at all. Spans index the text `read_source` returns."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pipeline import ingest
from pipeline.ingest import IngestError, discover, read_source, relative_name

LETTER = ("Dear Ms Persson,\nThank you for your request of 19 December 2016 about the "
          "caf\u00e9 contract (\u00a3450, \u201cheadline figures\u201d \u2013 see below).\n"
          "Yours sincerely,\nJos\u00e9 M\u00fcller\n")


def read(tmp_path: Path, data: bytes, name: str = "letter.txt", **kw):
    (tmp_path / name).write_bytes(data)
    return read_source(tmp_path / name, tmp_path, **kw)


def refusal(tmp_path: Path, name: str) -> str:
    with pytest.raises(IngestError) as e:
        read_source(tmp_path / name, tmp_path)
    return str(e.value)


# --------------------------------------------------------------------------- encodings
@pytest.mark.parametrize("encoding, bom, recorded", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("utf-16-le", b"\xff\xfe", "utf-16-le"),
    ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32-le"),
])
def test_unicode_letters_decode_whatever_their_bom(tmp_path, encoding, bom, recorded):
    src = read(tmp_path, bom + LETTER.encode(encoding))
    assert src.text == LETTER
    assert src.encoding == recorded


def test_a_cp1252_mail_export_keeps_its_pound_signs_and_curly_quotes(tmp_path):
    src = read(tmp_path, LETTER.encode("cp1252"))
    assert src.text == LETTER and src.encoding == "cp1252"


def test_a_short_latin1_note_is_not_mistaken_for_an_eastern_code_page(tmp_path):
    note = "R\u00e9sum\u00e9 of the na\u00efve r\u00f4le: \u00a3100.\n"
    src = read(tmp_path, note.encode("latin-1"))
    assert src.text == note  # latin-1 and cp1252 agree on these bytes
    assert src.encoding in ("cp1252", "latin_1", "iso8859_15")


def test_mojibake_already_in_the_text_is_left_as_it_is(tmp_path):
    garbled = "Caf\u00c3\u00a9 \u00e2\u20ac\u0153quoted\u00e2\u20ac\x9d\n"
    assert read(tmp_path, garbled.encode("utf-8")).text == garbled


def test_a_utf16_file_cut_mid_character_keeps_its_text(tmp_path):
    src = read(tmp_path, b"\xff\xfe" + "Ref 41814".encode("utf-16-le") + b"!")
    assert src.text.startswith("Ref 41814") and src.text.endswith("\ufffd")


# --------------------------------------------------------------------------- normalising
@pytest.mark.parametrize("ending, style", [("\r\n", "crlf"), ("\r", "cr"), ("\n", "lf")])
def test_line_endings_become_lf_and_the_record_says_what_they_were(tmp_path, ending, style):
    src = read(tmp_path, LETTER.replace("\n", ending).encode())
    assert src.text == LETTER
    assert src.newlines == style
    assert src.provenance().get("newlines") == (None if style == "lf" else style)


def test_mixed_line_endings_are_called_mixed(tmp_path):
    assert read(tmp_path, b"Dear Sir,\r\nthanks.\nRegards\r").newlines == "mixed"


def test_nul_bytes_are_removed_counted_and_spans_index_the_text_without_them(tmp_path):
    src = read(tmp_path, b"Our ref: 2016-\x000058280\x00\n")
    assert src.text == "Our ref: 2016-0058280\n"
    assert src.provenance() == {"encoding": "utf-8", "nul_removed": 2}
    start = src.text.index("2016")
    assert src.text[start:start + 12] == "2016-0058280"


# --------------------------------------------------------------------------- refusals
def test_empty_and_blank_files_are_refused(tmp_path):
    for name, data in [("empty.txt", b""), ("blank.txt", b" \r\n\t\n"), ("bom.txt", b"\xff\xfe")]:
        (tmp_path / name).write_bytes(data)
        assert refusal(tmp_path, name).startswith("empty file")


def test_a_binary_file_is_refused(tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"\x00\x01\x02\x03\x04\x05\x06\x07" * 500)
    assert refusal(tmp_path, "scan.txt") == "binary file, not text"


def test_a_folder_named_like_a_document_is_reported_and_its_files_are_read(tmp_path):
    (tmp_path / "reply.txt").mkdir()
    (tmp_path / "reply.txt" / "page1.txt").write_text("Dear Sir,\n")
    assert refusal(tmp_path, "reply.txt") == "is a directory, not a document"
    assert [relative_name(p, tmp_path) for p in discover(tmp_path)] == ["reply.txt", "reply.txt/page1.txt"]


def test_fifos_and_sockets_are_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(tmp_path / "sock.txt"))
        for name in ("pipe.txt", "sock.txt"):
            assert refusal(tmp_path, name) == "not a regular file (a FIFO, socket or device)"


def test_symbolic_links_inside_are_read_and_outside_broken_or_looping_are_refused(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "letter.txt").write_text(LETTER)
    (tmp_path / "secret.txt").write_text("not yours")
    (raw / "alias.txt").symlink_to("letter.txt")
    (raw / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (raw / "broken.txt").symlink_to("gone.txt")
    (raw / "loop1.txt").symlink_to("loop2.txt")
    (raw / "loop2.txt").symlink_to("loop1.txt")
    (raw / "etc").symlink_to(tmp_path)
    assert read_source(raw / "alias.txt", raw).text == LETTER
    assert refusal(raw, "escape.txt").startswith("symbolic link points outside the input folder")
    assert refusal(raw, "broken.txt") == "broken symbolic link (to gone.txt)"
    assert refusal(raw, "loop1.txt") == "symbolic link loop"
    assert refusal(raw, "etc").startswith("symbolic link points outside")
    assert "etc" in [p.name for p in discover(raw)]  # reported, never walked into
    assert refusal(raw, "etc/secret.txt").startswith("resolves to a place outside the input folder")
    (raw / "inside").symlink_to(raw)  # a linked folder that stays inside is read through
    assert read_source(raw / "inside" / "letter.txt", raw).text == LETTER


def test_a_path_that_climbs_out_of_the_input_folder_is_refused(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "other.txt").write_text(LETTER)
    path = tmp_path / "raw" / ".." / "other.txt"
    assert relative_name(path, tmp_path / "raw") == "../other.txt"
    with pytest.raises(IngestError, match="outside the input folder"):
        read_source(path, tmp_path / "raw")


def test_names_with_spaces_unicode_and_dots_are_ordinary_documents(tmp_path):
    for name in ("FOI reply (final) v2.txt", "R\u00e9ponse \u2116 5 \u041e\u0442\u0432\u0435\u0442.txt", "a..b.txt"):
        assert read(tmp_path, LETTER.encode(), name=name).rel == name


def test_a_file_name_that_is_not_utf8_is_refused_and_shown_escaped(tmp_path):
    name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / name).write_text(LETTER)
    assert relative_name(tmp_path / name, tmp_path) == "caf\\xe9.txt"
    assert refusal(tmp_path, name) == "file name is not valid UTF-8 (rename it)"


def test_two_documents_that_would_share_an_output_name_are_not_both_written(tmp_path):
    (tmp_path / "reply.md").write_text(LETTER)
    (tmp_path / "reply.txt").write_text(LETTER)
    assert read_source(tmp_path / "reply.md", tmp_path).text == LETTER
    assert "would overwrite that of reply.md" in refusal(tmp_path, "reply.txt")


def test_a_document_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    with open(tmp_path / "huge.txt", "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: costs no disk and no time
    with pytest.raises(IngestError, match=r"104857600 bytes is over the limit of 20000000 \(raise it with --max-bytes\)"):
        read_source(tmp_path / "huge.txt", tmp_path)
    with pytest.raises(IngestError, match="over the limit of 10"):
        read(tmp_path, LETTER.encode(), max_bytes=10)


def test_permission_denied_is_a_reason_not_a_crash(tmp_path, monkeypatch):
    """Simulated: the test runs as root, who may read anything (see the next test)."""
    def denied(path, *args, **kw):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(ingest, "open", denied, raising=False)
    (tmp_path / "locked.txt").write_text(LETTER)
    assert refusal(tmp_path, "locked.txt") == "permission denied"


def test_an_unreadable_file_is_refused_for_a_real_unprivileged_reader():
    """A real chmod 000 file, read by the `nobody` user when we are root (via setpriv)."""
    as_nobody: list[str] = []
    if os.geteuid() == 0:
        if not Path("/usr/bin/setpriv").exists():
            pytest.skip("running as root and setpriv is missing: cannot drop privileges")
        as_nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run(as_nobody + [sys.executable, "-c", "import pipeline.ingest"], capture_output=True,
                               timeout=60, cwd=Path(__file__).resolve().parent.parent)
        if probe.returncode != 0:
            pytest.skip("the `nobody` user cannot read this Python environment (a private venv folder?)")
    with tempfile.TemporaryDirectory(dir="/tmp") as d:  # pytest's tmp_path is closed to others
        os.chmod(d, 0o755)
        (Path(d) / "locked.txt").write_text(LETTER)
        os.chmod(Path(d) / "locked.txt", 0)
        code = ("import sys; from pipeline.ingest import read_source, IngestError\n"
                "try: read_source(sys.argv[1] + '/locked.txt', sys.argv[1])\n"
                "except IngestError as e: print(e)")
        run = subprocess.run(as_nobody + [sys.executable, "-c", code, d], capture_output=True, text=True,
                             timeout=60, cwd=Path(__file__).resolve().parent.parent)
    assert run.stdout.strip() == "permission denied", run.stderr


def test_discovery_skips_hidden_files_temporaries_and_answer_keys(tmp_path):
    for name in ("a.txt", ".b.txt", ".a.yaml.x1.tmp", "a.key.yaml", "notes.log", "c.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.txt").write_text("x")
    assert [p.name for p in discover(tmp_path)] == ["a.txt", "c.md"]


def test_a_utf16_bom_before_a_nul_is_not_taken_for_a_utf32_bom():
    from pipeline.ingest import decode
    # FF FE 00 00 starts both a UTF-32 LE BOM and a UTF-16 LE BOM + NUL; only UTF-16 fits the rest
    assert decode(b"\xff\xfe" + "\x000".encode("utf-16-le")) == ("\x000", "utf-16-le")
    assert decode(b"\xff\xfe\x00\x00" + "ok".encode("utf-32-le")) == ("ok", "utf-32-le")
