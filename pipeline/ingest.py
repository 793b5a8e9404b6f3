"""Ingest: find input files, refuse the ones that are not documents, decode, normalise.

Spans in the output refer to the text this module returns: decoded, NUL characters
removed, CRLF and lone CR turned into LF. What was done is kept on the Source
(`encoding`, `nul_removed`, `newlines`) and written to the record's `source`.

Every refusal is an IngestError whose message is the reason a reviewer reads.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import charset_normalizer

from pipeline import sources
from pipeline.context import Preset

# Documents above this many bytes are refused (`foi-extract run --max-bytes`). Measured:
# a 100 MB text takes ~2 minutes and ~4.3 GB of memory in one process (spaCy keeps every
# token), and real FOI correspondence is rarely over 1 MB.
MAX_BYTES = 20_000_000
TEXT_SUFFIXES = {".txt", ".text", ".md"}
INPUT_SUFFIXES = set(sources.SUFFIXES)  # text, and what pipeline/sources converts
SNIFF_BYTES = sources.SNIFF_BYTES
# Mail exports are Western code pages; trying them first keeps charset-normalizer from
# reading a short cp1252 letter as cp1250 or UTF-16.
WESTERN_ENCODINGS = ["cp1252", "latin_1", "iso8859_15"]
_WIDE_BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
]
_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig")] + _WIDE_BOMS  # utf-8-sig: UTF-8 with a BOM


class IngestError(Exception):
    """A document that cannot be read; the message names the reason."""


@dataclass
class Source:
    path: Path  # the file on disk
    rel: str  # its path relative to the input root, with '/' separators
    sha256: str  # of the bytes on disk
    text: str  # decoded and normalised: what spans index
    encoding: str
    nul_removed: int = 0
    newlines: str = "lf"  # what the file used: lf, crlf, cr or mixed
    kind: str = "text"  # or the converter's kind: wdtk_html, eml, mbox, pdf, docx, xlsx, csv...
    preset: Preset | None = None  # structure a converter read (messages, document fields, tables)
    attachments: list[sources.Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # a converter's notes (scanned pages...)

    @property
    def derived(self) -> bool:
        """`text` was made by a converter, not decoded from the bytes: the record stores it."""
        return self.kind != "text"

    def provenance(self) -> dict[str, Any]:
        """The record's `source` fields that say how `text` was made from the bytes."""
        if self.derived:
            return {"kind": self.kind}
        out: dict[str, Any] = {"encoding": self.encoding}
        if self.nul_removed:
            out["nul_removed"] = self.nul_removed
        if self.newlines != "lf":
            out["newlines"] = self.newlines
        return out


# --------------------------------------------------------------------------- finding
def discover(root: Path) -> Iterator[Path]:
    """Candidate input files under `root`, in a stable order, streamed (never listed whole).

    Inputs are picked by name (text, and the kinds pipeline/sources converts) and by
    content: a file whose name says nothing is yielded when its first bytes are a
    PDF, a mail or a zip, or are binary (so that it is reported, not silently left
    out). A browser's `NAME_files/` folder beside a saved `NAME.html` is skipped.
    Where a text file and a file to convert share a name (`x.txt` beside `x.html`, as
    a page and its text rendering), the text file is the one yielded: both would write
    `x.yaml`. Besides, anything a reviewer would take for a document is yielded so that
    `read_source` reports it: symbolic links, and folders named like documents (`x.txt/`)
    or linked in (never followed: a link may loop or lead out of `root`).
    """
    root = Path(root)
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in sorted(dirnames):
            if not name.startswith(".") and (_is_text_name(name) or (here / name).is_symlink()):
                yield here / name
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not _page_assets(d, filenames))
        rendered = {Path(n).stem for n in filenames if _is_text_name(n)}
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(".key.yaml"):
                continue
            if not _is_text_name(name) and Path(name).stem in rendered:
                continue  # a saved page or file beside its text rendering: the text is the input
            if _is_input_name(name) or (here / name).is_symlink() or _is_input_content(here / name):
                yield here / name


def _is_text_name(name: str) -> bool:
    return Path(name).suffix.lower() in TEXT_SUFFIXES


def _is_input_name(name: str) -> bool:
    return Path(name).suffix.lower() in INPUT_SUFFIXES


