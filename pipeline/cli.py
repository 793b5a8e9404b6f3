"""Command line: `foi-extract run`, `foi-extract rules check`, ...

Each command is a thin shell over the library; commands of other concerns are
added with `app.command()` / `app.add_typer()` in their own modules below.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from pipeline.ingest import MAX_BYTES

app = typer.Typer(help="Turn raw FOI correspondence into structured YAML.", no_args_is_help=True,
                  add_completion=False)
rules_app = typer.Typer(help="Check the rule files reviewers edit.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
console = Console(stderr=True, soft_wrap=True)  # FILE:LINE messages stay on one line


@app.command()
def run(raw: Path = typer.Argument(Path("raw"), help="input file or folder"),
        out: Path = typer.Option(Path("extracted"), "--out", help="output folder"),
        rules: Path = typer.Option(Path("rules"), "--rules", help="rules folder"),
        batch_size: int = typer.Option(100, "--batch-size", min=1, help="documents per Prefect task"),
        force: bool = typer.Option(False, "--force", help="re-extract unchanged documents too"),
        max_bytes: int = typer.Option(MAX_BYTES, "--max-bytes", min=1,
                                      help="refuse documents larger than this (bytes on disk)"),
        prune: bool = typer.Option(False, "--prune", help="delete outputs whose source is gone"),
        runner: str = typer.Option("threads", "--runner", envvar="FOI_EXTRACT_RUNNER",
                                   help="Prefect task runner: threads, processes or dask (a local cluster)"),
        workers: int = typer.Option(None, "--workers", min=1, envvar="FOI_EXTRACT_WORKERS",
                                    help="threads, processes or local Dask workers [default: cores]"),
        dask_address: str = typer.Option(None, "--dask-address", envvar="FOI_EXTRACT_DASK_ADDRESS",
                                         help="join this Dask scheduler, e.g. tcp://10.0.0.5:8786"),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="progress bar on a terminal"),
        summary_json: Path = typer.Option(None, "--summary-json", help="also write the run's numbers here")
        ) -> None:
    """Run the Prefect flow over RAW, writing one YAML per document under OUT.

    Unchanged documents are skipped; with nothing to do, Prefect is not started.
    """
    from pipeline.batch import RunOptions, report, run_batch
    from pipeline.rules import RuleError

    if not raw.exists():
        console.print(f"{raw}: no such file or folder", markup=False)
        raise typer.Exit(2)
    if runner not in ("threads", "processes", "dask"):
        console.print(f"--runner {runner}: one of threads, processes, dask", markup=False)
        raise typer.Exit(2)
    options = RunOptions(batch_size=batch_size, force=force, max_bytes=max_bytes, prune=prune, runner=runner,
                         workers=workers, dask_address=dask_address, progress=progress)
    try:
        result = run_batch(raw, out, rules, options, console)
    except RuleError as e:
        for p in e.problems:
            console.print(p, markup=False, highlight=False)
        raise typer.Exit(2)
    report(result, console)
    if summary_json:
        summary_json.write_text(json.dumps(result.to_dict(), indent=1))
    raise typer.Exit(result.exit_code)


@app.command()
def export(fmt: str = typer.Option(..., "--format", help="jsonl, csv or sqlite"),
           from_: Path = typer.Option(Path("extracted"), "--from", help="folder of YAML outputs"),
           out: Path = typer.Option(None, "--out",
                                    help="file to write [default: stdout; FROM.sqlite for sqlite]")) -> None:
    """One row per extracted item (document, category, value, kind/stance/subject, span, rule)."""
    from pipeline.export import FORMATS, export as export_items

    if fmt not in FORMATS:
        console.print(f"--format {fmt}: one of {', '.join(FORMATS)}", markup=False)
        raise typer.Exit(2)
    if not from_.is_dir():
        console.print(f"{from_}: no such folder", markup=False)
        raise typer.Exit(2)
    rows = export_items(from_, fmt, out)
    console.print(f"{rows} item rows" + (f" written to {out}" if out else ""), markup=False, highlight=False)


@app.command()
def serve(raw: Path = typer.Argument(Path("raw"), help="folder watched for new correspondence"),
          cron: str = typer.Option("0 6 * * *", "--cron", help="when to run, as a cron expression"),
          out: Path = typer.Option(Path("extracted"), "--out", help="output folder"),
          rules: Path = typer.Option(Path("rules"), "--rules", help="rules folder"),
          name: str = typer.Option("daily", "--name", help="deployment name"),
          runner: str = typer.Option("threads", "--runner", envvar="FOI_EXTRACT_RUNNER",
                                     help="Prefect task runner: threads, processes or dask"),
          workers: int = typer.Option(None, "--workers", min=1, envvar="FOI_EXTRACT_WORKERS"),
          dask_address: str = typer.Option(None, "--dask-address", envvar="FOI_EXTRACT_DASK_ADDRESS"),
          prune: bool = typer.Option(False, "--prune", help="delete outputs whose source is gone")) -> None:
    """A scheduled deployment (Prefect `flow.serve`) that extracts new correspondence in RAW.

    Needs a Prefect server: `prefect server start`, and PREFECT_API_URL pointing at it.
    """
    from pipeline.batch import serve_deployment

    try:
        serve_deployment(raw, out, rules, cron=cron, name=name, runner=runner, workers=workers,
                         dask_address=dask_address, prune=prune)
    except RuntimeError as e:
        console.print(str(e), markup=False, highlight=False)
        raise typer.Exit(2)


@app.command()
def bench(documents: int = typer.Option(10_000, "--docs", min=1, help="documents in the synthetic corpus"),
          source: Path = typer.Option(Path("raw"), "--from", help="real documents to build it from"),
          rules: Path = typer.Option(Path("rules"), "--rules", help="rules folder"),
          work: Path = typer.Option(None, "--work", help="folder for the corpus and outputs [default: temporary]"),
          runner: str = typer.Option("threads", "--runner", help="threads, processes or dask"),
          workers: int = typer.Option(None, "--workers", min=1, help="[default: 1 for threads, else cores]"),
          sample: int = typer.Option(500, "--sample", min=1, help="documents timed stage by stage"),
          dateparser_sample: int = typer.Option(20, "--dateparser-sample", min=1),
          json_out: Path = typer.Option(None, "--json", help="also write the numbers here")) -> None:
    """Throughput (MB/s and documents/s per core), peak memory and no-op time on a synthetic corpus."""
    import tempfile

    from pipeline.bench import bench as run_bench, default_workers

    workers = workers or (1 if runner == "threads" else default_workers())
    with tempfile.TemporaryDirectory(prefix="foi-bench-") as tmp:
        numbers = run_bench(source, rules, work or Path(tmp), documents, runner, workers, sample,
                            dateparser_sample, say=print)
    if json_out:
        json_out.write_text(json.dumps(numbers, indent=1))


@rules_app.command("check")
def rules_check(rules: Path = typer.Option(Path("rules"), "--rules", help="rules folder")) -> None:
    """Validate every rule file and run every rule's examples."""
    from pipeline.check import check, report_lines

    report = check(rules)
    for line in report_lines(report):
        print(line)
    if not report.ok:
        print(f"{len(report.problems)} problem(s)", file=sys.stderr)
        raise typer.Exit(1)


