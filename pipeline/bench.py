"""`foi-extract bench`: the batch path's throughput, memory and no-op time on a synthetic corpus.

The corpus is made from the real documents in raw/: each synthetic document is one
of them with some paragraphs dropped, a paragraph of another inserted, and longer
numbers (references, counts) changed, so no two are alike. The run is the real
`foi-extract run` in a child process (Prefect start-up reported apart), sampled for
memory; then, on the same text, the pipeline's stages one by one, a bare pass of
the rules' regexes (the practical limit) and dateparser's `search_dates` alone.
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.ingest import discover, read_source

_clock = time.process_time  # stage timings are CPU time: other load on the machine does not count
_LONG_NUMBER = re.compile(r"\d{3,}")
_YEAR = re.compile(r"(?:19|20)\d\d")


# --------------------------------------------------------------------------- the corpus
def synthetic_texts(source: Path, n: int, seed: int = 0) -> Iterator[str]:
    """`n` documents recombined and perturbed from the real ones under `source`."""
    originals = [read_source(p, source).text for p in discover(source) if p.is_file()]
    if not originals:
        raise ValueError(f"no documents under {source}")
    paragraphs = [p for text in originals for p in text.split("\n\n") if p.strip()]
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        base = originals[i % len(originals)].split("\n\n")
        kept = [p for p in base if rng.random() > 0.1] or base
        kept.insert(rng.randrange(len(kept) + 1), rng.choice(paragraphs))
        yield _LONG_NUMBER.sub(lambda m: _other_number(m.group(), rng), "\n\n".join(kept))


def _other_number(digits: str, rng: random.Random) -> str:
    if _YEAR.fullmatch(digits) or rng.random() > 0.5:  # years stay: dates must stay dates
        return digits
    return digits[0] + "".join(rng.choice("0123456789") for _ in digits[1:])


def build_corpus(source: Path, dest: Path, n: int, per_folder: int = 1000) -> tuple[int, int]:
    """Write `n` synthetic documents under `dest` (folders of `per_folder`); (documents, bytes)."""
    size = 0
    for i, text in enumerate(synthetic_texts(source, n)):
        path = dest / f"{i // per_folder:04d}" / f"doc{i:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        size += len(data)
    return n, size


# --------------------------------------------------------------------------- the end-to-end run
@dataclass
class Memory:
    """Peak resident memory of a process tree, sampled (MB)."""
    peaks: dict[str, float] = field(default_factory=dict)  # role -> peak MB of one process
    total: float = 0.0  # peak of the tree (Prefect's server left out)
    trace: list[float] = field(default_factory=list)  # the tree's MB at each sample: flat or growing?

    def quartiles(self) -> list[float]:
        """The tree's memory a quarter, half, three quarters of the way through, and at the end."""
        n = len(self.trace)
        return [self.trace[min(n - 1, n * q // 4)] for q in (1, 2, 3, 4)] if n else []

    def watch(self, pid: int, stop: threading.Event, every: float = 0.25) -> None:
        import psutil

        root = psutil.Process(pid)
        while not stop.is_set():
            try:
                if root.status() == psutil.STATUS_ZOMBIE:  # exited, not yet reaped: it reads as 0 MB
                    break
                procs = [root] + root.children(recursive=True)
                total = 0.0
                for p in procs:
                    role = _role(p, root)
                    mb = p.memory_info().rss / 1e6
                    self.peaks[role] = max(self.peaks.get(role, 0.0), mb)
                    total += 0 if role == "prefect server" else mb
                self.total = max(self.total, total)
                self.trace.append(total)
            except psutil.Error:
                pass
            stop.wait(every)


def _role(proc, root) -> str:
    if proc.pid == root.pid:
        return "pipeline (flow) process"
    cmd = " ".join(proc.cmdline())
    return "prefect server" if "uvicorn" in cmd or "prefect.server" in cmd else "worker process"


def timed_run(args: list[str], env: dict | None = None) -> tuple[dict, float, Memory]:
    """`foi-extract run ARGS --summary-json F` in a child process: (summary, wall seconds, memory)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "summary.json"
        cmd = [sys.executable, "-m", "pipeline.cli", "run", *args, "--no-progress", "--summary-json", str(report)]
        memory, stop = Memory(), threading.Event()
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        watcher = threading.Thread(target=memory.watch, args=(proc.pid, stop), daemon=True)
        watcher.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - began
        stop.set()
        watcher.join()
        if not report.exists():
            raise RuntimeError(f"foi-extract run failed ({proc.returncode}):\n{err[-3000:]}")
        return json.loads(report.read_text()), wall, memory


# --------------------------------------------------------------------------- the same text, stage by stage
def stage_times(texts: list[str], rules_dir: Path, scratch: Path) -> Counter:
    """Seconds per stage over `texts`: tokenizer, each spaCy component, record, schema check, YAML, write."""
    from pipeline.extract import pipeline_for
    from pipeline.record import record_from_context, check, to_yaml, write_atomic
    from pipeline.rules import document_budget, regex_budget

    rules, nlp = pipeline_for(rules_dir)
    spent: Counter = Counter()
    for i, text in enumerate(texts):
        t = _clock()
        doc = nlp.make_doc(text)
        spent["tokenizer"] += _clock() - t
        with regex_budget(document_budget(len(text))):
            for name, component in nlp.pipeline:
                t = _clock()
                doc = component(doc)
                spent[name] += _clock() - t
        t = _clock()
        data = record_from_context(doc._.foi, source_path=f"bench/{i}.txt", sha256="0" * 64,
                                   rules_fingerprint=rules.fingerprint).to_dict()
        spent["record"] += _clock() - t
        for name, step in (("schema check", lambda: check(data)), ("yaml", lambda: to_yaml(data))):
            t = _clock()
            out = step()
            spent[name] += _clock() - t
        t = time.perf_counter()
        write_atomic(scratch / f"{i}.yaml", out)
        spent["write (wall)"] += time.perf_counter() - t
    return spent


def read_times(paths: list[Path], root: Path) -> float:
    t = _clock()
    for p in paths:
        read_source(p, root)
    return _clock() - t


def bare_regex_pass(texts: list[str], rules_dir: Path) -> Counter:
    """Seconds per rule for its regex over `texts`, doing nothing with the matches."""
    from pipeline.rules import load_rules

    spent: Counter = Counter()
    for rule in load_rules(rules_dir).all_rules():
        if rule.regex and rule.compiled is not None:
            t = _clock()
            for text in texts:
                for _ in rule.compiled.finditer(text):
                    pass
            spent[rule.id] += _clock() - t
    return spent


def dateparser_pass(texts: list[str]) -> float:
    from dateparser.search import search_dates

    search_dates("warm up on 19 December 2016", languages=["en"])
    t = _clock()
    for text in texts:
        search_dates(text, languages=["en"])
    return _clock() - t


# --------------------------------------------------------------------------- the report
def bench(source: Path, rules_dir: Path, work: Path, documents: int, runner: str, workers: int,
          sample: int, dateparser_sample: int, say=print) -> dict:
    """Build the corpus under `work`, run, re-run, and measure the stages; returns the numbers."""
    raw, out = work / "raw", work / "extracted"
    t = time.perf_counter()
    n, size = build_corpus(source, raw, documents)
    mb = size / 1e6
    say(f"corpus: {n} documents, {mb:.1f} MB, built from {source}/ in {time.perf_counter() - t:.1f} s")

    args = [str(raw), "--out", str(out), "--rules", str(rules_dir), "--runner", runner, "--workers", str(workers)]
    summary, wall, memory = timed_run(args)
    # Per core: with threads all the work is in the flow's process, whose CPU time is
    # measured (a busy machine does not skew it); otherwise wall time x workers.
    core_seconds = summary["cpu_seconds"] if runner == "threads" else summary["seconds"] * workers
    rate, docs_rate = mb / summary["seconds"], summary["done"] / summary["seconds"]
    say(f"run ({runner}, {workers} worker(s)): {summary['done']} done, {summary['failed']} failed in "
        f"{summary['seconds']:.1f} s after start-up ({summary['cpu_seconds']:.1f} s CPU in the flow's process); "
        f"Prefect start-up and bookkeeping {summary['prefect_seconds']:.1f} s; wall {wall:.1f} s")
    say(f"  end to end after start-up: {rate:.2f} MB/s, {docs_rate:.1f} documents/s; "
        f"per core: {mb / core_seconds:.2f} MB/s, {summary['done'] / core_seconds:.1f} documents/s")
    say("  peak RSS: " + ", ".join(f"{role} {peak:.0f} MB" for role, peak in sorted(memory.peaks.items()))
        + f"; ours together {memory.total:.0f} MB")
    say("  ours together at 1/4, 1/2, 3/4 of the run and at its end: "
        + ", ".join(f"{mb:.0f} MB" for mb in memory.quartiles()))

    again, noop_wall, _ = timed_run(args)
    say(f"no-op re-run over {n} unchanged documents: {noop_wall:.2f} s wall "
        f"({'nothing to do, Prefect not started' if not again['started_prefect'] else 'Prefect started!'})")

    paths = sorted(p for p in discover(raw))[:sample]
    texts = [read_source(p, raw).text for p in paths]
    sample_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    with tempfile.TemporaryDirectory() as scratch:
        spent = stage_times(texts, rules_dir, Path(scratch))
    spent["read + decode"] = read_times(paths, raw)
    pipeline_s = sum(spent.values())
    per_rule = bare_regex_pass(texts, rules_dir)
    regex_s = sum(per_rule.values())
    dp_texts = texts[:dateparser_sample]
    dp_mb = sum(len(t.encode("utf-8")) for t in dp_texts) / 1e6
    dp_s = dateparser_pass(dp_texts)
    say(f"same text, {len(texts)} documents ({sample_mb:.1f} MB), one process:")
    say(f"  pipeline stages {pipeline_s:.2f} s = {sample_mb / pipeline_s:.2f} MB/s")
    say(f"  bare pass of the rules' regexes {regex_s:.2f} s = {sample_mb / regex_s:.2f} MB/s "
        f"(the pipeline takes {pipeline_s / regex_s:.1f}x as long)")
    say("    slowest regexes: " + ", ".join(f"{rule} {seconds:.2f} s" for rule, seconds in per_rule.most_common(5)))
    say(f"  dateparser.search.search_dates(languages=['en']) alone on {len(dp_texts)} documents: "
        f"{dp_s:.2f} s = {dp_mb / dp_s:.3f} MB/s (the pipeline is {dp_s / dp_mb / (pipeline_s / sample_mb):.1f}x "
        f"as fast)")
    say("  per stage (slowest first):")
    for name, seconds in spent.most_common():
        say(f"    {name:<22} {seconds:7.2f} s  {100 * seconds / pipeline_s:5.1f}%  {sample_mb / seconds:8.2f} MB/s")
    return {"documents": n, "mb": mb, "run": summary, "run_wall": wall, "peak_rss_mb": memory.peaks,
            "peak_rss_total_mb": memory.total, "rss_quartiles_mb": memory.quartiles(),
            "noop_wall": noop_wall, "mb_per_s": rate, "mb_per_s_per_core": mb / core_seconds,
            "docs_per_s_per_core": summary["done"] / core_seconds, "stages": dict(spent),
            "bare_regex_s": regex_s, "slowest_regexes": dict(per_rule.most_common(10)),
            "dateparser_s": dp_s, "dateparser_mb": dp_mb, "sample_mb": sample_mb}


def default_workers() -> int:
    return os.cpu_count() or 1
