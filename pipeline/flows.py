"""Prefect orchestration: find documents, hand the changed ones to tasks in batches, report.

The flow only orchestrates; extraction is `pipeline.extract`, and telling which
documents changed is `pipeline.incremental` (the command line asks it before any
flow starts). Discovery is streamed and at most `in_flight` batches are out at
once, their outcomes reduced into the summary as they complete: memory stays flat
however large the corpus.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from prefect import flow, task
from spacy.language import Language
from prefect.artifacts import create_markdown_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from pipeline.extract import parse, pipeline_for
from pipeline.incremental import is_current, is_unchanged, orphans, output_path, prune, size_of
from pipeline.ingest import MAX_BYTES, IngestError, discover, read_source, relative_name
from pipeline.models import CATEGORIES
from pipeline.progress import Outcome, Summary, publish
from pipeline.record import record_from_context, write_record
from pipeline.rules import Rules, document_budget, fingerprint_of, regex_budget

__all__ = ["extract_flow", "process_batch", "output_path", "is_current", "task_runner", "Outcome", "Summary"]

RUNNERS = ("threads", "processes", "dask")


def process_batch(paths: list[str], raw_root: str, out_root: str, rules_dir: str,
                  force: bool = False, max_bytes: int = MAX_BYTES) -> list[Outcome]:
    """Extract and write a batch of documents; one bad document never stops the others."""
    rules, nlp = pipeline_for(rules_dir)
    outcomes: list[Outcome] = []
    with nlp.memory_zone():  # the strings the batch's documents added to the vocabulary go with it
        for p in paths:
            outcomes.append(_process_one(Path(p), Path(raw_root), Path(out_root), rules, nlp, force, max_bytes))
    return outcomes


def _process_one(path: Path, raw_root: Path, out_root: Path, rules: Rules, nlp: Language, force: bool,
                 max_bytes: int) -> Outcome:
    """Extract and write one document; what went wrong becomes a failed outcome."""
    rel, size = relative_name(path, raw_root), size_of(path)
    try:
        src = read_source(path, raw_root, max_bytes)
        target = output_path(rel, out_root)
        if not force and is_current(target, src.sha256, rules.fingerprint):
            return Outcome(rel, "skipped", bytes=size)
        with regex_budget(document_budget(len(src.text))):
            doc = parse(nlp, src.text, src.preset)
        record = record_from_context(doc._.foi, source_path=f"{raw_root.name}/{rel}" if raw_root.is_dir() else rel,
                                     sha256=src.sha256, rules_fingerprint=rules.fingerprint)
        record.describe_source(src)
        data = write_record(record, target)
        items = {c: len(data[c]) for c in ("messages",) + CATEGORIES}
        return Outcome(rel, "done", items=items, chars=len(src.text), warnings=record.warnings, bytes=size)
    except IngestError as e:
        return Outcome(rel, "failed", str(e), bytes=size)
    except Exception as e:  # noqa: BLE001 - report and go on with the others
        return Outcome(rel, "failed", f"{type(e).__name__}: {e}", bytes=size)


def batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def task_runner(kind: str = "threads", workers: int | None = None, dask_address: str | None = None) -> TaskRunner:
    """Prefect's task runner for `--runner`: threads (Prefect's default), processes, or Dask.

    With `dask_address` the run joins that Dask cluster; `--runner dask` alone starts
    a local cluster of `workers` single-threaded worker processes on 127.0.0.1.
    """
    workers = workers or os.cpu_count() or 1
    if dask_address or kind == "dask":
        from prefect_dask import DaskTaskRunner
        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                              "host": "127.0.0.1", "dashboard_address": None})
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=workers)
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    raise ValueError(f"unknown runner {kind!r}: one of {', '.join(RUNNERS)}")


@dataclass
class BatchOutcomes:
    """A task's outcomes as one object. Until the flow ends, Prefect keeps an entry for each
    object a task returns and for each item of a returned list (to link it to the task run):
    a list of outcomes cost about half a kilobyte per document of a long run."""
    outcomes: list[Outcome]


@task(name="extract-batch", retries=0)
def extract_batch(paths: list[str], raw_root: str, out_root: str, rules_dir: str, force: bool,
                  max_bytes: int = MAX_BYTES) -> BatchOutcomes:
    return BatchOutcomes(process_batch(paths, raw_root, out_root, rules_dir, force, max_bytes))


@flow(name="foi-extract", log_prints=True)
def extract_flow(raw: str = "raw", out: str = "extracted", rules: str = "rules", batch_size: int = 100,
                 force: bool = False, max_bytes: int = MAX_BYTES, prune_removed: bool = False,
                 in_flight: int = 4) -> Summary:
    """Extract the changed documents under `raw` into YAML under `out`, `batch_size` per task.

    Paths are made absolute so that workers elsewhere (a Dask cluster sharing the
    file system) find them. Outputs whose source is gone are reported, and deleted
    with `prune_removed`.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    raw, out, rules = (os.path.abspath(p) for p in (raw, out, rules))
    summary, pending = Summary(), {}

    def reduce(future: PrefectFuture) -> None:
        batch = pending.pop(future)
        result = future.result(raise_on_failure=False)
        if isinstance(result, BaseException):  # the task itself failed (e.g. a worker died)
            result = BatchOutcomes([Outcome(relative_name(Path(p), Path(raw)), "failed",
                                            f"{type(result).__name__}: {result}", bytes=size_of(Path(p)))
                                    for p in batch])
        for outcome in result.outcomes:
            summary.add(outcome)
            publish(outcome)

    for batch in batched(_changed(raw, out, fingerprint_of(Path(rules)), force, summary), batch_size):
        while len(pending) >= in_flight:
            reduce(next(as_completed(list(pending))))
        pending[extract_batch.submit(batch, raw, out, rules, force, max_bytes)] = batch
    for future in as_completed(list(pending)):
        reduce(future)

    summary.removed = [p.relative_to(out).as_posix() for p in orphans(Path(raw), Path(out))]
    if prune_removed and summary.removed:
        prune([Path(out) / r for r in summary.removed], Path(out))
        summary.pruned = True
    summary.seconds = time.perf_counter() - started
    summary.cpu_seconds = time.process_time() - cpu_started
    create_markdown_artifact(key="foi-extract-summary", markdown=summary.markdown(),
                             description="documents done, skipped and failed; items per category")
    return summary


def _changed(raw: str, out: str, fingerprint: str, force: bool, summary: Summary) -> Iterator[str]:
    """The documents under `raw` to extract; unchanged ones are counted as skipped on the way."""
    for path in discover(Path(raw)):
        if not force and is_unchanged(path, Path(raw), Path(out), fingerprint):
            outcome = Outcome(relative_name(path, Path(raw)), "skipped", bytes=size_of(path))
            summary.add(outcome)
            publish(outcome)
        else:
            yield str(path)
