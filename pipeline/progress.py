"""What a run reports: each document's outcome, the run summary, and the progress bar.

No Prefect here: the command line reports a run that had nothing to do without
starting a flow. The flow publishes every outcome as it comes in; whoever watches
(the progress bar of `foi-extract run`) is told through `watching`.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn, TransferSpeedColumn)

from pipeline.models import CATEGORIES

LISTED = 100  # failures, warnings and removed sources named in the artifact (the rest counted)


@dataclass
class Outcome:
    rel: str
    status: str  # done, skipped, failed
    reason: str = ""
    items: dict[str, int] = field(default_factory=dict)
    chars: int = 0
    warnings: list[str] = field(default_factory=list)  # e.g. a rule stopped by its timeout
    bytes: int = 0  # size of the source on disk


@dataclass
class Summary:
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    items: Counter = field(default_factory=Counter)
    chars: int = 0
    bytes: int = 0  # of the documents extracted (not of the skipped ones)
    removed: list[str] = field(default_factory=list)  # outputs whose source is gone
    pruned: bool = False  # ... and were deleted
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the flow's process: all the work when tasks run in threads

    def add(self, o: Outcome) -> None:
        if o.status == "done":
            self.done += 1
            self.items.update(o.items)
            self.chars += o.chars
            self.bytes += o.bytes
            self.warnings += [(o.rel, w) for w in o.warnings]
        elif o.status == "skipped":
            self.skipped += 1
        else:
            self.failed.append((o.rel, o.reason))

    @property
    def mb_per_second(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0

    def markdown(self) -> str:
        lines = ["# foi-extract run", "",
                 f"- documents done: {self.done}", f"- skipped (unchanged): {self.skipped}",
                 f"- failed: {len(self.failed)}",
                 f"- sources removed: {len(self.removed)}{' (outputs deleted)' if self.pruned else ''}",
                 f"- time: {self.seconds:.1f} s ({self.bytes / 1e6:.1f} MB, {self.mb_per_second:.2f} MB/s)",
                 "", "| category | items |", "|---|---|"]
        lines += [f"| {c} | {self.items.get(c, 0)} |" for c in ("messages",) + CATEGORIES]
        sections = (("Failed", [f"- `{p}`: {r}" for p, r in self.failed[:LISTED + 1]]),
                    ("Warnings", [f"- `{p}`: {w}" for p, w in self.warnings[:LISTED + 1]]),
                    ("Sources removed", [f"- `{p}`" for p in self.removed[:LISTED + 1]]))
        for (title, entries), total in zip(sections, (self.failed, self.warnings, self.removed)):
            if entries:
                more = [f"- ... and {len(total) - LISTED} more"] if len(total) > LISTED else []
                lines += ["", f"## {title}", ""] + entries[:LISTED] + more
        return "\n".join(lines)


# --------------------------------------------------------------------------- watching
_watchers: list[Callable[[Outcome], None]] = []


@contextmanager
def watching(callback: Callable[[Outcome], None]) -> Iterator[None]:
    """Call `callback` with every outcome published while the block runs."""
    _watchers.append(callback)
    try:
        yield
    finally:
        _watchers.remove(callback)


def publish(outcome: Outcome) -> None:
    for watcher in list(_watchers):
        watcher(outcome)


@contextmanager
def progress_bar(documents: int, size: int, console: Console) -> Iterator[None]:
    """A bar over the documents of a run (count, MB, rate, ETA) while the block runs."""
    bar = Progress(TextColumn("[bold]extracting"), BarColumn(),
                   TextColumn("{task.fields[docs]}/{task.fields[of]} docs"), DownloadColumn(),
                   TransferSpeedColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                   TimeRemainingColumn(), console=console, transient=False)
    task = bar.add_task("run", total=max(size, 1), docs=0, of=documents)
    count = 0

    def advance(o: Outcome) -> None:
        nonlocal count
        count += 1
        bar.update(task, advance=o.bytes, docs=count)

    with bar, watching(advance):
        yield
