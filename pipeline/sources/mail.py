"""Raw mail: an `.eml` message or an `.mbox` mailbox, read as a thread of messages.

Headers give each message its day, sender and direction; the body is the first
plain-text part (an HTML-only message is converted to text), decoded whatever its
charset says or fails to say; quoted earlier messages, disclaimers and virus notices
are folded to WDTK's marker line (pipeline/sources/folding.py). Attachments (MIME
parts, uuencoded blocks, attached messages) are converted by their own kind and
their text placed after their message's body, inside its span, so what they say
belongs to the message they came with. Python's `email` reads with the modern
policy, and falls back to compat32 on a message it cannot read that way.
"""
from __future__ import annotations

import binascii
import email
import email.policy
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import charset_normalizer

from pipeline.context import Preset, PresetMessage
from pipeline.sources import derived as _derived
from pipeline.sources.derived import Attachment, Derived, TextBuilder
from pipeline.sources.folding import fold
from pipeline.sources.html_text import parse, to_text

RULE = "source.mail"
FOLD_LINE = "show quoted sections"  # WDTK's own marker: the segment rules read it as chrome
MAX_DEPTH = 3  # messages attached to messages attached to ...
# Addresses of public bodies (a reply from one is incoming) and of WDTK's request
# mailboxes (mail from one is the requester's; mail to one is the authority's).
PUBLIC_DOMAINS = re.compile(r"(?i)(?:\.gov\.uk|\.nhs\.uk|\.nhs\.net|\.police\.uk|\.parliament\.uk|\.gov\.scot|"
                            r"\.gov\.wales|\.llyw\.cymru|\.ac\.uk|\.sch\.uk|\.mod\.uk|\.gsi\.gov\.uk|"
                            r"ico\.org\.uk|\.gov\.ie|\.gov)$")
WDTK_REQUEST = re.compile(r"(?i)^(?:foi\+)?request-\d+-[0-9a-f]+@")
_UUENCODED = re.compile(r"(?ms)^begin [0-7]{3,4} (\S[^\n]*)\n(.*?)^`?\nend\n?")
# Reply marks, and WDTK's own subject line around a request's title
_PREFIX = re.compile(r"(?i)^(?:(?:re|fw|fwd|aw|sv)\s*(?:\[\d+\])?:\s*)*"
                     r"(?:(?:internal review of )?freedom of information request\s*[-–:]\s*)?")
_FOLDS = re.compile(r"(?:\n*FOLDED_QUOTED_SECTION\n*)+")


@dataclass
class Mail:
    """One message as read: what its headers say, its body and its attached files."""

    sender: str | None
    address: str
    recipients: list[str]
    date: str | None
    stamp: str  # the Date header as a reader sees it: 16 July 2019 13:33
    subject: str
    body: str
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, MIME type, content


def convert(data: bytes, kind: str = "eml") -> Derived:
    chunks = _mbox_messages(data) if kind == "mbox" else [data]
    mails = [m for m in (_read(c) for c in chunks) if m is not None]
    if not mails:
        raise _derived_error(kind)
    return _write(mails, kind)


def _derived_error(kind: str):
    from pipeline.sources import SourceError
    return SourceError(f"no message could be read in this {kind} file")


# --------------------------------------------------------------------------- reading
def _mbox_messages(data: bytes) -> list[bytes]:
    """Split a mailbox at its "From " separator lines (each after a blank line, or first)."""
    data = data.replace(b"\r\n", b"\n")
    starts = [m.start() for m in re.finditer(rb"(?m)^From \S", data) if m.start() == 0
              or data[max(0, m.start() - 2):m.start()] == b"\n\n"]
    bounds = starts + [len(data)]
    return [re.sub(rb"(?m)^>(>*From )", rb"\1", data[s:e]) for s, e in zip(bounds, bounds[1:])]


def _read(data: bytes, depth: int = 0) -> Mail | None:
    if not data.strip():
        return None
    try:
        return _mail(email.message_from_bytes(data, policy=email.policy.default), depth)
    except Exception:  # noqa: BLE001 - the modern policy is strict about broken headers
        return _mail(email.message_from_bytes(data, policy=email.policy.compat32), depth)


def _mail(msg: Message, depth: int) -> Mail:
    name, address = parseaddr(_header(msg, "from"))
    recipients = [a for _, a in getaddresses([_header(msg, "to"), _header(msg, "cc")]) if a]
    date, stamp = _when(_header(msg, "date"))
    body, files = _parts(msg, depth)
    return Mail(sender=name or address or None, address=address, recipients=recipients, date=date, stamp=stamp,
                subject=_header(msg, "subject"), body=body, files=files)


