"""Mail as it arrives: headers give each message its day, sender and direction, bodies
are decoded whatever their charset, quotations and disclaimers are folded away, and
attachments are read with the message they came with recorded."""
from __future__ import annotations

import difflib
import re
import time
from email.message import EmailMessage

from hypothesis import given, settings, strategies as st

from pipeline.extract import extract, pipeline_for
from pipeline.flows import process_batch
from pipeline.sources import SourceError, convert, kind_of
from pipeline.sources.folding import MARKER, fold

from conftest import RULES, shared_dir
from source_files import pdf_letter

REQUEST_BOX = "request-4711-a1b2c3d4@whatdotheyknow.com"


def mail(sender: str, to: str, date: str, body: str, subject: str = "Freedom of Information request - Fleet data",
         html: str | None = None, charset: str = "utf-8") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Date"], msg["Subject"] = sender, to, date, subject
    if html is None:
        msg.set_content(body, charset=charset)
    else:
        msg.add_alternative(html, subtype="html")
    return msg


def record_of(kind: str, data: bytes):
    derived = convert(kind, data)
    rules, nlp = pipeline_for(RULES)
    return derived, extract(derived.text, RULES, nlp=nlp, preset=derived.preset)


def test_headers_give_the_day_the_sender_and_the_direction():
    reply = mail("Jo Bloggs <foi@leeds.gov.uk>", f"Ann Smith <{REQUEST_BOX}>", "Tue, 13 Nov 2007 11:39:55 +0000",
                 "Dear Ms Smith,\n\nWe hold 12 vehicles.\n\nJo Bloggs\nFOI Officer\n")
    derived = convert("eml", bytes(reply))
    (message,) = derived.preset.messages
    assert (message.direction, message.date, message.sender) == ("incoming", "2007-11-13", "Jo Bloggs")
    assert derived.preset.document["title"] == "Fleet data"  # WDTK's subject line around the title
    assert "Date: 13 November 2007 11:39\n" in derived.text


def test_a_latin1_body_and_a_mislabelled_utf8_body_both_read_right():
    latin = mail("a@council.gov.uk", REQUEST_BOX, "Mon, 1 Mar 2012 10:00:00 +0000", "Café costs: £12\n",
                 charset="iso-8859-1")
    assert "Café costs: £12" in convert("eml", bytes(latin)).text
    raw = bytes(latin).replace("Café costs: £12".encode("latin-1"), "Café costs: £12".encode("utf-8"))
    assert "Café costs: £12" in convert("eml", raw).text  # labelled Latin-1, sent as UTF-8


def test_an_html_only_message_is_read_as_text():
    msg = mail("a@police.uk", REQUEST_BOX, "Mon, 1 Mar 2012 10:00:00 +0000", "",
               html="<html><body><p>Dear Sir,</p><p>We hold <b>no</b> records.<br>Regards</p></body></html>")
    assert "Dear Sir,\n\nWe hold no records.\nRegards" in convert("eml", bytes(msg)).text


def test_a_quoted_earlier_message_is_folded_away():
    body = ("Dear Ms Smith,\n\nPlease see our answer below.\n\nOn Mon, 1 Mar 2012, Ann Smith wrote:\n"
            "> Please send the figures for 2011.\n> Ann\n")
    derived, record = record_of("eml", bytes(mail("a@nhs.net", REQUEST_BOX, "Mon, 5 Mar 2012 10:00:00 +0000", body)))
    assert "> Please send" not in derived.text
    assert "Please see our answer below.\n\nshow quoted sections\n" in derived.text
    assert [d.value for d in record.dates if d.value == "2011"] == []


def test_a_pdf_attachment_is_read_with_its_parent_message():
    msg = mail("foi@ico.org.uk", REQUEST_BOX, "Sun, 8 Jan 2012 09:16:15 +0000", "Please find our response attached.\n")
    msg.add_attachment(pdf_letter(reference="FOI-2019-0042"), maintype="application", subtype="pdf",
                       filename="response.pdf")
    derived, record = record_of("eml", bytes(msg))
    (attachment,) = derived.attachments
    assert (attachment.name, attachment.kind, attachment.parent) == ("response.pdf", "pdf", 0)
    assert derived.text[attachment.span[0]:attachment.span[1]].startswith("Dear Ms Smith,")
    assert [(r.value, r.message) for r in record.references] == [("FOI-2019-0042", 0)]
    assert record.messages[0].attachments == ["response.pdf"]
    assert record.tables[0].header == ["Year", "Requests received", "Refused"]  # the PDF's table, moved into place


