"""Typed values of an extraction record. They become YAML only at the edge (record.py).

Every extracted item carries its provenance (`text`, `span`, `line`, `rule`,
`message`) so a reviewer can jump to the source and to the rule that made it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

SCHEMA_ID = "foi-extract/1"


@dataclass
class Item:
    """Provenance shared by every extracted item."""

    text: str
    span: tuple[int, int]
    rule: str
    line: int = 0  # filled in by the record builder from `span`
    message: int | None = None  # ditto

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in field order; None-valued optional fields are dropped."""
        return _written(self, ())


_ALWAYS = {"text", "span", "line", "rule", "message", "value"}
_SCALARS = {str, int, float, bool, type(None)}


def _written(item: Item, left_out: tuple[str, ...]) -> dict[str, Any]:
    """The fields of `item` in order, less `left_out`, as plain values; empty optional ones dropped."""
    out: dict[str, Any] = {}
    values = item.__dict__
    for name, always in _field_names(type(item), left_out):
        value = values[name]
        if type(value) in _SCALARS:
            if always or value is not None:
                out[name] = value
        elif always or value not in ([], {}):
            out[name] = _plain(value)
    return out


@cache  # one entry per Item class (and its left-out fields): a handful
def _field_names(cls: type, left_out: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """(name, written even when empty) of each field of `cls` written."""
    return tuple((f.name, f.name in _ALWAYS) for f in fields(cls) if f.name not in left_out)


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        return [value[0], value[1]]  # a span, without the general walk
    if isinstance(value, (tuple, list)):
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


@dataclass
class DateItem(Item):
    value: str = ""  # ISO: 2016-12-19, 2016-12, 2016-Q4
    role: str | None = None  # received, sent, due, effective, period, other
    time: str | None = None  # "05:57"
    inferred_year: bool | None = None


@dataclass
class Reference(Item):
    value: str = ""
    kind: str = "other"  # foi_case, internal_review, ico_case, parliamentary_question, data_share, legal_citation, other
    mentions: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Exemption(Item):
    act: str = "FOIA"  # FOIA, FOISA, EIR, EISR, DPA
    section: str = ""  # 40(2), 31(1)(a), 12(4)(b)
    stance: str = "cited"  # applied, considered, disputed, cited
    qualified: bool | None = None
    evidence: str | None = None  # the cue words the stance rests on
    mentions: list[tuple[int, int]] = field(default_factory=list)  # other mentions of the same (act, section)


@dataclass
class Count(Item):
    value: int = 0
    subject: str | None = None
    qualifier: str | None = None
    period: str | None = None
    party: str | None = None
    table: int | None = None  # index into `tables` for table-cell counts
    mentions: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class FieldList(Item):
    label: str = ""
    items: list[str] = field(default_factory=list)
    item_spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Cell:
    """One table cell: its cleaned text and where it stands in the source."""

    text: str
    span: tuple[int, int]

    def to_dict(self) -> str:  # cells are plain strings in the output
        return self.text


@dataclass
class Table(Item):
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    format: str = ""  # ascii_box, pipe, tsv, aligned
    # cell spans (header and rows) for count binding and review; not in the YAML
    header_cells: list[Cell] = field(default_factory=list, repr=False)
    row_cells: list[list[Cell]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = _written(self, ("header_cells", "row_cells"))
        out.setdefault("header", [])  # a headerless table still says so: header []
        out.setdefault("rows", [])
        return out


@dataclass
class Message(Item):
    index: int = 0
    direction: str = "incoming"  # outgoing (requester -> authority) or incoming
    kind: str = "other"
    date: str | None = None
    sender: str | None = None
    signatory: str | None = None
    attachments: list[str] = field(default_factory=list)


@dataclass
class Document:
    kind: str = "other"  # wdtk_thread, letter, article, other
    title: str | None = None
    status: str | None = None
    status_evidence: str | None = None
    authority: str | None = None
    requester: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        if out["status_evidence"] is None:
            out.pop("status_evidence")
        return out


CATEGORIES = ("dates", "references", "exemptions", "counts", "field_lists", "tables")
