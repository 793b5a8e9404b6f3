"""A saved WhatDoTheyKnow request page: the thread comes from the page's structure,
and the derived text reads like the page copied as text, so the same rules apply."""
from __future__ import annotations

import difflib

import pytest
import yaml

from pipeline.sources import convert, kind_of
from pipeline.sources.wdtk_html import STATUS_OF_CLASS

from conftest import shared_dir

PAGE = """<!DOCTYPE html><html><head><title>x</title><script>var x = 1;</script></head><body>
<div class="request-header"><h1>Pupil data   sharing</h1>
<p class="request-header__subtitle "><a href="/user/jen_p">Jen Persson</a> made this Freedom of Information
request to <a href="/body/dfe">Department for Education</a></p>
<div id="request_status" class="request-status-message request-status-message--{status}">
<p>The request was <strong>refused</strong> by <a href="/body/dfe">Department for Education</a>.</p></div></div>
<div id="left_column">
<div class="outgoing correspondence" id="outgoing-1"><div class="correspondence__header">
<span class="correspondence__header__author">Jen Persson</span>
<a class="correspondence__header__date"><time datetime="2016-12-19T21:14:42+00:00">19 December 2016</time></a></div>
<div class="correspondence_text"><p>Dear Department for Education,
<br />How many   requests were refused?</p><p>Yours faithfully,</p><p>Jen Persson</p></div></div>
<div class="comment_in_request box" id="comment-9"><div class="comment_content">
<h2><a href="/user/x">A Reader</a> left an annotation (<time datetime="2017-01-02T10:00:00+00:00"> 2 January 2017</time>)</h2>
<div class="comment_in_request_text"><p>Interesting.</p></div></div></div>
<div class="incoming correspondence" id="incoming-2"><div class="correspondence__header">
<span class="correspondence__header__author">FOI Team,
   Department for Education</span>
<a class="correspondence__header__date"><time datetime="2017-01-16T09:00:00+00:00">16 January 2017</time></a></div>
<div class="correspondence_text"><div class="attachments"><div class="attachments__header"><h3>1 Attachment</h3></div>
<ul class="list-of-attachments"><li class="attachment"><img alt="Attachment" src="x.png" />
<p class="attachment__name">2016-0058280 response.pdf</p><p class="attachment__meta">84K Download View as HTML</p></li></ul></div>
<p>Dear Ms Persson,<br />Our reference: 2016-0058280<br />We rely on section 40(2).</p></div></div>
</div><div class="sidebar"><div class="correspondence">not the thread</div></div></body></html>"""


def page(status: str = "rejected") -> bytes:
    return PAGE.replace("{status}", status).encode("utf-8")


def test_a_request_page_is_told_by_its_markup_whatever_its_name():
    assert kind_of("saved.html", page()) == "wdtk_html"
    assert kind_of("download", page()) == "wdtk_html"
    assert kind_of("about.html", b"<html><body><p>About us</p></body></html>") == "html"


def test_messages_come_from_the_correspondence_blocks():
    derived = convert("wdtk_html", page())
    messages = derived.preset.messages
    assert [(m.direction, m.date, m.sender) for m in messages] == [
        ("outgoing", "2016-12-19", "Jen Persson"),
        ("incoming", "2017-01-16", "FOI Team, Department for Education")]
    assert messages[1].attachments == ["2016-0058280 response.pdf"]
    first = derived.text[messages[0].span[0]:messages[0].span[1]]
    assert first.startswith("Jen Persson\n19 December 2016\n\nDear Department for Education,\n")
    assert "annotation" not in first  # an annotation stands between messages, in neither


def test_the_header_gives_title_requester_authority_and_status():
    document = convert("wdtk_html", page()).preset.document
    assert document == {"kind": "wdtk_thread", "title": "Pupil data sharing", "requester": "Jen Persson",
                        "authority": "Department for Education", "status": "refused"}


@pytest.mark.parametrize("css, status", sorted(STATUS_OF_CLASS.items()) + [("waiting_classification", None)])
def test_the_status_box_class_maps_onto_the_spec(css, status):
    assert convert("wdtk_html", page(css)).preset.document["status"] == status


def test_the_derived_text_reads_like_the_page_copied():
    text = convert("wdtk_html", page()).text
    assert text.startswith("Pupil data sharing\n\nJen Persson made this Freedom of Information request to "
                           "Department for Education\n\nThe request was refused by Department for Education.\n")
    assert "1 Attachment\n\n  • Attachment\n\n    2016-0058280 response.pdf\n\n    84K Download View as HTML" in text
    assert "A Reader left an annotation ( 2 January 2017)\n\nInteresting." in text
    assert "var x" not in text and "not the thread" not in text


def test_the_pipeline_keeps_the_pages_messages_and_finds_items_in_them(extract_text):
    from pipeline.extract import extract, pipeline_for
    from conftest import RULES
    derived = convert("wdtk_html", page())
    rules, nlp = pipeline_for(RULES)
    record = extract(derived.text, RULES, nlp=nlp, preset=derived.preset)
    assert [(m.direction, m.date, m.rule) for m in record.messages] == [
        ("outgoing", "2016-12-19", "source.wdtk_html"), ("incoming", "2017-01-16", "source.wdtk_html")]
    assert record.document.status == "refused" and record.document.requester == "Jen Persson"
    assert [(r.value, r.message) for r in record.references if r.kind == "foi_case"] == [("2016-0058280", 1)]
    assert [(e.section, e.message) for e in record.exemptions] == [("40(2)", 1)]


# --------------------------------------------------------------------------- the shared corpus
def corpus_pages():
    folder = shared_dir("corpus", "wdtk")
    return sorted(folder.glob("*.html"))


def test_every_saved_page_reads_as_its_text_rendering():
    for html in corpus_pages():
        ours = [line.rstrip(" ") for line in convert("wdtk_html", html.read_bytes()).text.splitlines()]
        theirs = [line.rstrip(" ") for line in html.with_suffix(".txt").read_text(encoding="utf-8").splitlines()]
        changed = [d for d in difflib.unified_diff(theirs, ours, lineterm="", n=0)
                   if d[:1] in "+-" and d[:3] not in ("+++", "---")]
        assert changed == [], html.name


def test_every_saved_page_gives_the_keys_messages_and_document():
    for html in corpus_pages():
        key = yaml.safe_load(html.with_name(html.stem + ".key.yaml").read_text(encoding="utf-8"))
        derived = convert("wdtk_html", html.read_bytes())
        got = [{"direction": m.direction, "date": m.date, "sender": m.sender} for m in derived.preset.messages]
        assert got == key["messages"], html.name
        document = derived.preset.document
        assert {k: document.get(k) for k in key["document"]} == key["document"], html.name