@app.command()
def explain(doc: Path = typer.Argument(..., help="one document"),
            at: int = typer.Option(None, "--at", help="explain this line: every rule that fired on it"),
            rules: Path = typer.Option(Path("rules"), "--rules", help="rules folder")) -> None:
    """Every extraction from DOC with the rule that made it; or, with --at, what happened on one line."""
    from pipeline.explain import explain as explain_doc, document_lines, line_lines
    from pipeline.ingest import IngestError
    from pipeline.rules import RuleError

    try:
        explained = explain_doc(doc, rules)
    except (RuleError, IngestError) as e:
        for problem in getattr(e, "problems", [f"{doc}: {e}"]):
            console.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    out = Console(highlight=False, soft_wrap=True)  # styled on a terminal, plain text when piped
    for line in (line_lines(explained, at) if at is not None else document_lines(explained)):
        out.print(line)


@app.command()
def diff(raw: Path = typer.Argument(Path("raw"), help="input file or folder"),
         rules: Path = typer.Option(Path("rules"), "--rules", help="the (edited) rules folder"),
         against: Path = typer.Option(Path("extracted"), "--against", help="outputs on disk to compare with")
         ) -> None:
    """What RULES would change in the outputs under AGAINST, without writing anything.

    Exit status: 0 nothing changed, 1 something changed, 2 errors.
    """
    from pipeline.diff import diff_corpus
    from pipeline.rules import RuleError

    try:
        result = diff_corpus(raw, against, rules)
    except RuleError as e:
        for problem in e.problems:
            console.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    for line in result.lines():
        print(line)
    raise typer.Exit(2 if result.errors else 1 if result.changed else 0)


@app.command()
def review(raw: list[Path] = typer.Argument(None, help="input files or folders (default: raw)"),
           html: Path = typer.Option(..., "--html", help="folder to write the pages into"),
           rules: Path = typer.Option(Path("rules"), "--rules", help="rules folder")) -> None:
    """Static HTML pages: each document with its extractions highlighted, and an index."""
    from pipeline.review import review as write_review
    from pipeline.rules import RuleError

    try:
        result = write_review(raw or [Path("raw")], html, rules)
    except RuleError as e:
        for problem in e.problems:
            console.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    for page in result.failed:
        console.print(f"[red]failed[/red] {page.rel}: {page.error}", highlight=False, soft_wrap=True)
    console.print(f"{len(result.pages) - len(result.failed)} page(s) written; open {html / 'index.html'}",
                  highlight=False, soft_wrap=True)
    if result.failed:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
