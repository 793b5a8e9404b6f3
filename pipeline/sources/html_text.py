"""HTML as a browser shows it, in plain text.

`<br>` is a line break, a paragraph or heading a blank line, other blocks a line
break; runs of white space collapse to one space and vanish at a line's start, but
non-breaking spaces are kept (WDTK pages indent with them). Table cells are separated
by tabs, one row a line, so the tables extractor reads them as tab-separated rows.
Scripts, styles and form controls are dropped.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "blockquote", "pre",
              "hr", "figure", "address"}
LINES = {"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "main", "nav", "aside",
         "form", "fieldset", "caption", "thead", "tbody", "tfoot", "body", "center"}
CELLS = {"td", "th"}
DROPPED = {"script", "style", "head", "noscript", "template", "svg", "button", "input", "select",
           "textarea", "iframe", "object"}
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")  # not U+00A0: browsers keep non-breaking spaces
_TRAILING = re.compile(r" +$", re.M)  # tabs kept: they separate (empty) cells


def parse(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def to_text(node: Tag | BeautifulSoup) -> str:
    """The text a reader sees in `node`, lines without trailing blanks, no leading/trailing blank lines."""
    writer = _Writer()
    writer.walk(node)
    return writer.result()


def inline_text(node: Tag | None) -> str:
    """A short element's text on one line (an author line, a title): white space collapsed."""
    if node is None:
        return ""
    return _COLLAPSIBLE.sub(" ", node.get_text()).strip()


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0  # line breaks owed before the next text (1: new line, 2: blank line)
        self.line_start = True
        self.cell = False  # inside a table row: the next cell starts with a tab

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.text(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name in DROPPED or tag.get("hidden") is not None:
            return
        if name == "br":
            self.flush()
            self.parts.append("\n")
            self.line_start = True
            return
        if name == "pre":
            self.block(2)
            self.flush()
            self.parts.append(tag.get_text())
            self.line_start = False
            self.block(2)
            return
        if name in CELLS:
            if self.cell:
                self.parts.append("\t")
                self.line_start = False
            self.cell = True
            self.walk(tag)
            return
        gap = 2 if name in PARAGRAPHS else 1 if name in LINES else 0
        if name == "tr":
            self.cell = False
        if name == "li":
            self.block(1)
            self.text("• ")
        self.block(gap)
        self.walk(tag)
        self.block(gap)

    def block(self, gap: int) -> None:
        self.pending = max(self.pending, gap)

    def flush(self) -> None:
        if self.pending and self.parts:
            if not self.line_start:
                self.parts.append("\n")
            if self.pending == 2:
                self.parts.append("\n")
            self.line_start = True
        self.pending = 0

    def text(self, raw: str) -> None:
        s = _COLLAPSIBLE.sub(" ", raw)
        if self.line_start or self.pending:
            s = s.lstrip(" ")
        if not s:
            return
        self.flush()
        self.parts.append(s)
        self.line_start = False

    def result(self) -> str:
        return _TRAILING.sub("", "".join(self.parts)).strip("\n")
