"""A saved WhatDoTheyKnow request page: the thread read from the page's structure.

Every correspondence block is a message outright: its class says the direction, its
header the author line and the day (`<time datetime>`), its attachment list the file
names. The request header gives the title, the requester and the authority (the
subtitle's links), and the status box's class the status. Alaveteli, the software
behind WDTK, lays out every site it runs (AskTheEU, Right To Know...) this way.

The derived text is the page as a person copying it gets it: title, request line,
status sentence, then per message its author line, date line, attachment block and
body, with annotations in place. The text rules read it as they read a pasted page;
the messages and document fields come from the structure (the preset).
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from pipeline.context import Preset, PresetMessage
from pipeline.sources.derived import Derived, TextBuilder
from pipeline.sources.html_text import inline_text, parse, to_text

RULE = "source.wdtk_html"
# The status box's class, onto the spec's statuses. Classes not here (awaiting
# classification, gone postal, not an FOI request...) give no status.
STATUS_OF_CLASS = {
    "successful": "successful", "partially_successful": "partially_successful", "rejected": "refused",
    "not_held": "not_held", "waiting_response": "waiting_response",
    "waiting_response_overdue": "waiting_response", "waiting_response_very_overdue": "waiting_response",
    "waiting_clarification": "waiting_clarification", "internal_review": "internal_review",
    "user_withdrawn": "withdrawn",
}
_STATUS_CLASS = re.compile(r"request-status-message--(\w+)")
_MARKERS = (b"correspondence__header", b"request_status", b"comment_in_request")


def is_request_page(data: bytes) -> bool:
    """An Alaveteli request page: a correspondence header or the status box in the markup."""
    return any(marker in data for marker in _MARKERS)


def convert(data: bytes, kind: str = "wdtk_html") -> Derived:
    """A request page read by its structure; any other page (`html`) as the text it shows."""
    soup = parse(data)
    if kind == "html":
        page = TextBuilder()
        page.block(to_text(soup.body or soup))
        return Derived(kind="html", text=page.text())
    out, preset = TextBuilder(), Preset()
    _header(soup, out, preset)
    for block in _blocks(soup):
        if "comment_in_request" in block.get("class", []):
            _annotation(block, out)
        else:
            preset.messages.append(_message(block, out))
    return Derived(kind=kind, text=out.text(), preset=preset)


def _header(soup: BeautifulSoup, out: TextBuilder, preset: Preset) -> None:
    doc = preset.document
    doc["kind"] = "wdtk_thread"
    header = soup.select_one(".request-header") or soup
    title = inline_text(header.find("h1"))
    if title:
        doc["title"] = title
        out.block(title)
    subtitle = soup.select_one(".request-header__subtitle")
    if subtitle is not None:
        requester = subtitle.select_one('a[href^="/user/"]')
        authority = subtitle.select_one('a[href^="/body/"]')
        if requester is not None:
            doc["requester"] = inline_text(requester)
        if authority is not None:
            doc["authority"] = inline_text(authority)
        out.block(to_text(subtitle))
    status = soup.select_one("#request_status")
    if status is not None:
        found = _STATUS_CLASS.search(" ".join(status.get("class", [])))
        doc["status"] = STATUS_OF_CLASS.get(found.group(1)) if found else None
        out.block(to_text(status))


def _blocks(soup: BeautifulSoup) -> list[Tag]:
    """Messages and annotations in page order (the sidebar's lists are not the thread)."""
    column = soup.select_one("#left_column") or soup
    return column.select("div.correspondence, div.comment_in_request")


def _message(block: Tag, out: TextBuilder) -> PresetMessage:
    classes = block.get("class", [])
    author = inline_text(block.select_one(".correspondence__header__author"))
    time = block.select_one(".correspondence__header__date time") or block.find("time")
    date_line = inline_text(time)
    out.blank_line()
    start = len(out)
    out.add(f"{author}\n{date_line}\n")
    body = block.select_one(".correspondence_text")
    names = []
    if body is not None:
        listing = body.select_one(".attachments")
        if listing is not None:
            names = _attachment_block(listing, out)
            listing.decompose()
        out.block(to_text(body))
    return PresetMessage(span=(start, len(out)), rule=RULE,
                         direction="outgoing" if "outgoing" in classes else "incoming",
                         date=_day(time), sender=author or None, attachments=names)


def _attachment_block(listing: Tag, out: TextBuilder) -> list[str]:
    """`1 Attachment`, then per file its icon's alt text, its name and its size line."""
    out.block(inline_text(listing.select_one(".attachments__header")) or "Attachments")
    names = []
    for item in listing.select("li.attachment"):
        icon = item.find("img")
        name = inline_text(item.select_one(".attachment__name"))
        meta = inline_text(item.select_one(".attachment__meta"))
        out.block(f"  • {icon.get('alt', '') if icon is not None else ''}".rstrip())
        if name:
            names.append(name)
            out.block(f"    {name}")
        if meta:
            out.block(f"    {meta}")
    return names


def _annotation(block: Tag, out: TextBuilder) -> None:
    content = block.select_one(".comment_content") or block
    out.block(inline_text(content.find("h2")))
    text = content.select_one(".comment_in_request_text")
    if text is not None:
        out.block(to_text(text))


def _day(time: Tag | None) -> str | None:
    stamp = time.get("datetime", "") if time is not None else ""
    return stamp[:10] if re.match(r"\d{4}-\d{2}-\d{2}", stamp) else None
