"""kill -9 in the middle of a run, then run again: every output file is whole and valid
at every moment, leftovers of the interrupted write are never taken for output, and
the finished result equals a clean run byte for byte.

The worker is a forked child process running process_batch (a fresh interpreter would
spend seconds importing Prefect and spaCy; the kill is the same SIGKILL either way).
"""
from __future__ import annotations

import os
import select
import signal
import time
from typing import Callable

from hostile_kit import check_output, outputs, run_batch, write_letters

LETTERS = 40


def fork_worker(work: Callable[[], None]) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns to pytest
        try:
            work()
        finally:
            os._exit(0)
    return pid


def hang_at_write(number: int, signal_fd: int) -> None:
    """In the worker: the `number`-th write hangs once its temporary file is complete,
    before the rename, and says so on `signal_fd`."""
    real_replace, writes = os.replace, [0]

    def hang_then_rename(source, target) -> None:
        writes[0] += 1
        if writes[0] == number:
            os.write(signal_fd, b"writing")
            time.sleep(600)
        real_replace(source, target)
    os.replace = hang_then_rename


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def assert_whole(out, raw, clean: dict[str, bytes]) -> None:
    """Whatever a reader finds now is complete: valid, spans right, identical to the clean run."""
    for rel, data in outputs(out).items():
        check_output(out / rel, (raw / rel.replace(".yaml", ".txt")).read_text(encoding="utf-8"))
        assert data == clean[rel], rel


def test_kill_minus_9_mid_write_and_mid_run_then_resume_equals_a_clean_run(tmp_path):
    raw = tmp_path / "raw"
    write_letters(raw, LETTERS)
    run_batch(raw, tmp_path / "clean", force=False)
    clean = outputs(tmp_path / "clean")
    assert len(clean) == LETTERS
    out = tmp_path / "out"

    # 1. killed while the 15th output is written: complete in a temporary file, not yet renamed
    said, told = os.pipe()
    pid = fork_worker(lambda: (hang_at_write(15, told), run_batch(raw, out, force=False)))
    ready, _, _ = select.select([said], [], [], 60)
    assert ready and os.read(said, 16) == b"writing"
    kill(pid)
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".letter_014.yaml.")
    assert len(outputs(out)) == 14
    assert_whole(out, raw, clean)

    # 2. killed at an arbitrary moment once a few more outputs exist
    pid = fork_worker(lambda: run_batch(raw, out, force=False))
    while len(outputs(out)) < 20:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            break  # it finished first: a valid ending too
        time.sleep(0.005)
    else:
        kill(pid)
    assert_whole(out, raw, clean)

    # 3. run to the end: resumed documents are skipped, the rest written, leftovers gone
    outcomes = run_batch(raw, out, force=False)
    assert {o.status for o in outcomes.values()} <= {"done", "skipped"}
    assert sum(o.status == "skipped" for o in outcomes.values()) >= 20
    assert outputs(out) == clean
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
