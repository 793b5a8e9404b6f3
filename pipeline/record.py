"""The output record: assembling it, its JSON Schema, and writing it as YAML atomically."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import yaml

from pipeline import __version__
from pipeline.context import Context
from pipeline.models import CATEGORIES, SCHEMA_ID, Document, Item, Message


@dataclass
class Record:
    source: dict[str, Any]
    document: Document
    messages: list[Message]
    items: dict[str, list[Item]]
    pipeline: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    # A converted source (pipeline/sources): the files that came inside it, and the text
    # the converter derived, which spans index; stored last, after the items it explains.
    attachments: list[Any] = field(default_factory=list)
    derived_text: str | None = None

    def __getattr__(self, name: str) -> list[Item]:  # record.dates, record.counts, ...
        if name in CATEGORIES:
            return self.items[name]
        raise AttributeError(name)

    def describe_source(self, src: Any) -> None:
        """Add an ingested Source's provenance; for a converted one also its attachments,
        the converter's notes (scanned pages...) and the derived text the spans index."""
        self.source.update(src.provenance())
        if src.derived:
            self.attachments = list(src.attachments)
            self.warnings.extend(src.warnings)
            self.derived_text = src.text

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA_ID,
            "source": dict(self.source),
            "pipeline": dict(self.pipeline),
            "document": self.document.to_dict(),
            "messages": [m.to_dict() for m in self.messages],
        }
        for c in CATEGORIES:
            out[c] = [i.to_dict() for i in self.items[c]]
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.attachments:
            out["attachments"] = [a.to_dict() for a in self.attachments]
        if self.derived_text is not None:
            out["derived_text"] = _Literal(self.derived_text)
        return out


def record_from_context(ctx: Context, *, source_path: str, sha256: str, rules_fingerprint: str) -> Record:
    """Fill in each item's line and message, order items by position, and wrap them up."""
    for m in ctx.messages:
        m.line = ctx.line_of(m.span[0])
        m.message = m.index
    items = {}
    for c in CATEGORIES:
        found = sorted(ctx.items[c], key=lambda i: (i.span[0], i.span[1]))
        for item in found:
            item.line = ctx.line_of(item.span[0])
            item.message = ctx.message_of(item.span[0])
        items[c] = found
    return Record(
        source={"path": source_path, "sha256": sha256, "chars": len(ctx.text)},
        document=ctx.document,
        messages=list(ctx.messages),
        items=items,
        pipeline={"version": __version__, "rules": rules_fingerprint},
        warnings=list(ctx.errors),
    )


# --------------------------------------------------------------------------- schema
@lru_cache(maxsize=1)
def record_schema() -> dict:
    return json.loads(resources.files("pipeline.schemas").joinpath("record.schema.json").read_text())


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(record_schema())


def validate(data: dict) -> None:
    """Raise jsonschema.ValidationError when `data` breaks the output contract.

    The reference check (jsonschema, the schema's own draft); tests use it.
    """
    _validator().validate(data)


@lru_cache(maxsize=1)
def _compiled_check():
    """The schema compiled to Python by fastjsonschema: the same constraints, about
    6x faster, for the write path. fastjsonschema knows drafts up to 7; the record
    schema uses nothing newer, so its draft marker is swapped for the compile."""
    schema = dict(record_schema(), **{"$schema": "http://json-schema.org/draft-07/schema#"})
    return fastjsonschema.compile(schema)


def check(data: dict) -> None:
    """Raise ValueError naming the first place `data` breaks the output contract."""
    try:
        _compiled_check()(data)
    except fastjsonschema.JsonSchemaException as e:
        raise ValueError(f"record breaks the schema: {e.message}") from None


# --------------------------------------------------------------------------- YAML
# libyaml's emitter (about 4x faster than PyYAML's) where it is built in.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):
    """Block style, spans and short lists inline, long strings kept readable."""


class _Literal(str):
    """A long text kept as it reads: a YAML block scalar (`|`) where YAML allows one."""


_Dumper.add_representer(_Literal, lambda dumper, s: dumper.represent_scalar("tag:yaml.org,2002:str", str(s), style="|"))


def _represent_list(dumper, data):
    flow = len(data) <= 12 and all(isinstance(x, (int, float)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def to_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def write_atomic(path: Path, content: str) -> None:
    """Write via a temporary file in the same directory, then rename over `path`.

    The temporary file is `.NAME.yaml.tmp`: a run killed mid-write leaves at most
    that (never a partial NAME.yaml), and the next write of NAME.yaml reuses and
    renames it. Its name is fixed so no directory listing is needed per write.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_record(record: Record, path: Path) -> dict:
    """Validate against the schema, then write atomically. Returns the dict written."""
    data = record.to_dict()
    check(data)
    write_atomic(path, to_yaml(data))
    return data
