"""Inputs that are not pasted text: saved WDTK pages, mail, PDF, Word and Excel files.

`kind_of` tells an input's kind from its content first (a PDF's magic bytes, a
mail's header block, a request page's markup), then from its name; `convert` turns
its bytes into a `Derived`: the text the extractors run on, and the structure the
converter read outright (messages, document fields, tables). A binary file of no
kind read here is reported by what it looks like, never decoded as text.

Converter modules are imported on first use: a corpus of plain text never pays for
the PDF or Office libraries.
"""
from __future__ import annotations

import importlib
import io
import re
import zipfile

from pipeline.sources.derived import Attachment, Derived

__all__ = ["Attachment", "Derived", "SourceError", "SUFFIXES", "convert", "kind_of", "looks_like_input"]

TEXT = "text"
# By name, when the content does not say more.
SUFFIXES = {".txt": TEXT, ".text": TEXT, ".md": TEXT, ".html": "html", ".htm": "html", ".eml": "eml",
            ".mbox": "mbox", ".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".csv": "csv", ".tsv": "csv"}
MODULES = {"wdtk_html": "wdtk_html", "html": "wdtk_html", "eml": "mail", "mbox": "mail", "pdf": "pdf",
           "docx": "docx", "xlsx": "spreadsheet", "csv": "spreadsheet"}
# Binary formats recognised but not read: what the reviewer is told.
UNREAD = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc, .xls or Outlook .msg): not read; save it as .docx/.xlsx"),
    (b"\x89PNG", "a PNG image: no text to read"), (b"\xff\xd8\xff", "a JPEG image: no text to read"),
    (b"GIF8", "a GIF image: no text to read"), (b"II*\x00", "a TIFF image: no text to read"),
    (b"MM\x00*", "a TIFF image: no text to read"), (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"{\\rtf", "an RTF document: not read; save it as .docx"),
    (b"\x78\x9f\x3e\x22", "a TNEF (winmail.dat) attachment: not read"),
]
_MAIL_HEADER = re.compile(rb"(?i)^(?:return-path|received|from|to|date|subject|message-id|mime-version|"
                          rb"delivered-to|x-[\w-]+|reply-to|cc|content-type|envelope-to|thread-\w+):[ \t]")
_MBOX_FROM = re.compile(rb"^From \S+")
SNIFF_BYTES = 4096
_HTML = re.compile(rb"(?is)^\s*(?:<!--.*?-->\s*)*<(?:!doctype html|html|head|body)\b")


class SourceError(Exception):
    """An input that cannot be converted; the message is the reason a reviewer reads."""


def kind_of(name: str, data: bytes) -> str | None:
    """`text` or a converter's kind. What the bytes are decides (a PDF named .txt is a PDF);
    markup and mail headers are read from content only when the name says nothing, so a
    pasted e-mail saved as .txt stays text."""
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
    binary = _binary_kind(data, head)
    if binary is not None:
        return binary
    by_name = SUFFIXES.get(_suffix(name))
    if by_name == "html" or (by_name is None and _HTML.match(head)):
        from pipeline.sources.wdtk_html import is_request_page
        return "wdtk_html" if is_request_page(data) else "html"
    if by_name is not None:
        return by_name
    return _mail_kind(head) or TEXT


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _binary_kind(data: bytes, head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _mail_kind(head: bytes) -> str | None:
    first, _, rest = head.partition(b"\n")
    if _MBOX_FROM.match(first) and _MAIL_HEADER.match(rest):
        return "mbox"
    if _MAIL_HEADER.match(first) and _mail_headers(head) >= 2:
        return "eml"
    return None


def _mail_headers(head: bytes) -> int:
    """Header lines before the first blank line (a mail opens with several)."""
    block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    return sum(1 for line in block.splitlines() if _MAIL_HEADER.match(line))


def _office_kind(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def looks_like_input(head: bytes) -> bool:
    """Discovery's test for a file whose name says nothing: is it a PDF, a zip, a mail or a page?"""
    return (head.startswith((b"%PDF-", b"PK\x03\x04")) or _mail_kind(head) is not None
            or _HTML.match(head) is not None)


def unread_reason(data: bytes) -> str | None:
    """What a binary file that is not read looks like, when that is known (never a guess)."""
    for magic, reason in UNREAD:
        if data.startswith(magic):
            return reason
    if data.startswith(b"PK\x03\x04"):
        return "a zip archive that is not a Word or Excel file: not read"
    return None


def convert(kind: str, data: bytes) -> Derived:
    """The derived text and structure of an input of `kind` (SourceError says why it cannot be read)."""
    module = importlib.import_module(f"pipeline.sources.{MODULES[kind]}")
    try:
        derived = module.convert(data, kind)
    except SourceError:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged file is reported, not a crash
        raise SourceError(f"damaged or unreadable {kind} file ({type(e).__name__}: {e})") from None
    if not derived.text.strip():
        raise SourceError(derived.warnings[0] if derived.warnings else f"no text in this {kind} file")
    return derived
