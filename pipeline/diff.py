"""`foi-extract diff`: what an edit to `rules/` changes across the corpus, before it lands.

The (edited) rules run over RAW without writing anything; each document's record
is compared with the YAML on disk (`extracted/` by default). Items are matched by
category and span: same span and different fields is a change, overlapping spans
are a change too (a widened date, a reference that lost its brackets), the rest is
added or removed. Each change is credited to the rules involved, so a reviewer
sees per rule how many items it gained or lost.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from pipeline.check import checked_pipeline
from pipeline.explain import describe
from pipeline.extract import parse
from pipeline.flows import output_path
from pipeline.ingest import IngestError, discover, read_source, relative_name
from pipeline.models import CATEGORIES
from pipeline.record import record_from_context

COMPARED = ("messages",) + CATEGORIES
_SIGN = {"added": "+", "removed": "-", "changed": "~"}


@dataclass
class Change:
    category: str
    kind: str  # added, removed, changed
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None

    @property
    def line(self) -> int:
        return (self.new or self.old).get("line", 0)

    def fields_changed(self) -> list[str]:
        """`role received -> sent`, one per differing field (provenance of position left out)."""
        keys = [k for k in {**self.old, **self.new} if k not in ("line", "message")]
        return [f"{k} {_short(self.old.get(k))} -> {_short(self.new.get(k))}"
                for k in keys if self.old.get(k) != self.new.get(k)]

    def describe(self) -> str:
        if self.category == "document":
            return "~ document    " + "; ".join(self.fields_changed())
        head = f"{_SIGN[self.kind]} {self.category:<11} line {self.line:>4}  "
        if self.kind == "changed":
            return head + f"{self.old.get('text', '')!r}: " + "; ".join(self.fields_changed())
        item = self.new or self.old
        return head + f"{describe(item) or repr(item.get('text'))}  ({item.get('rule')})"


@dataclass
class DocumentDiff:
    rel: str
    changes: list[Change] = field(default_factory=list)
    error: str | None = None
    new_document: bool = False  # no output on disk yet


@dataclass
class CorpusDiff:
    documents: list[DocumentDiff]

    @property
    def changed(self) -> bool:
        return any(d.changes or d.new_document for d in self.documents)

    @property
    def errors(self) -> list[DocumentDiff]:
        return [d for d in self.documents if d.error]

    def per_rule(self) -> dict[str, Counter]:
        """rule id -> Counter(gained, lost, changed)."""
        out: dict[str, Counter] = {}
        for doc in self.documents:
            for c in doc.changes:
                old_rule = (c.old or {}).get("rule")
                new_rule = (c.new or {}).get("rule")
                if c.kind == "changed" and old_rule == new_rule:
                    out.setdefault(new_rule, Counter())["changed"] += 1
                    continue
                if old_rule:
                    out.setdefault(old_rule, Counter())["lost"] += 1
                if new_rule:
                    out.setdefault(new_rule, Counter())["gained"] += 1
        return dict(sorted(out.items(), key=lambda kv: str(kv[0])))

    def lines(self) -> list[str]:
        """The report: per document its changes, then per rule its gains and losses."""
        out: list[str] = []
        for doc in self.documents:
            if doc.error:
                out.append(f"{doc.rel}: error: {doc.error}")
            elif doc.changes or doc.new_document:
                note = " (no output on disk yet)" if doc.new_document else ""
                out.append(f"{doc.rel}: {len(doc.changes)} change(s){note}")
                out += [f"  {c.describe()}" for c in doc.changes]
        rules = self.per_rule()
        if rules:
            out.append("per rule:")
            width = max(len(str(r)) for r in rules)
            out += [f"  {str(r):<{width}}  " + "  ".join(f"{_SIGN[k]}{n}" for k, n in (
                ("added", c["gained"]), ("removed", c["lost"]), ("changed", c["changed"])) if n)
                for r, c in rules.items()]
        changed = sum(1 for d in self.documents if d.changes or d.new_document)
        out.append(f"{changed} of {len(self.documents)} document(s) changed, "
                   f"{sum(len(d.changes) for d in self.documents)} change(s), {len(self.errors)} error(s)")
        return out


def diff_corpus(raw: str | Path = "raw", against: str | Path = "extracted",
                rules: str | Path = "rules") -> CorpusDiff:
    """Run `rules` over every document under `raw` and compare with the YAML under `against`."""
    raw, against = Path(raw), Path(against)
    loaded, nlp = checked_pipeline(rules)
    documents = []
    for path in discover(raw):
        rel = relative_name(path, raw)
        try:
            src = read_source(path, raw)
            with nlp.memory_zone():  # the strings the document added to the vocabulary go with it
                doc = parse(nlp, src.text, src.preset)
                new = record_from_context(doc._.foi, source_path=rel, sha256=src.sha256,
                                          rules_fingerprint=loaded.fingerprint).to_dict()
            documents.append(diff_document(rel, _read_output(output_path(rel, against)), new))
        except (IngestError, OSError, yaml.YAMLError) as e:
            documents.append(DocumentDiff(rel, error=str(e)))
    return CorpusDiff(documents)


def _read_output(path: Path) -> dict | None:
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def diff_document(rel: str, old: dict | None, new: dict) -> DocumentDiff:
    """Every difference between the record on disk (`old`, None if absent) and the new one."""
    result = DocumentDiff(rel, new_document=old is None)
    old = old or {}
    before, after = old.get("document") or {}, new.get("document") or {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key) and old:
            result.changes.append(Change("document", "changed", {key: before.get(key), "rule": "document"},
                                         {key: after.get(key), "rule": "document"}))
    for category in COMPARED:
        result.changes += diff_items(category, old.get(category) or [], new.get(category) or [])
    return result


def diff_items(category: str, old: list[dict], new: list[dict]) -> list[Change]:
    """Added, removed and changed items of one category, in document order."""
    by_span: dict[tuple, list[dict]] = {}
    for item in old:
        by_span.setdefault(tuple(item["span"]), []).append(item)
    changes, unmatched_new = [], []
    for item in new:
        same_span = by_span.get(tuple(item["span"])) or []
        twin = item if item in same_span else (same_span[0] if same_span else None)
        if twin is None:
            unmatched_new.append(item)
            continue
        same_span.remove(twin)
        if twin != item:
            changes.append(Change(category, "changed", twin, item))
    unmatched_old = sorted((i for items in by_span.values() for i in items), key=lambda i: tuple(i["span"]))
    for item in unmatched_new:
        twin = next((o for o in unmatched_old if _overlap(o["span"], item["span"])), None)
        if twin is None:
            changes.append(Change(category, "added", None, item))
        else:
            unmatched_old.remove(twin)
            changes.append(Change(category, "changed", twin, item))
    changes += [Change(category, "removed", o, None) for o in unmatched_old]
    return sorted(changes, key=lambda c: (tuple((c.new or c.old)["span"]), c.kind))


def _overlap(a: Iterable[int], b: Iterable[int]) -> bool:
    (s1, e1), (s2, e2) = a, b
    return s1 < e2 and s2 < e1


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
