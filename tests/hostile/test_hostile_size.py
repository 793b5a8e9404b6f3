"""Size: a document over the limit is refused at once, with the limit and how to raise
it; one very long line and a long document are extracted in bounded time and memory.

Measured by hand, not run here (too slow for the suite), on the 2-core machine under load:
- a 1,000,000-character single line: ~21 s (regexes ~10 s: 181 rules at ~40 ms per rule
  per MB; spaCy ~3 s), linear in length; nothing special about one line.
- a 100 MB document (with --max-bytes raised): ~125 s and 4.3 GB of memory (~43 bytes
  per character: spaCy keeps every token), which is why the default limit
  (`--max-bytes`, pipeline.ingest.MAX_BYTES) is 20 MB.
The test sizes below keep the suite fast while still being far above real letters.
"""
from __future__ import annotations

import json
import os
import resource
import time

from hostile_kit import check_output, letter, run_batch, write_letters
from pipeline.ingest import MAX_BYTES

SENTENCE = ("Your request of 19 December 2016 (our ref 2016-0058280) asked for 2,462 records; "
            "we withhold names under section 40(2) of the Freedom of Information Act 2000. ")


def test_a_100_mb_document_is_refused_at_once_and_the_others_are_extracted(tmp_path):
    raw = tmp_path / "raw"
    write_letters(raw, 2)
    with open(raw / "archive.txt", "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: no disk, no time
    started = time.perf_counter()
    outcomes = run_batch(raw, tmp_path / "out")
    assert time.perf_counter() - started < 10
    assert outcomes["archive.txt"].reason == (f"104857600 bytes is over the limit of {MAX_BYTES} "
                                              "(raise it with --max-bytes)")
    assert [o.status for rel, o in sorted(outcomes.items()) if rel != "archive.txt"] == ["done", "done"]
    assert not (tmp_path / "out" / "archive.yaml").exists()


def test_the_limit_is_configurable(tmp_path):
    raw = tmp_path / "raw"
    write_letters(raw, 1)
    outcomes = run_batch(raw, tmp_path / "out", max_bytes=100)
    assert outcomes["letter_000.txt"].reason.endswith("bytes is over the limit of 100 (raise it with --max-bytes)")


def measured(work) -> dict:
    """Run `work` in a forked child: its seconds and how much its peak memory grew (MB)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns to pytest
        try:
            base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            work()
            took = {"seconds": time.perf_counter() - started,
                    "grew_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024}
            os.write(write_end, json.dumps(took).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        said = f.read()
    os.waitpid(pid, 0)
    return json.loads(said)


def test_a_quarter_million_characters_on_one_line_and_a_long_letter_in_bounded_time_and_memory(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    one_line = (SENTENCE * (250_000 // len(SENTENCE) + 1))[:250_000]
    long_doc = "\n".join(letter(n) for n in range(100_000 // len(letter(0))))
    (raw / "one_line.txt").write_text(one_line, encoding="utf-8")
    (raw / "long.txt").write_text(long_doc, encoding="utf-8")
    run_batch(raw, tmp_path / "warm", paths=[])  # load the pipeline before measuring
    cost = measured(lambda: run_batch(raw, out))
    assert cost["seconds"] < 30, cost  # 0.35 MB: ~3 s idle, ~10 s on a loaded machine
    assert cost["grew_mb"] < 500, cost  # ~43 bytes per character measured
    for name, text in (("one_line", one_line), ("long", long_doc)):
        record = check_output(out / f"{name}.yaml", text)
        assert record["references"] and not record.get("warnings"), name
