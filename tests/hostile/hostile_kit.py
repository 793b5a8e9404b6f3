"""What the hostile suite shares: realistic letters made at test time, running the
batch worker, and the checks every surviving output must pass."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml

from pipeline.record import validate

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # big records parse 5x faster

LETTER = """From: Department for Education
Date: {day} December 2016

Dear Ms Persson,

Your request (our ref 2016-00{seq:05d}) was received on {day}/12/2016. We hold 2,462
records about {subject}. Some names are withheld under section 40(2) of the Freedom of
Information Act 2000.

Yours sincerely,
Jos\u00e9 M\u00fcller
"""


def letter(n: int, subject: str = "pupil data") -> str:
    """The n-th of a family of similar, ordinary letters (dates, references, counts, exemptions)."""
    return LETTER.format(day=1 + n % 28, seq=n, subject=subject)


def write_letters(folder: Path, count: int, prefix: str = "letter") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{prefix}_{n:03d}.txt" for n in range(count)]
    for n, p in enumerate(paths):
        p.write_text(letter(n), encoding="utf-8")
    return paths


def run_batch(raw: Path, out: Path, paths: list[Path] | None = None, rules: Path | None = None,
              force: bool = True, **kw) -> dict:
    """process_batch over `paths` (default: everything discovered); {rel: Outcome}."""
    from pipeline.flows import process_batch
    from pipeline.ingest import discover

    todo = [str(p) for p in (paths if paths is not None else discover(raw))]
    return {o.rel: o for o in process_batch(todo, str(raw), str(out), str(rules or RULES), force, **kw)}


def spans_with_text(node: Any) -> Iterator[tuple[list[int], str]]:
    """Every (span, text) pair anywhere in a record: items, messages, cells."""
    if isinstance(node, dict):
        if isinstance(node.get("text"), str) and isinstance(node.get("span"), list):
            yield node["span"], node["text"]
        for v in node.values():
            yield from spans_with_text(v)
    elif isinstance(node, list):
        for v in node:
            yield from spans_with_text(v)


def check_output(path: Path, text: str) -> dict:
    """A written record: parses, follows the schema, and each span slices to its text."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    validate(data)
    assert data["source"]["chars"] == len(text)
    for (start, end), item_text in spans_with_text(data):
        assert text[start:end] == item_text, (path, start, end)
    return data


def outputs(out: Path) -> dict[str, bytes]:
    """Every file under `out` that a reader would take for output, by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}
