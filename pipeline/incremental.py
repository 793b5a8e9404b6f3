"""Incremental runs: which documents changed since their output was written.

A document is unchanged when its output's head carries the same source sha256,
rules fingerprint and pipeline version. Telling that needs neither Prefect nor spaCy
(a hash of the bytes and the first lines of the output), so `foi-extract run` finds
out before any flow starts that there is nothing to do.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline import __version__
from pipeline.ingest import MAX_BYTES, IngestError, discover, has_link, read_source, relative_name

SCHEMA_LINE = "schema: foi-extract/"  # first line of every output: only such files are pruned


def output_path(rel: str, out_root: Path) -> Path:
    """`dfe/000.txt` -> OUT/dfe/000.yaml; a name that would lead out of OUT is refused.

    '..' parts are refused rather than dropped: dropping them would let `a/../b.txt`
    overwrite the output of `a/b.txt`.
    """
    name = Path(rel)
    if name.is_absolute() or ".." in name.parts or not name.name:
        raise IngestError(f"output name {rel!r} would fall outside the output folder")
    name = name.with_suffix(".yaml")
    target = Path(out_root) / name
    if has_link(Path(out_root), name.parts) and not target.resolve().is_relative_to(Path(out_root).resolve()):
        raise IngestError(f"output path {target} leads outside {out_root} (through a symbolic link)")
    return target


_HEAD_FIELD = re.compile(r"^\s+(sha256|rules|version): (\S+)$", re.M)


def head_of(out_file: Path) -> dict[str, str]:
    """The source sha256, rules fingerprint and pipeline version an output was made from."""
    try:
        with open(out_file, encoding="utf-8", errors="replace") as f:
            head = f.read(1024)
    except OSError:
        return {}
    return {m.group(1): m.group(2) for m in _HEAD_FIELD.finditer(head)}


def is_current(out_file: Path, sha256: str, fingerprint: str) -> bool:
    """Does the existing output carry this source hash, rules fingerprint and pipeline version?"""
    return _made_from(head_of(out_file), sha256, fingerprint)


def _made_from(head: dict[str, str], sha256: str, fingerprint: str) -> bool:
    return (head.get("sha256") == sha256 and head.get("rules") == fingerprint
            and head.get("version") == __version__)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def is_unchanged(path: Path, raw_root: Path, out_root: Path, fingerprint: str) -> bool:
    """True when `path`'s output is current; any doubt (no output, unreadable) says changed."""
    try:
        rel = relative_name(path, raw_root)
        # The head first: a new document's check ends there, before the output's path is
        # resolved (which is only needed to trust an output that is there).
        head = head_of(Path(out_root) / Path(rel).with_suffix(".yaml"))
        if not head or not path.is_file():  # no output yet; or a FIFO, which would block
            return False
        output_path(rel, out_root)  # refuses a name or link leading out of OUT
        return _made_from(head, file_sha256(path), fingerprint)
    except (OSError, IngestError, ValueError):
        return False


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# --------------------------------------------------------------------------- the survey
@dataclass
class Survey:
    """What a run would find, learnt without Prefect: sizes, and whether any document changed."""
    documents: int = 0
    bytes: int = 0
    changed: str | None = None  # the first changed document found (None: nothing to extract)
    unchanged: int = 0  # documents found unchanged before the first changed one
    failed: list[tuple[str, str]] = field(default_factory=list)  # unreadable ones, with the reason

    @property
    def nothing_to_do(self) -> bool:
        return self.changed is None


def survey(raw: Path, out: Path, fingerprint: str, force: bool = False,
           max_bytes: int = MAX_BYTES) -> Survey:
    """Count the documents under RAW and their bytes; check them until one needs extracting.

    A changed document that ingest refuses (empty, binary...) needs no extraction:
    it is listed as failed and the search goes on, so a corpus holding one bad file
    still has a fast no-op run.
    """
    raw, out = Path(raw), Path(out)
    found = Survey()
    for path in discover(raw):
        found.documents += 1
        found.bytes += size_of(path)
        if found.changed is not None:
            continue
        if not force and is_unchanged(path, raw, out, fingerprint):
            found.unchanged += 1
            continue
        try:
            read_source(path, raw, max_bytes)
        except IngestError as e:
            found.failed.append((relative_name(path, raw), str(e)))
        else:
            found.changed = relative_name(path, raw)
    return found


# --------------------------------------------------------------------------- removed sources
def orphans(raw: Path, out: Path) -> Iterator[Path]:
    """Outputs under OUT whose source under RAW is gone (folder by folder: memory stays flat)."""
    raw, out = Path(raw), Path(out)
    if not raw.is_dir() or not out.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(out):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        outputs = sorted(n for n in filenames if n.endswith(".yaml") and not n.startswith("."))
        if not outputs:
            continue
        here = Path(dirpath)
        sources = raw / here.relative_to(out)
        try:
            expected = {Path(n).with_suffix(".yaml").name for n in os.listdir(sources)}
        except OSError:  # the whole folder is gone
            expected = set()
        for name in outputs:
            if name not in expected and _is_output(here / name):
                yield here / name


def _is_output(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(len(SCHEMA_LINE)) == SCHEMA_LINE
    except OSError:
        return False


def prune(outputs: list[Path], out: Path) -> None:
    """Delete these outputs, and the folders under OUT they leave empty."""
    root = Path(out).resolve()
    for path in outputs:
        path.unlink(missing_ok=True)
        folder = path.parent.resolve()
        while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