def _page_assets(dirname: str, filenames: list[str]) -> bool:
    """`x_files/`: the images and scripts a browser saved with `x.html`."""
    return dirname.endswith("_files") and any(
        f"{dirname[:-6]}{suffix}" in filenames for suffix in (".html", ".htm"))


def _is_input_content(path: Path) -> bool:
    """A file with no known suffix: an input kind by its first bytes, or binary (to be reported).
    Text under another name (notes.yaml, a script) is not a document and is left alone."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES) if path.is_file() else b""
    except OSError:
        return False
    return bool(head.strip()) and (sources.looks_like_input(head) or looks_binary(head))


def relative_name(path: Path, root: Path) -> str:
    """`path` relative to the input root with '/' separators; never raises (may hold '..')."""
    root = Path(root)
    if root.is_file():
        return Path(path).name
    rel = Path(os.path.relpath(path, root)).as_posix()
    # an undecodable byte in a file name shows as \xNN rather than a lone surrogate
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# --------------------------------------------------------------------------- reading
def read_source(path: Path, root: Path, max_bytes: int = MAX_BYTES) -> Source:
    """Read one input file; IngestError says why it cannot be used."""
    path, root = Path(path), Path(root)
    rel = relative_name(path, root)
    _check_place(path, root, rel)
    _check_kind(path, max_bytes)
    _check_output_clash(path, root)
    data = _read_bytes(path, max_bytes)
    if not data.strip():
        raise IngestError("empty file")
    kind = sources.kind_of(path.name, data)
    if kind != sources.TEXT:
        return _converted(path, rel, data, kind)
    if looks_binary(data):
        reason = sources.unread_reason(data)
        raise IngestError("binary file, not text" + (f": {reason}" if reason else ""))
    text, encoding = decode(data)
    nuls = text.count("\x00") if "\x00" in text else 0  # (`in` is a memchr; count and replace are not)
    if nuls:
        text = text.replace("\x00", "")
    if not text.strip():
        raise IngestError("empty file (no text after decoding)")
    newlines = newline_style(text)
    return Source(path=path, rel=rel, sha256=hashlib.sha256(data).hexdigest(),
                  text=normalise_newlines(text), encoding=encoding, nul_removed=nuls, newlines=newlines)


def _converted(path: Path, rel: str, data: bytes, kind: str) -> Source:
    """A saved page, mail, PDF, Word or Excel file, through its converter (pipeline/sources)."""
    try:
        derived = sources.convert(kind, data)
    except sources.SourceError as e:
        raise IngestError(str(e)) from None
    text = normalise_newlines(derived.text.replace("\x00", ""))
    if len(text) != len(derived.text):
        raise IngestError(f"{kind} converter gave text with CR or NUL characters (spans would not hold)")
    return Source(path=path, rel=rel, sha256=hashlib.sha256(data).hexdigest(), text=text, encoding="",
                  kind=derived.kind, preset=derived.preset, attachments=derived.attachments,
                  warnings=derived.warnings)


def _check_place(path: Path, root: Path, rel: str) -> None:
    """Refuse names that would lead out of the input folder, by '..' or by a link."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # os gives undecodable bytes as lone surrogates
        raise IngestError("file name is not valid UTF-8 (rename it)") from None
    if root.is_file():
        return
    if rel == ".." or rel.startswith("../") or Path(rel).is_absolute():
        raise IngestError("outside the input folder")
    below = path.relative_to(root).parts if path.is_relative_to(root) else ()  # (by name: ROOT/a/b)
    if below and ".." not in below and not has_link(root, below):
        return  # inside ROOT wherever ROOT itself leads: no need to resolve both from /
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            raise IngestError(f"broken symbolic link (to {os.readlink(path)})") from None
        except (OSError, RuntimeError):  # a loop of links
            raise IngestError("symbolic link loop") from None
    else:
        target = path.resolve()
    if not target.is_relative_to(root.resolve()):
        how = "symbolic link points" if path.is_symlink() else "resolves to a place"
        raise IngestError(f"{how} outside the input folder ({target})")


