"""`foi-extract run`: survey first, start Prefect only when there is work, show progress, report.

Prefect's temporary API server takes seconds to start; a run with nothing to do
must not pay for it, and a run with work starts it in the background while this
process loads the rules and builds the spaCy pipeline.
"""
from __future__ import annotations

import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from pipeline import api_server
from pipeline.incremental import orphans, prune, survey
from pipeline.ingest import MAX_BYTES
from pipeline.models import CATEGORIES
from pipeline.progress import Summary, progress_bar
from pipeline.rules import fingerprint_of, load_rules

# Defaults for this command (the environment overrides them): no telemetry from the
# temporary server or the client (without a network it fails slowly, and the client's
# notice lands on the progress bar); longer than Prefect's 20 s for the temporary
# server to start (it took 25 s on 2 loaded cores, and a timed-out one is left
# running); Prefect's per-task INFO lines off the terminal, where the progress bar is
# (they still reach the API).
PREFECT_DEFAULTS = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
                    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING"}


@dataclass
class RunOptions:
    batch_size: int = 100
    force: bool = False
    max_bytes: int = MAX_BYTES
    prune: bool = False
    runner: str = "threads"
    workers: int | None = None
    dask_address: str | None = None
    progress: bool = True


@dataclass
class RunResult:
    summary: Summary
    started_prefect: bool
    prefect_seconds: float = 0.0  # start-up and bookkeeping of Prefect, outside the flow's own work

    @property
    def exit_code(self) -> int:
        return 1 if self.summary.failed else 0

    def to_dict(self) -> dict:
        """The numbers of the run, for scripts (`run --summary-json`)."""
        s = self.summary
        return {"done": s.done, "skipped": s.skipped, "failed": len(s.failed), "removed": len(s.removed),
                "items": dict(s.items), "bytes": s.bytes, "seconds": s.seconds, "cpu_seconds": s.cpu_seconds,
                "started_prefect": self.started_prefect, "prefect_seconds": self.prefect_seconds}


def run_batch(raw: Path, out: Path, rules: Path, options: RunOptions, console: Console) -> RunResult:
    """Extract the changed documents under RAW into OUT (RuleError when the rules are broken)."""
    began = time.perf_counter()
    found = survey(raw, out, fingerprint_of(rules), options.force, options.max_bytes)
    if found.nothing_to_do:
        summary = Summary(skipped=found.unchanged, failed=found.failed)
        summary.removed = [p.relative_to(out).as_posix() for p in orphans(raw, out)]
        if options.prune and summary.removed:
            prune([out / r for r in summary.removed], out)
            summary.pruned = True
        summary.seconds = time.perf_counter() - began
        return RunResult(summary, started_prefect=False)
    load_rules(rules)  # broken rules are reported before Prefect starts
    return _run_flow(raw, out, rules, options, found.documents, found.bytes, console)


def _run_flow(raw: Path, out: Path, rules: Path, options: RunOptions, documents: int, size: int,
              console: Console) -> RunResult:
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    began = time.perf_counter()
    api_server.start_early()  # boots while Prefect and the pipeline are loaded here
    from pipeline.extract import pipeline_for
    from pipeline.flows import extract_flow, task_runner

    if options.runner == "threads" and not options.dask_address:
        pipeline_for(rules)  # the rules are loaded once, here, for the task threads
    workers = options.workers or os.cpu_count() or 1
    flow = extract_flow.with_options(task_runner=task_runner(options.runner, workers, options.dask_address))
    api_server.wait_until_up()
    with progress_bar(documents, size, console) if options.progress and console.is_terminal else nullcontext():
        summary = flow(raw=str(raw), out=str(out), rules=str(rules), batch_size=options.batch_size,
                       force=options.force, max_bytes=options.max_bytes, prune_removed=options.prune,
                       in_flight=2 * workers)
    return RunResult(summary, started_prefect=True,
                     prefect_seconds=time.perf_counter() - began - summary.seconds)


def report(result: RunResult, console: Console) -> None:
    """The run summary on the terminal: counts, items per category, removed sources, time."""
    s = result.summary
    for rel, warning in s.warnings:  # names and reasons are data: never read as markup
        console.print(f"[yellow]warning[/yellow] {escape(rel)}: {escape(warning)}", highlight=False)
    for rel, reason in s.failed:
        console.print(f"[red]failed[/red] {escape(rel)}: {escape(reason)}", highlight=False)
    for rel in s.removed:
        console.print(f"[magenta]{'pruned' if s.pruned else 'source removed'}[/magenta] {escape(rel)}",
                      highlight=False)
    if s.items:
        console.print("items: " + ", ".join(f"{c} {s.items.get(c, 0)}" for c in ("messages",) + CATEGORIES),
                      highlight=False)
    if not result.started_prefect:
        console.print(f"nothing to do: {s.skipped} unchanged, failed {len(s.failed)}, "
                      f"removed {len(s.removed)} ({s.seconds:.2f} s, Prefect not started)", highlight=False)
        return
    console.print(f"done {s.done}, skipped {s.skipped}, failed {len(s.failed)}, removed {len(s.removed)} "
                  f"in {s.seconds:.1f} s ({s.bytes / 1e6:.2f} MB, {s.mb_per_second:.2f} MB/s; "
                  f"Prefect start-up and bookkeeping {result.prefect_seconds:.1f} s)", highlight=False)


def serve_deployment(raw: Path, out: Path, rules: Path, *, cron: str, name: str, runner: str = "threads",
                     workers: int | None = None, dask_address: str | None = None, prune: bool = False) -> None:
    """Serve the flow as a deployment run on `cron` (blocks; Ctrl-C stops it).

    Schedules are kept by a Prefect server's scheduler: the temporary server a plain
    run starts has none, so PREFECT_API_URL must name a server.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise RuntimeError("serve needs a Prefect server: run `prefect server start`, then "
                           "`export PREFECT_API_URL=http://127.0.0.1:4200/api`")
    load_rules(rules)
    from pipeline.flows import extract_flow, task_runner

    workers = workers or os.cpu_count() or 1
    flow = extract_flow.with_options(task_runner=task_runner(runner, workers, dask_address))
    flow.serve(name=name, cron=cron, parameters={
        "raw": os.path.abspath(raw), "out": os.path.abspath(out), "rules": os.path.abspath(rules),
        "prune_removed": prune, "in_flight": 2 * workers})
