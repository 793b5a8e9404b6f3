"""Prefect orchestration: find documents, batch them into tasks, extract, write.

The flow only orchestrates; extraction is `pipeline.extract`. Work that needs no
orchestration (finding that nothing changed) happens before any flow starts.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from prefect import flow, task

from pipeline.extract import pipeline_for
from pipeline.ingest import MAX_BYTES, IngestError, discover, read_source, relative_name
from pipeline.models import CATEGORIES
from pipeline.record import record_from_context, write_record
from pipeline.rules import document_budget, regex_budget


@dataclass
class Outcome:
    rel: str
    status: str  # done, skipped, failed
    reason: str = ""
    items: dict[str, int] = field(default_factory=dict)
    chars: int = 0
    warnings: list[str] = field(default_factory=list)  # e.g. a rule stopped by its timeout


@dataclass
class Summary:
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    items: Counter = field(default_factory=Counter)
    chars: int = 0
    seconds: float = 0.0

    def add(self, o: Outcome) -> None:
        if o.status == "done":
            self.done += 1
            self.items.update(o.items)
            self.chars += o.chars
            self.warnings += [(o.rel, w) for w in o.warnings]
        elif o.status == "skipped":
            self.skipped += 1
        else:
            self.failed.append((o.rel, o.reason))

    def markdown(self) -> str:
        lines = ["# foi-extract run", "",
                 f"- documents done: {self.done}", f"- skipped (unchanged): {self.skipped}",
                 f"- failed: {len(self.failed)}", f"- time: {self.seconds:.1f} s", "",
                 "| category | items |", "|---|---|"]
        lines += [f"| {c} | {self.items.get(c, 0)} |" for c in ("messages",) + CATEGORIES]
        if self.failed:
            lines += ["", "## Failed", ""] + [f"- `{p}`: {r}" for p, r in self.failed]
        if self.warnings:
            lines += ["", "## Warnings", ""] + [f"- `{p}`: {w}" for p, w in self.warnings]
        return "\n".join(lines)


def output_path(rel: str, out_root: Path) -> Path:
    """`dfe/000.txt` -> OUT/dfe/000.yaml; a name that would lead out of OUT is refused.

    '..' parts are refused rather than dropped: dropping them would let `a/../b.txt`
    overwrite the output of `a/b.txt`.
    """
    name = Path(rel)
    if name.is_absolute() or ".." in name.parts or not name.name:
        raise IngestError(f"output name {rel!r} would fall outside the output folder")
    target = Path(out_root) / name.with_suffix(".yaml")
    if not target.resolve().is_relative_to(Path(out_root).resolve()):
        raise IngestError(f"output path {target} leads outside {out_root} (through a symbolic link)")
    return target


_HEAD = re.compile(r"^\s+sha256: ([0-9a-f]{64})$|^\s+rules: (sha256:[0-9a-f]{64})$", re.M)


def is_current(out_file: Path, sha256: str, fingerprint: str) -> bool:
    """Does the existing output carry this source hash and rules fingerprint? (reads its head only)"""
    try:
        with open(out_file, encoding="utf-8") as f:
            head = f.read(1024)
    except OSError:
        return False
    found = {m.group(1) or m.group(2) for m in _HEAD.finditer(head)}
    return sha256 in found and fingerprint in found


def process_batch(paths: list[str], raw_root: str, out_root: str, rules_dir: str,
                  force: bool = False, max_bytes: int = MAX_BYTES) -> list[Outcome]:
    """Extract and write a batch of documents; one bad document never stops the others."""
    rules, nlp = pipeline_for(rules_dir)
    outcomes: list[Outcome] = []
    for p in paths:
        rel = relative_name(Path(p), Path(raw_root))
        try:
            src = read_source(Path(p), Path(raw_root), max_bytes)
            target = output_path(rel, Path(out_root))
            if not force and is_current(target, src.sha256, rules.fingerprint):
                outcomes.append(Outcome(rel, "skipped"))
                continue
            with regex_budget(document_budget(len(src.text))):
                doc = nlp(src.text)
            record = record_from_context(doc._.foi, source_path=f"{Path(raw_root).name}/{rel}"
                                         if Path(raw_root).is_dir() else rel,
                                         sha256=src.sha256, rules_fingerprint=rules.fingerprint)
            record.source.update(src.provenance())
            data = write_record(record, target)
            items = {c: len(data[c]) for c in ("messages",) + CATEGORIES}
            outcomes.append(Outcome(rel, "done", items=items, chars=len(src.text), warnings=record.warnings))
        except IngestError as e:
            outcomes.append(Outcome(rel, "failed", str(e)))
        except Exception as e:  # noqa: BLE001 - report and go on with the others
            outcomes.append(Outcome(rel, "failed", f"{type(e).__name__}: {e}"))
    return outcomes


def batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@task(name="extract-batch", retries=0)
def extract_batch(paths: list[str], raw_root: str, out_root: str, rules_dir: str, force: bool,
                  max_bytes: int = MAX_BYTES) -> list[Outcome]:
    return process_batch(paths, raw_root, out_root, rules_dir, force, max_bytes)


@flow(name="foi-extract", log_prints=True)
def extract_flow(raw: str = "raw", out: str = "extracted", rules: str = "rules",
                 batch_size: int = 100, force: bool = False, max_bytes: int = MAX_BYTES) -> Summary:
    """Extract every document under `raw` into YAML under `out`, `batch_size` per task."""
    started = time.perf_counter()
    futures = [extract_batch.submit(batch, raw, out, rules, force, max_bytes)
               for batch in batched((str(p) for p in discover(Path(raw))), batch_size)]
    summary = Summary()
    for fut in futures:
        for outcome in fut.result():
            summary.add(outcome)
    summary.seconds = time.perf_counter() - started
    return summary