def has_link(root: Path, parts: tuple[str, ...]) -> bool:
    """Is a folder of ROOT/parts under ROOT, or the file itself, a symbolic link? Without
    one (and no '..' in `parts`) the path stays under ROOT: a few lstat calls tell."""
    here = os.fspath(root)
    for part in parts:
        here = os.path.join(here, part)
        try:
            if stat.S_ISLNK(os.lstat(here).st_mode):
                return True
        except OSError:  # not there (yet), so nothing below it is
            return False
    return False


def _check_kind(path: Path, max_bytes: int) -> None:
    """Only regular files of bounded size are read: a FIFO would block forever."""
    try:
        info = path.stat()
    except PermissionError:
        raise IngestError("permission denied") from None
    except OSError as e:
        raise IngestError(f"cannot read: {e.strerror or e}") from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError("is a directory, not a document" if not path.is_symlink()
                          else "symbolic link to a directory (links to folders are not followed)")
    if not stat.S_ISREG(info.st_mode):
        raise IngestError("not a regular file (a FIFO, socket or device)")
    if info.st_size > max_bytes:
        raise IngestError(f"{info.st_size} bytes is over the limit of {max_bytes} (raise it with --max-bytes)")


# The suffixes whose files write the same output as a text's, or as a file to convert's.
_SAME_OUTPUT = {text: sorted(family | {s.upper() for s in family})
                for text, family in ((True, TEXT_SUFFIXES), (False, INPUT_SUFFIXES - TEXT_SUFFIXES))}


def _check_output_clash(path: Path, root: Path) -> None:
    """`a.md` and `a.txt` would both write `a.yaml`: the first in name order keeps it; so
    for `a.pdf` and `a.docx`. (A text beside a file to convert is discovery's to settle.)"""
    if root.is_file():
        return
    folder, stem, name = os.path.dirname(path), path.stem, path.name
    for suffix in _SAME_OUTPUT[path.suffix.lower() in TEXT_SUFFIXES]:
        other = stem + suffix
        if other < name and _file_or_link(os.path.join(folder, other)):
            raise IngestError(f"its output would overwrite that of {other} (same name, another suffix)")


def _file_or_link(path: str) -> bool:
    """`Path.is_file() or Path.is_symlink()`, in one system call."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)  # never more, even if the file grew since stat
    except PermissionError:
        raise IngestError("permission denied") from None
    except OSError as e:
        raise IngestError(f"cannot read: {e.strerror or e}") from None
    if len(data) > max_bytes:
        raise IngestError(f"over the limit of {max_bytes} bytes (raise it with --max-bytes)")
    return data


# --------------------------------------------------------------------------- decoding
def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text: BOMs honoured, UTF-8 preferred, else detected (cp1252, latin-1...).

    Bytes that do not fit the encoding a BOM announces become U+FFFD rather than
    losing the document; mojibake already in the text is left as it is.
    """
    announced = [(bom, encoding) for bom, encoding in _BOMS if data.startswith(bom)]
    # FF FE 00 00 is the UTF-32 LE BOM, or the UTF-16 LE BOM before a NUL: the
    # encoding under which the rest decodes cleanly wins, else the longest BOM.
    for bom, encoding in announced:
        try:
            return data[len(bom):].decode(encoding.replace("-sig", "")), encoding
        except UnicodeDecodeError:
            continue
    if announced:
        bom, encoding = announced[0]
        return data[len(bom):].decode(encoding.replace("-sig", ""), errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = (charset_normalizer.from_bytes(data, cp_isolation=WESTERN_ENCODINGS).best()
            or charset_normalizer.from_bytes(data).best())
    if best is None:
        raise IngestError("not text: no character encoding fits (binary file?)")
    return str(best), best.encoding


def newline_style(text: str) -> str:
    if "\r" not in text:
        return "lf"
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    used = [name for name, n in (("lf", lf), ("crlf", crlf), ("cr", cr)) if n]
    return used[0] if len(used) == 1 else ("mixed" if used else "lf")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)  # not tab, newlines, VT, FF, CR


def looks_binary(data: bytes) -> bool:
    """Many control bytes in the first 8 KB (NULs in a UTF-16 file with a BOM are fine)."""
    sample = data[:8192]
    if sample.startswith(tuple(bom for bom, _ in _WIDE_BOMS)):
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return b"\x00" in sample and controls > len(sample) * 0.1 or controls > len(sample) * 0.3
