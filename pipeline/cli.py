"""Command line: `foi-extract run`, `foi-extract rules check`, ...

Each command is a thin shell over the library; commands of other concerns are
added with `app.command()` / `app.add_typer()` in their own modules below.
"""
from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from pipeline.ingest import MAX_BYTES

app = typer.Typer(help="Turn raw FOI correspondence into structured YAML.", no_args_is_help=True,
                  add_completion=False)
rules_app = typer.Typer(help="Check the rule files reviewers edit.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
console = Console(stderr=True)


@app.command()
def run(raw: Path = typer.Argument(Path("raw"), help="input file or folder"),
        out: Path = typer.Option(Path("extracted"), "--out", help="output folder"),
        rules: Path = typer.Option(Path("rules"), "--rules", help="rules folder"),
        batch_size: int = typer.Option(100, "--batch-size", min=1, help="documents per Prefect task"),
        force: bool = typer.Option(False, "--force", help="re-extract unchanged documents too"),
        max_bytes: int = typer.Option(MAX_BYTES, "--max-bytes", min=1,
                                      help="refuse documents larger than this (bytes on disk)")) -> None:
    """Run the Prefect flow over RAW, writing one YAML per document under OUT."""
    from rich.markup import escape

    from pipeline.flows import extract_flow
    from pipeline.rules import RuleError, load_rules

    try:
        load_rules(rules)
    except RuleError as e:
        for p in e.problems:
            console.print(p, markup=False, highlight=False)
        raise typer.Exit(2)
    if not raw.exists():
        console.print(f"{raw}: no such file or folder", markup=False)
        raise typer.Exit(2)
    summary = extract_flow(raw=str(raw), out=str(out), rules=str(rules), batch_size=batch_size, force=force,
                           max_bytes=max_bytes)
    for rel, warning in summary.warnings:  # names and reasons are data: never read as markup
        console.print(f"[yellow]warning[/yellow] {escape(rel)}: {escape(warning)}", highlight=False)
    for rel, reason in summary.failed:
        console.print(f"[red]failed[/red] {escape(rel)}: {escape(reason)}", highlight=False)
    console.print(f"done {summary.done}, skipped {summary.skipped}, failed {len(summary.failed)} "
                  f"in {summary.seconds:.1f} s", highlight=False)
    if summary.failed:
        raise typer.Exit(1)


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
