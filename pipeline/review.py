"""`foi-extract review RAW... --html OUT`: static pages a reviewer reads in a browser.

One page per document: the text with every extraction highlighted by category
(hover: category, rule and normalised value; click: its YAML in the side panel,
with the rule's description and where it is defined), and an index page with
counts per category and the documents that could not be read. Pages are
self-contained (inline CSS and script, no network).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline.check import checked_pipeline, relative_to_cwd
from pipeline.explain import summary
from pipeline.extract import parse
from pipeline.flows import output_path
from pipeline.ingest import IngestError, discover, read_source, relative_name
from pipeline.models import CATEGORIES, Item
from pipeline.record import Record, record_from_context, to_yaml
from pipeline.rules import Rules

PANEL_TEXT_CHARS = 160
_env = jinja2.Environment(loader=jinja2.PackageLoader("pipeline", "templates"),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True)


@dataclass
class Mark:
    """A highlighted stretch of the source: one item, one of its mentions, or a part of it."""

    start: int
    end: int
    css: str  # category class, plus "mention" / "part"
    key: str  # anchor of the item's YAML in the side panel
    title: str


@dataclass
class Page:
    rel: str
    href: str
    record: Record | None = None
    error: str | None = None

    def count(self, category: str) -> int:
        return len(self.record.items[category]) if self.record else 0


@dataclass
class Review:
    pages: list[Page] = field(default_factory=list)

    @property
    def failed(self) -> list[Page]:
        return [p for p in self.pages if p.error]


# --------------------------------------------------------------------------- highlighting
def marks_of(record: Record) -> list[Mark]:
    """Every item, its other mentions and its parts (list items, table cells) as marks."""
    marks = []
    for category in CATEGORIES:
        for n, item in enumerate(record.items[category]):
            key, title = f"{category}-{n}", f"{category} · {item.rule}\n{summary(item)}"
            marks.append(Mark(*item.span, category, key, title))
            marks += [Mark(s, e, f"{category} mention", key, f"{title}\n(another mention)")
                      for s, e in getattr(item, "mentions", [])]
            marks += [Mark(s, e, "part", key, f"{category} item: {text}")
                      for (s, e), text in zip(getattr(item, "item_spans", []), getattr(item, "items", []))]
    return [m for m in marks if m.end > m.start]


def highlight(text: str, marks: list[Mark], notes: dict[int, Markup] | None = None) -> Markup:
    """The text as HTML, every mark a span; overlapping marks nest, crossing ones are split.

    `notes` are small labels inserted at offsets (where each message starts).
    """
    notes = notes or {}
    cuts = sorted({0, len(text), *notes, *(m.start for m in marks), *(m.end for m in marks)})
    ordered = sorted(marks, key=lambda m: (m.start, -m.end))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        out.append(notes.get(a, Markup("")))
        covering = [m for m in ordered if m.start <= a and b <= m.end]
        opened = "".join(f'<span class="hl {m.css}" data-item="{m.key}" title="{html.escape(m.title)}">'
                         for m in covering)
        out.append(opened + html.escape(text[a:b]) + "</span>" * len(covering))
    out.append(notes.get(len(text), Markup("")))
    return Markup("".join(out))


def message_notes(record: Record) -> dict[int, Markup]:
    notes = {}
    for m in record.messages:
        label = " · ".join(str(x) for x in (f"message {m.index}", m.direction, m.kind, m.date, m.sender) if x)
        notes[m.span[0]] = Markup('<span class="msg" data-item="messages-{}">{}</span>').format(m.index, label)
    return notes


# --------------------------------------------------------------------------- pages
def _item_blocks(record: Record, rules: Rules) -> list[dict]:
    """The side panel: each item's YAML, with its rule's description and where it is defined."""
    blocks = []
    for category in CATEGORIES + ("messages",):
        items: list[Item] = record.messages if category == "messages" else record.items[category]
        for n, item in enumerate(items):
            rule = _rule(rules, item.rule)
            blocks.append({"key": f"{category}-{n}", "category": category, "rule": item.rule,
                           "where": f"{relative_to_cwd(rule.file)}:{rule.line}" if rule else "",
                           "description": (rule.description or "") if rule else "",
                           "yaml": to_yaml(_shortened(item.to_dict())).rstrip()})
    return blocks


def _shortened(data: dict) -> dict:
    """A message's or table's text is on the left already: the panel shows its start only."""
    text = data.get("text", "")
    if len(text) > PANEL_TEXT_CHARS:
        data["text"] = f"{text[:PANEL_TEXT_CHARS]}… ({len(text)} characters)"
    return data


def _rule(rules: Rules, rule_id: str):
    return next((r for r in rules.all_rules() if r.id == rule_id), None)


def render_document(page: Page, text: str, rules: Rules, index_href: str) -> str:
    record = page.record
    return _env.get_template("review_document.html").render(
        page=page, record=record, categories=CATEGORIES, index_href=index_href,
        body=highlight(text, marks_of(record), message_notes(record)),
        blocks=_item_blocks(record, rules), document=record.document.to_dict())


def render_index(review: Review) -> str:
    return _env.get_template("review_index.html").render(review=review, categories=CATEGORIES)


def review(sources: list[Path], out_dir: Path, rules: str | Path = "rules") -> Review:
    """Write one page per document found under `sources`, and `index.html`, into `out_dir`."""
    loaded, nlp = checked_pipeline(rules)
    out_dir = Path(out_dir)
    result = Review()
    for root in map(Path, sources):
        for path in discover(root):
            rel = relative_name(path, root)
            target = output_path(rel, out_dir).with_suffix(".html")
            page = Page(rel, target.relative_to(out_dir).as_posix())
            result.pages.append(page)
            try:
                src = read_source(path, root)
            except IngestError as e:
                page.error = str(e)
                continue
            with nlp.memory_zone():  # the strings the document added to the vocabulary go with it
                ctx = parse(nlp, src.text, src.preset)._.foi
                page.record = record_from_context(ctx, source_path=rel, sha256=src.sha256,
                                                  rules_fingerprint=loaded.fingerprint)
            index_href = "../" * rel.count("/") + "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_document(page, src.text, loaded, index_href), encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index.html").write_text(render_index(result), encoding="utf-8")
    return result
