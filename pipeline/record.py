"""The output record: assembling it, its JSON Schema, and writing it as YAML atomically
(the YAML text itself is pipeline/emit.py's)."""
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

from pipeline import __version__
from pipeline.context import Context
from pipeline.emit import to_yaml
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
            out["derived_text"] = self.derived_text
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
    """The schema compiled to Python by fastjsonschema: the same constraints, about 20x
    faster than jsonschema, for the write path. fastjsonschema knows drafts up to 7; the
    record schema uses nothing newer, so its draft marker is swapped for the compile.

    Its `$defs` are written in where they are referred to: compiled code calls a
    function per `$ref` and builds the error path for it (`locals()`) before the call,
    which cost more than all the checking (every span is a `$ref`)."""
    schema = _inlined(record_schema(), record_schema()["$defs"])
    return fastjsonschema.compile(dict(schema, **{"$schema": "http://json-schema.org/draft-07/schema#"}))


def _inlined(node: Any, defs: dict) -> Any:
    """`node` with each `{"$ref": "#/$defs/NAME"}` replaced by that definition, `$defs` dropped."""
    if isinstance(node, dict):
        if "$ref" in node:
            if set(node) != {"$ref"} or not node["$ref"].startswith("#/$defs/"):
                raise ValueError(f"cannot inline {node}: only a bare local $ref")
            return _inlined(defs[node["$ref"].removeprefix("#/$defs/")], defs)
        return {k: _inlined(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inlined(v, defs) for v in node]
    return node


def check(data: dict) -> None:
    """Raise ValueError naming the first place `data` breaks the output contract."""
    try:
        _compiled_check()(data)
    except fastjsonschema.JsonSchemaException as e:
        raise ValueError(f"record breaks the schema: {e.message}") from None


def write_atomic(path: Path, content: str) -> None:
    """Write via a temporary file in the same directory, then rename over `path`.

    The temporary file is `.NAME.yaml.tmp`: a run killed mid-write leaves at most
    that (never a partial NAME.yaml), and the next write of NAME.yaml reuses and
    renames it. Its name is fixed so no directory listing is needed per write.

    No fsync: the guarantee is no half-written YAML after the *process* dies (kill -9,
    out of memory), and for that the rename is enough, since what was written is in
    the kernel's cache whether or not the process lives on. An fsync per file only
    helps when the machine itself goes down; it cost about as much CPU as writing the
    YAML (and most of the write's wall time), and after a machine crash a file that
    lost its content fails `is_current` and is extracted again on the next run.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(content)
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
