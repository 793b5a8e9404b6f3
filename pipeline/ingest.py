"""Ingest: find input files, read and decode them, normalise newlines, hash them.

Spans in the output refer to the text this module returns: decoded, with CRLF and
lone CR turned into LF.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import charset_normalizer

MAX_BYTES = 100 * 1024 * 1024  # a larger document is refused (configurable with --max-bytes)
TEXT_SUFFIXES = {".txt", ".text", ".md"}


class IngestError(Exception):
    """A document that cannot be read; the message names the reason."""


@dataclass
class Source:
    path: Path  # the file on disk
    rel: str  # its path relative to the input root, with '/' separators
    sha256: str
    text: str
    encoding: str


def discover(root: Path) -> Iterator[Path]:
    """Candidate input files under `root`, in a stable order, streamed (never listed whole)."""
    root = Path(root)
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(".key.yaml"):
                continue
            path = Path(dirpath) / name
            if path.suffix.lower() in TEXT_SUFFIXES or path.is_symlink():
                yield path


def relative_name(path: Path, root: Path) -> str:
    root = Path(root)
    if root.is_file():
        return path.name
    return path.relative_to(root).as_posix()


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text: BOMs honoured, UTF-8 preferred, else detected (cp1252, latin-1...)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError("not text: no character encoding fits (binary file?)")
    return str(best), best.encoding


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return b"\x00" in sample and controls > len(sample) * 0.1 or controls > len(sample) * 0.3


def read_source(path: Path, root: Path, max_bytes: int = MAX_BYTES) -> Source:
    """Read one input file; IngestError says why it cannot be used."""
    path = Path(path)
    rel = relative_name(path, root)
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise IngestError("broken symbolic link")
        if not Path(root).is_file() and not target.is_relative_to(Path(root).resolve()):
            raise IngestError(f"symbolic link points outside the input folder ({target})")
    if path.is_dir():
        raise IngestError("is a directory")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"{size} bytes is over the limit of {max_bytes} (raise it with --max-bytes)")
        data = path.read_bytes()
    except PermissionError:
        raise IngestError("permission denied") from None
    except OSError as e:
        raise IngestError(f"cannot read: {e.strerror or e}") from None
    if not data.strip():
        raise IngestError("empty file")
    if looks_binary(data):
        raise IngestError("binary file, not text")
    text, encoding = decode(data)
    text = normalise_newlines(text.replace("\x00", ""))
    return Source(path=path, rel=rel, sha256=hashlib.sha256(data).hexdigest(), text=text, encoding=encoding)