def _header(msg: Message, name: str) -> str:
    """A header's text, encoded words decoded; a broken one as it stands, never an error."""
    raw = msg.get(name)
    if raw is None:
        return ""
    try:
        value = str(raw) if not isinstance(raw, email.header.Header) else str(make_header(decode_header(str(raw))))
        if "=?" in value:
            value = str(make_header(decode_header(value)))
    except Exception:  # noqa: BLE001
        value = str(raw)
    return re.sub(r"\s+", " ", value).strip()


def _when(value: str) -> tuple[str | None, str]:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None, value
    return moment.date().isoformat(), f"{moment.day} {moment:%B %Y %H:%M}"


def _parts(msg: Message, depth: int) -> tuple[str, list[tuple[str, str, bytes]]]:
    """The body text and the attached files of a message."""
    bodies, alternatives, files = [], [], []
    for part in msg.walk():
        ctype = part.get_content_type()
        if part.is_multipart():
            continue
        name = _filename(part)
        attached = name or part.get_content_disposition() == "attachment"
        if ctype == "message/rfc822" or (ctype.startswith("text/") and not attached):
            if ctype == "message/rfc822":
                files.append((name or "attached message.eml", ctype, _payload(part)))
            elif ctype in ("text/plain", "text/html"):
                (alternatives if _is_alternative(msg, part) and bodies else bodies).append(part)
            continue
        files.append((name or f"attachment {len(files) + 1}", ctype, _payload(part)))
    text = "\n\n".join(_body_text(p) for p in _one_per_alternative(bodies))
    text, uu = _uudecoded(text)
    return text, files + uu


def _is_alternative(msg: Message, part: Message) -> bool:
    """Is `part` inside a multipart/alternative (an HTML twin of the plain text)?"""
    for container in msg.walk():
        if container.get_content_type() == "multipart/alternative" and part in container.get_payload():
            return True
    return False


def _one_per_alternative(parts: list[Message]) -> list[Message]:
    plain = [p for p in parts if p.get_content_type() == "text/plain"]
    return plain or parts[:1]


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a name in a charset Python does not know
        name = part.get_param("name")
    if isinstance(name, tuple):  # RFC 2231 (charset, language, value)
        name = name[2]
    return re.sub(r"\s+", " ", str(make_header(decode_header(name)))).strip() if name else None


