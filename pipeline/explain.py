"""`foi-extract explain DOC [--at LINE]`: why the pipeline extracted what it did.

For one document: every item with the rule that made it and its text in context;
for one line: what each rule did there, from the context's event trace (found,
rejected and why, dropped and why, cues that lent attributes), e.g.

    references  '2016-0058280' found by refs.year_seq_case -> 2016-0058280 (kind foi_case)
    counts      '31' rejected by counts.year: looks like a year
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

from pipeline.check import checked_pipeline
from pipeline.context import Context
from pipeline.extract import parse
from pipeline.ingest import read_source
from pipeline.models import CATEGORIES, Item
from pipeline.record import Record, record_from_context

CONTEXT_CHARS = 40
_PROVENANCE = {"text", "span", "line", "rule", "message", "mentions", "item_spans", "header", "rows"}
_STYLE = {"found": "green", "rejected": "red", "dropped": "yellow", "cue": "cyan"}


@dataclass
class Explained:
    """One document run through the pipeline: its record and the trace of every rule."""

    path: Path
    ctx: Context
    record: Record

    def items(self) -> list[tuple[str, Item]]:
        """Every extraction as (category, item), messages first, in document order per category."""
        out: list[tuple[str, Item]] = [("messages", m) for m in self.record.messages]
        return out + [(c, i) for c in CATEGORIES for i in self.record.items[c]]


def explain(path: str | Path, rules: str | Path = "rules") -> Explained:
    path = Path(path)
    src = read_source(path, path)
    _, nlp = checked_pipeline(rules)
    ctx: Context = parse(nlp, src.text, src.preset)._.foi
    record = record_from_context(ctx, source_path=str(path), sha256=src.sha256, rules_fingerprint="")
    return Explained(path, ctx, record)


def summary(item: Item) -> str:
    """The item's values without its provenance: `2016-0058280 (kind foi_case)`."""
    return describe(item.to_dict())


def describe(data: dict) -> str:
    """`summary` of an item as written in the YAML."""
    data = dict(data)
    value = data.pop("value", None)
    rest = []
    for k, v in data.items():
        if k in _PROVENANCE or v in (None, [], ""):
            continue
        rest.append(f"{k} {'|'.join(map(str, v)) if isinstance(v, list) else v}")
    if "rows" in data:
        rest.append(f"{len(data['header'])} columns, {len(data['rows'])} rows")
    head = "" if value is None else str(value)
    return f"{head} ({', '.join(rest)})" if rest and head else head or ", ".join(rest)


def in_context(ctx: Context, span: tuple[int, int]) -> Text:
    """The matched text, highlighted, with up to CONTEXT_CHARS either side on its own line."""
    start, end = span
    ls, _ = ctx.line_span(start)
    _, le = ctx.line_span(max(start, end - 1))
    before = ctx.text[max(ls, start - CONTEXT_CHARS):start]
    after = ctx.text[end:min(le, end + CONTEXT_CHARS)]
    matched = ctx.text[start:end]
    if "\n" in matched:  # tables and lists: their first line says enough
        first = matched.split("\n", 1)[0]
        matched, after = first, f" … ({matched.count(chr(10)) + 1} lines)"
    text = Text(before.lstrip())
    text.append("[", style="dim")
    text.append(matched, style="bold underline")
    text.append("]", style="dim")
    text.append(after.rstrip())
    return text


def document_lines(ex: Explained) -> list[Text]:
    """Every extraction, grouped by category: line, value, rule, and the text in context."""
    out = [Text(f"{ex.path}: " + ", ".join(
        f"{len(ex.record.items[c])} {c}" for c in CATEGORIES) + f", {len(ex.record.messages)} messages",
        style="bold")]
    category = None
    for cat, item in ex.items():
        if cat != category:
            category = cat
            out.append(Text(f"\n{cat}", style="bold magenta"))
        head = Text(f"  line {item.line:>4}  ")
        head.append(summary(item) or repr(item.text), style="bold")
        head.append(f"  by rule {item.rule}", style="cyan")
        out += [head, Text("             ") + in_context(ex.ctx, tuple(item.span))]
    if ex.record.warnings:
        out.append(Text("\nwarnings", style="bold red"))
        out += [Text(f"  {w}") for w in ex.record.warnings]
    return out


def line_lines(ex: Explained, line: int) -> list[Text]:
    """What each rule did on one line, and the items that stand on it."""
    ctx = ex.ctx
    lines = ctx.text.split("\n")
    if not 1 <= line <= len(lines):
        return [Text(f"{ex.path}: line {line} is outside the document (1-{len(lines)})", style="red")]
    start = sum(len(s) + 1 for s in lines[:line - 1])
    end = start + len(lines[line - 1])
    out = [Text(f"{ex.path}:{line}: ", style="bold") + Text(ctx.text[start:end].strip())]
    events = [e for e in ctx.events if start <= e.span[0] <= end or e.span[0] <= start < e.span[1]]
    noted = set()
    for e in sorted(events, key=lambda e: (e.span[0], e.category)):
        if (e.rule, e.action, e.span, e.detail) not in noted:  # a stage may note one thing twice
            noted.add((e.rule, e.action, e.span, e.detail))
            out.append(_event_line(ex, e))
    shown = {(e.category, tuple(e.span)) for e in events if e.action == "found"}
    for cat, item in ex.items():
        s, t = item.span
        if cat == "messages":  # a message spans many lines: name it where it starts only
            t = s + 1
        if (cat, tuple(item.span)) not in shown and s <= end and start < max(t, s + 1):
            out.append(Text(f"  {cat:<12}") + Text(repr(item.text[:60]), style="bold")
                       + Text(f" made by {item.rule} -> {summary(item)}", style="green"))
    if len(out) == 1:
        out.append(Text("  no rule fired on this line", style="dim"))
    return out


def _event_line(ex: Explained, event) -> Text:
    text = ex.ctx.text[event.span[0]:event.span[1]]
    line = Text(f"  {event.category:<12}")
    line.append(repr(text[:60]), style="bold")
    line.append(f" {event.action} by {event.rule}", style=_STYLE.get(event.action, ""))
    item = _item_at(ex, event.category, tuple(event.span))
    if event.action == "found" and item is not None:
        if tuple(item.span) == tuple(event.span):
            line.append(f" -> {summary(item)}")
        else:
            line.append(f" -> another mention of {item.text!r} (line {item.line})")
    elif event.action == "found" and event.detail and event.detail != text:
        line.append(f": {event.detail}")
    elif event.action != "found" and event.detail:
        detail = event.detail
        for shown in (f"{text!r} rejected: ", f"{text!r}: "):  # the text is on the line already
            detail = detail.removeprefix(shown)
        line.append(f": {detail}")
    return line


def _item_at(ex: Explained, category: str, span: tuple[int, int]) -> Item | None:
    if category not in ex.record.items:
        return None
    for item in ex.record.items[category]:
        if tuple(item.span) == span or span in {tuple(m) for m in getattr(item, "mentions", [])}:
            return item
    return None