def test_an_unreadable_attachment_is_noted_not_guessed_at():
    msg = mail("foi@ico.org.uk", REQUEST_BOX, "Sun, 8 Jan 2012 09:16:15 +0000", "Attached.\n")
    msg.add_attachment(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), maintype="application", subtype="msword",
                       filename="reply.doc")
    (attachment,) = convert("eml", bytes(msg)).attachments
    assert attachment.span is None and attachment.note.startswith("a legacy Office file")


def test_a_mailbox_is_a_thread_and_its_requester_is_its_frequent_sender():
    first = mail("Ann Smith <ann@example.org>", "foi@trust.example", "Mon, 1 Mar 2012 10:00:00 +0000",
                 "Dear Trust,\n\nHow many agency nurses did you employ in 2011?\n\nAnn Smith\n")
    second = mail("FOI Office <foi@trust.example>", "ann@example.org", "Mon, 26 Mar 2012 10:00:00 +0000",
                  "Dear Ms Smith,\n\nWe employed 212 agency nurses.\n", subject="RE: Nurses")
    third = mail("Ann Smith <ann@example.org>", "foi@trust.example", "Tue, 27 Mar 2012 10:00:00 +0000",
                 "Thank you.\n", subject="RE: Nurses")
    box = b"".join(b"From MAILER-DAEMON Mon Mar  1 10:00:00 2012\n" + bytes(m) + b"\n" for m in (first, second, third))
    assert kind_of("inbox", box) == "mbox"
    derived, record = record_of("mbox", box)
    assert [(m.direction, m.date) for m in record.messages] == [
        ("outgoing", "2012-03-01"), ("incoming", "2012-03-26"), ("outgoing", "2012-03-27")]
    assert [c.value for c in record.counts if c.message == 1] == [212]


# --------------------------------------------------------------------------- Alaveteli's fixtures
def test_alaveteli_folding_examples_agree_with_their_expected_output():
    folder = shared_dir("corpus", "mail")
    pairs = sorted(folder.glob("email-folding-example-*.txt"))
    assert pairs
    trailing = re.compile(r"[ \t]+\n")
    exact = normalised = 0
    ratios = []
    for example in pairs:
        expected = example.with_name(example.name + ".expected").read_text(encoding="utf-8")
        ours = fold(example.read_text(encoding="utf-8"))
        exact += ours == expected
        normalised += trailing.sub("\n", ours).rstrip() == trailing.sub("\n", expected).rstrip()
        ratios.append(difflib.SequenceMatcher(None, ours, expected, autojunk=False).ratio())
    # the expected files differ from the examples in trailing blanks only where they were re-saved
    assert normalised == len(pairs), (exact, normalised)
    assert sum(ratios) / len(ratios) > 0.995
    assert MARKER in fold("Thanks.\n\n-----Original Message-----\nFrom: me\n")


def test_every_fixture_mail_gives_a_record_or_a_reason(tmp_path):
    folder = shared_dir("corpus", "mail")
    mails = sorted(folder.glob("*.eml"))
    began = time.perf_counter()
    outcomes = process_batch([str(p) for p in mails], str(folder), str(tmp_path), str(RULES), force=True)
    assert len(outcomes) == len(mails)
    for o in outcomes:
        assert o.status == "done" or (o.status == "failed" and o.reason), o
    assert time.perf_counter() - began < 120


def test_the_ico_decision_notice_inside_a_mail_gives_its_text_and_reference():
    data = (shared_dir("corpus", "mail") / "incoming-request-pdf-attachment.eml").read_bytes()
    derived, record = record_of("eml", data)
    (attachment,) = derived.attachments
    pdf_text = derived.text[attachment.span[0]:attachment.span[1]]
    assert "Freedom of Information Act 2000" in pdf_text
    (reference,) = [r for r in record.references if r.value == "FS50379341"]
    assert reference.kind == "ico_case"
    assert any(attachment.span[0] <= s < attachment.span[1] for s, _ in [reference.span] + reference.mentions)


def test_a_hostile_rule_line_cannot_stall_the_folding():
    body = "Dear Sir,\n\n" + "-" * 100_000 + "\nconfidential\n"
    began = time.perf_counter()
    derived = convert("eml", bytes(mail("a@b.gov.uk", REQUEST_BOX, "Mon, 1 Mar 2012 10:00:00 +0000", body)))
    assert time.perf_counter() - began < 30
    assert derived.text.count("Dear Sir,") == 1


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["eml", "mbox"]))
def test_any_bytes_as_mail_give_a_thread_or_a_reason(data, kind):
    try:
        derived = convert(kind, b"From: a@b\nSubject: x\n\n" + data)
    except SourceError as e:
        assert str(e)
        return
    for m in derived.preset.messages:
        assert 0 <= m.span[0] < m.span[1] <= len(derived.text)