def _payload(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner.as_bytes() if isinstance(inner, Message) else str(inner).encode("utf-8", "replace")
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _body_text(part: Message) -> str:
    text = decode(_payload(part), part.get_content_charset())
    return to_text(parse(text)) if part.get_content_type() == "text/html" else text


def decode(data: bytes, charset: str | None) -> str:
    """Text of a part: UTF-8 when the bytes are UTF-8 (parts labelled Latin-1 often are not),
    else the declared charset, else a detected one; never an error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    best = charset_normalizer.from_bytes(data).best()
    return str(best) if best is not None else data.decode("cp1252", errors="replace")


def _uudecoded(text: str) -> tuple[str, list[tuple[str, str, bytes]]]:
    """Uuencoded files written into the body: taken out as attachments."""
    files = []

    def take(m: re.Match) -> str:
        data = b""
        for line in m.group(2).splitlines():
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error:
                break  # a damaged block: keep what decoded
        files.append((m.group(1).strip(), "application/octet-stream", data))
        return ""

    return _UUENCODED.sub(take, text), files


# --------------------------------------------------------------------------- writing
def _write(mails: list[Mail], kind: str) -> Derived:
    out, preset = TextBuilder(), Preset()
    derived = Derived(kind=kind, text="", preset=preset)
    subject = _PREFIX.sub("", mails[0].subject).strip()
    if subject:
        preset.document["title"] = subject
        out.block(subject)
    directions = _directions(mails)
    for index, (mail, direction) in enumerate(zip(mails, directions)):
        out.blank_line()
        start = len(out)
        out.add(_head(mail))
        names = [name for name, _, _ in mail.files]
        body = _fold(mail.body, index, derived.warnings)
        if body.strip():
            out.block(body)
        for name, ctype, content in mail.files:
            _attach(out, derived, index, name, ctype, content)
        preset.messages.append(PresetMessage(span=(start, len(out)), rule=RULE, direction=direction,
                                             date=mail.date, sender=mail.sender, attachments=names))
    preset.document["kind"] = "letter" if len(mails) == 1 else "other"
    derived.text = out.text()
    return derived


def _head(mail: Mail) -> str:
    lines = [f"From: {mail.sender or ''}" + (f" <{mail.address}>" if mail.address and mail.sender != mail.address else "")]
    if mail.recipients:
        lines.append("To: " + ", ".join(mail.recipients))
    lines.append(f"Date: {mail.stamp}")
    if mail.subject:
        lines.append(f"Subject: {mail.subject}")
    if mail.files:
        lines.append("Attachments: " + "; ".join(name for name, _, _ in mail.files))
    return "\n".join(lines) + "\n"


def _fold(body: str, index: int, warnings: list[str]) -> str:
    skipped: list[str] = []
    folded = fold(_derived.clean(body), skipped=skipped)
    if skipped:
        warnings.append(f"message {index}: not folded (too slow on this text): {', '.join(skipped)}")
    return _FOLDS.sub(f"\n\n{FOLD_LINE}\n\n", folded).strip("\n")


def _directions(mails: list[Mail]) -> list[str | None]:
    """From the addresses: WDTK's request mailbox, a public body's domain, else the
    mailbox's most frequent private sender taken as the requester."""
    known = [_direction(m) for m in mails]
    private = [m.address.lower() for m, d in zip(mails, known) if d is None and m.address]
    if len(mails) > 1 and private:
        requester = max(set(private), key=private.count)
        known = [d or ("outgoing" if m.address.lower() == requester else "incoming") for m, d in zip(mails, known)]
    return known


def _direction(mail: Mail) -> str | None:
    if WDTK_REQUEST.match(mail.address) or _public(mail.recipients) and not _public([mail.address]):
        return "outgoing"
    if any(WDTK_REQUEST.match(r) for r in mail.recipients) or _public([mail.address]):
        return "incoming"
    return None


def _public(addresses: list[str]) -> bool:
    return any(PUBLIC_DOMAINS.search(a.rsplit("@", 1)[-1].rstrip(">")) for a in addresses if "@" in a)


def _attach(out: TextBuilder, derived: Derived, parent: int, name: str, ctype: str, content: bytes) -> None:
    """An attached file's text after its message's body, or a note of why there is none."""
    from pipeline import sources

    record = Attachment(name=name, kind=ctype, parent=parent)
    derived.attachments.append(record)
    kind = "eml" if ctype == "message/rfc822" else _kind(name, ctype, content)
    if kind is None:
        record.note = ("empty" if not content.strip() else sources.unread_reason(content) or f"{ctype}: not read")
        return
    try:
        inner = sources.convert(kind, content) if kind != sources.TEXT else \
            Derived(kind="text", text=decode(content, None))
    except sources.SourceError as e:
        record.note = str(e)
        return
    record.kind = inner.kind
    out.block(f"Attachment: {name}")
    record.span = out.block(inner.text)
    offset = record.span[0]
    for table in inner.preset.tables:
        derived.preset.tables.append(_shifted(table, offset))
    derived.warnings.extend(f"{name}: {w}" for w in inner.warnings)
    if inner.warnings and not record.note:
        record.note = inner.warnings[0]


def _kind(name: str, ctype: str, content: bytes) -> str | None:
    """The kind of an attached file, None when it is not read: a known binary, or text that
    neither its type nor its name says is text (a TNEF blob, a signature)."""
    from pipeline import sources
    from pipeline.ingest import looks_binary

    if not content.strip() or sources.unread_reason(content):
        return None
    kind = sources.kind_of(name, content)
    if kind != sources.TEXT:
        return kind
    said = ctype.startswith("text/") or sources.SUFFIXES.get("." + name.rsplit(".", 1)[-1].lower()) == kind
    return kind if said and not looks_binary(content) else None


def _shifted(table, offset: int):
    """A table of an attachment's text, its spans moved to where that text stands in the mail's."""
    from dataclasses import replace

    from pipeline.models import Cell
    move = lambda c: Cell(c.text, (c.span[0] + offset, c.span[1] + offset))  # noqa: E731
    return replace(table, span=(table.span[0] + offset, table.span[1] + offset),
                   header_cells=[move(c) for c in table.header_cells],
                   row_cells=[[move(c) for c in row] for row in table.row_cells])
