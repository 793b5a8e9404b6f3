"""Rule examples: inline-markup texts a reviewer can read, run through the real pipeline.

    'allocated reference number <reference kind="foi_case">2016-0058280</reference>.'

Each tag marks an item the pipeline must produce at exactly that span, with those
attribute values (lists written `a|b|c`). In both `match` and `no_match` examples
the rule's category must produce exactly the tagged items and nothing else; a
`match` example must also make the rule fire (find, reject or cue), a `no_match`
example must not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.context import Context
from pipeline.rules import Rule, Rules

TAGS = {"date": "dates", "reference": "references", "exemption": "exemptions", "count": "counts",
        "field_list": "field_lists", "table": "tables", "region": "regions", "message": "messages",
        "document": "document"}
_OPEN = re.compile(r"<(%s)((?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*(/?)>" % "|".join(TAGS))
_ATTR = re.compile(r"([\w-]+)=(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
FIRED = ("found", "rejected", "cue")


@dataclass
class Expected:
    tag: str
    start: int
    end: int
    attrs: dict[str, str]


def parse(marked: str) -> tuple[str, list[Expected]]:
    """Strip the markup; return the plain text and the tagged items (nesting allowed)."""
    plain: list[str] = []
    out: list[Expected] = []
    stack: list[tuple[str, int, dict]] = []
    pos = 0
    length = 0
    for m in re.finditer(r"<(/?)(%s)\b[^<>]*>" % "|".join(TAGS), marked):
        chunk = marked[pos:m.start()]
        plain.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group(1):  # closing tag
            if not stack or stack[-1][0] != m.group(2):
                raise ValueError(f"unbalanced </{m.group(2)}>")
            tag, start, attrs = stack.pop()
            out.append(Expected(tag, start, length, attrs))
        else:
            om = _OPEN.match(m.group(0))
            if om is None:
                raise ValueError(f"cannot read tag {m.group(0)}")
            attrs = {a.group(1): next(g for g in a.groups()[1:] if g is not None) for a in _ATTR.finditer(om.group(2))}
            if om.group(3):  # self-closing: a document-level fact
                out.append(Expected(om.group(1), length, length, attrs))
            else:
                stack.append((om.group(1), length, attrs))
    if stack:
        raise ValueError(f"unclosed <{stack[-1][0]}>")
    plain.append(marked[pos:])
    return "".join(plain), sorted(out, key=lambda e: (e.start, e.end))


def _as_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "|".join(_as_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _items(ctx: Context, category: str) -> list:
    if category == "regions":
        return ctx.regions
    if category == "messages":
        return ctx.messages
    return ctx.items.get(category, [])


def _span(item) -> tuple[int, int]:
    return (item.start, item.end) if hasattr(item, "start") else tuple(item.span)


_MADE_BY_SEGMENT = {"regions", "messages", "document"}


def _run_as_far_as(nlp, text: str, categories: set[str]) -> Context:
    """Run the stages up to the last one that makes `categories`: later stages never change
    an earlier stage's items, and skipping them keeps `rules check` fast."""
    stages = {c if c not in _MADE_BY_SEGMENT else "segment" for c in categories}
    names = [name.removeprefix("foi_") for name in nlp.pipe_names]
    last = max(names.index(c) for c in stages if c in names)
    doc = nlp.make_doc(text)
    for _, component in nlp.pipeline[:last + 1]:
        doc = component(doc)
    return doc._.foi


def check_example(rule: Rule, kind: str, marked: str, nlp) -> list[str]:
    """Problems with one example (empty when it passes)."""
    try:
        text, expected = parse(marked)
    except ValueError as e:
        return [f"markup: {e}"]
    own = rule.category if rule.category != "segment" else None
    ctx = _run_as_far_as(nlp, text, {rule.category} | {TAGS[e.tag] for e in expected})
    problems = []
    for exp in expected:
        category = TAGS[exp.tag]
        if category == "document":
            for k, v in exp.attrs.items():
                got = _as_text(getattr(ctx.document, k, None))
                if got != v:
                    problems.append(f"document {k}: expected {v!r}, got {got!r}")
            continue
        at = [i for i in _items(ctx, category) if _span(i) == (exp.start, exp.end)]
        shown = text[exp.start:exp.end]
        if not at:
            near = [f"{text[_span(i)[0]:_span(i)[1]]!r}" for i in _items(ctx, category)]
            problems.append(f"expected <{exp.tag}> {shown!r} at {exp.start}-{exp.end}, got none"
                            + (f" (found: {', '.join(near)})" if near else ""))
            continue
        item = at[0]
        for k, v in exp.attrs.items():
            got = _as_text(getattr(item, k, None))
            if got != v:
                problems.append(f"<{exp.tag}> {shown!r}: {k} expected {v!r}, got {got!r}")
    if own is not None:
        tagged = {(e.start, e.end) for e in expected if TAGS[e.tag] == own}
        for item in _items(ctx, own):
            if _span(item) not in tagged:
                s, e = _span(item)
                problems.append(f"unexpected {own} item {text[s:e]!r} at {s}-{e} (rule {getattr(item, 'rule', '?')})")
    fired = any(ev.rule == rule.id and ev.action in FIRED for ev in ctx.events)
    if kind == "match" and not fired:
        problems.append("the rule did not fire on this example")
    if kind == "no_match" and fired:
        problems.append("the rule fired on this no_match example")
    return problems


def check_rules(rules: Rules, nlp) -> list[str]:
    """Run every rule's examples; one `FILE:LINE: rule ID: what` line per problem."""
    out = []
    for rule in rules.all_rules():
        for kind in ("match", "no_match"):
            for line, marked in rule.examples.get(kind, []):
                for problem in check_example(rule, kind, marked, nlp):
                    out.append(f"{rule.file}:{line}: rule {rule.id}: {kind} example: {problem}")
    return out
