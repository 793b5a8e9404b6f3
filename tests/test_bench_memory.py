"""The benchmark's memory sampler: an exited child is not read as a process of 0 MB."""
import subprocess
import sys
import threading
import time

import pytest

from pipeline.bench import Memory

psutil = pytest.importorskip("psutil")


def test_memory_trace_ends_with_the_last_live_sample():
    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(30_000_000); time.sleep(0.3)"])
    memory, stop = Memory(), threading.Event()
    watcher = threading.Thread(target=memory.watch, args=(child.pid, stop, 0.05))
    watcher.start()
    time.sleep(1.0)  # the child exits and stays a zombie (not reaped) while samples go on
    child.wait()
    stop.set()
    watcher.join()
    assert memory.trace, "no sample taken"
    assert min(memory.trace) > 0
    assert memory.quartiles()[-1] > 0
