"""One bad file never costs the others: each is reported with its path and reason,
every ordinary letter beside it is extracted, and no partial output is left."""
from __future__ import annotations

import os
import socket
import time

import pytest

from hostile_kit import check_output, letter, run_batch, write_letters

REASONS = {
    "scan.txt": "binary file, not text",
    "empty.txt": "empty file",
    "blank.txt": "empty file",
    "reply.txt": "is a directory, not a document",
    "broken.txt": "broken symbolic link (to deleted.txt)",
    "passwd.txt": "symbolic link points outside the input folder (/etc/passwd)",
    "loop.txt": "symbolic link loop",
    "etc": "symbolic link points outside the input folder (/etc)",
    "pipe.txt": "not a regular file (a FIFO, socket or device)",
    "sock.txt": "not a regular file (a FIFO, socket or device)",
    "caf\\xe9.txt": "file name is not valid UTF-8 (rename it)",
    "same.txt": "its output would overwrite that of same.md (same name, another suffix)",
    "huge.txt": "30000000 bytes is over the limit of 20000000 (raise it with --max-bytes)",
}
ORDINARY = ["FOI reply (final) v2.txt", "R\u00e9ponse \u2116 5 \u041e\u0442\u0432\u0435\u0442.txt", "a..b.txt",
            "[bold]x.txt", "alias.txt", "same.md", "reply.txt/page1.txt"]


@pytest.fixture
def zoo(tmp_path):
    raw = tmp_path / "raw"
    write_letters(raw, 3)
    (raw / "scan.txt").write_bytes(bytes(range(256)) * 20)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(b"\r\n \t\r\n")
    (raw / "reply.txt").mkdir()
    (raw / "broken.txt").symlink_to("deleted.txt")
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "loop.txt").symlink_to("loop.txt")
    (raw / "etc").symlink_to("/etc")
    os.mkfifo(raw / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(raw / "sock.txt"))
    (raw / os.fsdecode(b"caf\xe9.txt")).write_text(letter(7))
    with open(raw / "huge.txt", "wb") as f:
        f.truncate(30_000_000)  # sparse
    for n, name in enumerate(ORDINARY):
        if name != "alias.txt":
            (raw / name).write_text(letter(10 + n), encoding="utf-8")
    (raw / "alias.txt").symlink_to("letter_000.txt")
    (raw / "same.txt").write_text(letter(30))
    yield raw
    sock.close()


def test_each_bad_file_is_reported_and_every_letter_is_extracted(zoo, tmp_path):
    out = tmp_path / "out"
    started = time.perf_counter()
    outcomes = run_batch(zoo, out)
    assert time.perf_counter() - started < 30  # the FIFO never blocks the run
    failed = {rel: o.reason for rel, o in outcomes.items() if o.status == "failed"}
    assert failed == REASONS
    done = sorted(rel for rel, o in outcomes.items() if o.status == "done")
    assert done == sorted(ORDINARY + [f"letter_{n:03d}.txt" for n in range(3)])
    for rel in done:
        target = out / rel.replace(".txt", ".yaml").replace(".md", ".yaml").replace("reply.yaml/", "reply.txt/")
        check_output(target, (zoo / rel).read_text(encoding="utf-8"))
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(written) == len(done) and not [w for w in written if w.endswith(".tmp")]


def test_a_document_that_fails_mid_extraction_leaves_its_old_output_untouched(tmp_path, monkeypatch):
    """An unexpected error in one document (here: a write that fails) is that document's alone."""
    from pipeline import record

    raw, out = tmp_path / "raw", tmp_path / "out"
    write_letters(raw, 3)
    run_batch(raw, out)
    before = (out / "letter_001.yaml").read_bytes()
    (raw / "letter_001.txt").write_text(letter(99))
    real_replace = os.replace

    def disk_full(src, dst):
        if str(dst).endswith("letter_001.yaml"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)
    monkeypatch.setattr(record.os, "replace", disk_full)
    outcomes = run_batch(raw, out)
    assert outcomes["letter_001.txt"].reason == "OSError: [Errno 28] No space left on device"
    assert [o.status for rel, o in sorted(outcomes.items()) if rel != "letter_001.txt"] == ["done", "done"]
    assert (out / "letter_001.yaml").read_bytes() == before
    assert not list(out.glob(".*.tmp"))
