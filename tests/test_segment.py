"""Segmentation: the messages of a thread, quoted and never-data regions, and the
document's kind, title, status, authority and requester."""
from __future__ import annotations

from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import segment
from pipeline.bench import synthetic_texts
from pipeline.context import Context
from pipeline.gate import engine_trusted
from pipeline.models import Message
from pipeline.rules import load_rule_file

from conftest import RULES, shared_dir

SEGMENT_RULES = load_rule_file(RULES / "segment.yaml")


def segmented(text: str) -> Context:
    ctx = Context(text)
    segment.run(ctx, SEGMENT_RULES)
    return ctx


def quoted(ctx: Context) -> list[str]:
    return [ctx.text[r.start:r.end] for r in ctx.regions if r.kind == "quoted"]


# --------------------------------------------------------------------------- rendered WDTK pages
RENDERED = """\
Pensions Release

Sean Brawley made this Freedom of Information request to Ministry of Housing, Communities and Local Government

The request was refused by Ministry of Housing, Communities and Local Government.

Sean Brawley
12 July 2019

Dear Ministry of Housing, Communities and Local Government,
Please provide any papers reviewing pension release for housing deposits.

Kind regards,

Sean Brawley

Despatch Box, Ministry of Housing, Communities and Local Government
16 July 2019

Our reference: 4336268             Information request
--------------------------------------------------------------------------
Thank you for your email. We are currently processing your request.

Sean Brawley left an annotation ( 17 July 2019)

They were quick.

Despatch Box, Ministry of Housing, Communities and Local Government
18 July 2019

1 Attachment

  • Attachment

    Response information exempt.pdf

    103K Download View as HTML

Dear Mr Brawley,

Thank you for your request for information, I have attached our formal
response to this email.

Knowledge and Information Access Team
"""


def test_rendered_page_splits_on_author_and_date_lines():
    ctx = segmented(RENDERED)
    got = [(m.direction, m.kind, m.date) for m in ctx.messages]
    assert got == [("outgoing", "request", "2019-07-12"),
                   ("incoming", "acknowledgement", "2019-07-16"),
                   ("incoming", "response", "2019-07-18")]
    assert ctx.messages[1].sender == "Despatch Box, Ministry of Housing, Communities and Local Government"
    assert ctx.messages[0].signatory == "Sean Brawley"
    assert ctx.messages[2].attachments == ["Response information exempt.pdf"]


def test_annotation_ends_the_message_before_it_and_is_no_message():
    ctx = segmented(RENDERED)
    ack = ctx.messages[1]
    assert ack.text.endswith("currently processing your request.")
    assert "annotation" not in "".join(m.text for m in ctx.messages)


def test_rendered_page_document_fields():
    doc = segmented(RENDERED).document
    assert (doc.kind, doc.title, doc.status) == ("wdtk_thread", "Pensions Release", "refused")
    assert doc.authority == "Ministry of Housing, Communities and Local Government"
    assert doc.requester == "Sean Brawley"


def test_attachment_size_line_is_chrome_but_the_count_is_not():
    ctx = segmented(RENDERED)
    size = RENDERED.index("103K")
    count = RENDERED.index("1 Attachment")
    assert ctx.blocked(size, size + 4, ("chrome",)) is not None
    assert ctx.blocked(count, count + 1) is None


def test_reply_trail_after_a_rule_line_is_quoted_down_to_the_fold_marker():
    text = """\
Register Our Marriage campaign

Vishal Vora made this Freedom of Information request to Ministry of Housing, Communities and Local Government

Response to this request is long overdue.

Vishal Vora
11 June 2019

Dear Despatch Box,

I look forward to your reply by tomorrow (12 June 2019).

Yours sincerely,

Dr Vishal Vora

Despatch Box, Ministry of Housing, Communities and Local Government
14 June 2019

Dear Dr Vora

Our apologies for the delay. We hope to send a response shortly.

MHCLG FOI Team

--------------------------------------------------------------------------

Dear Despatch Box,

I look forward to your reply by tomorrow (12 June
2019).

Yours sincerely,

Dr Vishal Vora

show quoted sections
"""
    ctx = segmented(text)
    assert [m.direction for m in ctx.messages] == ["outgoing", "incoming"]
    assert ctx.document.status == "waiting_response"
    [trail] = quoted(ctx)
    assert trail.startswith("-----") and trail.endswith("Dr Vishal Vora")
    assert ctx.messages[0].kind == "follow_up" or ctx.messages[0].kind == "request"


# --------------------------------------------------------------------------- pasted WDTK text
PASTED = """\
Department for Education pupil data use: outcomes

The request was refused by Home Office.

Dear Home Office,
under the FOI Act 2000, please can you provide the outcomes per month of pupil data processing.

Thank you for your consideration.

Jen Persson

FOI Requests, Home Office

Thank you for contacting the Home Office.

This is to acknowledge\u00a0 receipt of your email.

show quoted sections

IE PQs, FOIs and Correspondence, Home Office

1 Attachment

Dear Ms Persson,

Please find attached a response to your recent Freedom of Information Act request.

Kind regards

Home Office

show quoted sections
"""


def test_pasted_thread_splits_on_authority_author_lines():
    ctx = segmented(PASTED)
    got = [(m.direction, m.kind, m.sender) for m in ctx.messages]
    assert got == [("outgoing", "request", None),
                   ("incoming", "acknowledgement", "FOI Requests, Home Office"),
                   ("incoming", "response", "IE PQs, FOIs and Correspondence, Home Office")]
    assert all(m.date is None for m in ctx.messages)  # pasted text shows no dates


def test_requester_from_the_last_line_of_the_first_request():
    doc = segmented(PASTED).document
    assert (doc.kind, doc.status, doc.authority, doc.requester) == ("wdtk_thread", "refused", "Home Office", "Jen Persson")


def test_pasted_follow_up_after_a_link_block_is_a_new_outgoing_message():
    text = """\
Pupil data

The request was successful.

Dear Department for Education,
Please provide the MOU.

Yours sincerely,
Jen Persson

REQUESTS, NPD, Department for Education

Dear Ms Persson,

Please find attached the MOU.

Yours sincerely,

Martin Johnson

Department for Education

References

Visible links
1. http://www.ipo.gov.uk/ blocked::http://www.ipo.gov.uk/

Dear Department for Education,
thank you for the response received on Jan 25, 2017. May I ask for the original?

Sincerely,
Jen Persson
"""
    ctx = segmented(text)
    assert [(m.direction, m.kind) for m in ctx.messages] == [
        ("outgoing", "request"), ("incoming", "response"), ("outgoing", "follow_up")]
    assert ctx.messages[1].signatory == "Martin Johnson"
    assert ctx.messages[2].signatory == "Jen Persson"


def test_request_restated_inside_a_response_is_quoted_not_a_new_message():
    text = """\
Data MOUs

Jen Persson made this Freedom of Information request to Department for Education

The request was partially successful.

Dear Department for Education,

Please provide a copy of these 15 applications.

Sincerely,

Jen Persson

ACCOUNT, Unmonitored, Department for Education

Thank you for your request for information. Your current request is as follows:

Dear Department for Education,

Please provide a copy of these 15 applications.

Sincerely,

Jen Persson

I can confirm that the department holds 15 applications.

Yours sincerely

Gary Connell
"""
    ctx = segmented(text)
    assert [m.direction for m in ctx.messages] == ["outgoing", "incoming"]
    [restated] = quoted(ctx)
    assert restated.startswith("Dear Department for Education,") and restated.endswith("Jen Persson")
    assert ctx.messages[1].signatory == "Gary Connell"


def test_undated_request_takes_the_day_its_reply_says_it_was_received():
    ctx = segmented(PASTED.replace("This is to acknowledge\u00a0 receipt of your email.",
                                   "Your request was received on 13/08/2020."))
    assert [m.date for m in ctx.messages] == ["2020-08-13", None, None]


def test_reply_after_the_requesters_signature_with_no_author_line():
    text = """\
Agency Nursing Spend
Dear East Suffolk and North Essex NHS Foundation Trust,
1. Please confirm how many shifts were sent out for agencies to fill.
Yours faithfully,
James Baker
Please be advised that we have received your request for information.
Your reference number is 9032
Kind regards,
Matthew Negus
"""
    ctx = segmented(text)
    assert [(m.direction, m.kind) for m in ctx.messages] == [("outgoing", "request"), ("incoming", "acknowledgement")]
    assert ctx.messages[1].signatory == "Matthew Negus"
    doc = ctx.document
    assert (doc.kind, doc.authority, doc.requester) == (
        "wdtk_thread", "East Suffolk and North Essex NHS Foundation Trust", "James Baker")


def test_authority_named_alone_after_the_requesters_signature_opens_its_reply():
    text = """\
previous FOI requests received

The request was successful.

Dear Metropolitan Police Service (MPS),

please give me a list of all FOI requests.

Yours faithfully,

Brian Farnet

Metropolitan Police Service (MPS)

Dear Mr Farnet,

Your request will now be considered in accordance with the Freedom of Information Act 2000.
"""
    ctx = segmented(text)
    assert [(m.direction, m.kind) for m in ctx.messages] == [("outgoing", "request"), ("incoming", "acknowledgement")]
    assert (ctx.document.authority, ctx.document.requester) == ("Metropolitan Police Service", "Brian Farnet")


def test_pasted_reply_to_the_authoritys_desk_opens_a_message_even_without_a_sign_off():
    text = """\
Register Our Marriage campaign

Vishal Vora made this Freedom of Information request to Ministry of Housing, Communities and Local Government

Dear Ministry of Housing, Communities and Local Government,

Please explain how the funds were allocated.

Yours faithfully,

Dr Vishal Vora

Despatch Box, Ministry of Housing, Communities and Local Government

Dear Dr Vora

I have attached our formal response to your request.

Knowledge and Information Access Team

Dear Despatch Box,

My request would like to know why this project was chosen.

Yours sincerely,

Dr Vishal Vora

FoI Requests, Ministry of Housing, Communities and Local Government

Dear Dr Vora,

We have passed this request onto the policy team.

Many Thanks,

MHCLG FOI Team

_______________________________________________________

Dear Despatch Box,

My request would like to know why this project was chosen.

show quoted sections
"""
    ctx = segmented(text)
    assert [(m.direction, m.kind) for m in ctx.messages] == [
        ("outgoing", "request"), ("incoming", "response"), ("outgoing", "follow_up"), ("incoming", "other")]
    [trail] = quoted(ctx)
    assert trail.startswith("_____") and trail.endswith("was chosen.")
    assert ctx.document.requester == "Vishal Vora"


# --------------------------------------------------------------------------- quotations
@pytest.mark.parametrize("quotation", [
    "> Please provide the 2016 figures.\n> Thank you",
    "-----Original Message-----\nFrom: J Smith\nSent: 3 May 2019\nPlease provide the 2016 figures.",
    "On 3 May 2019, J Smith <[email address]> wrote:\nPlease provide the 2016 figures.",
    "From: FOI Team\nSent: 10 May 2019 10:01\nTo: J Smith\nSubject: Request 123\nWe hold 4 records.",
])
def test_quoted_earlier_messages_are_marked_quoted(quotation):
    text = f"Dear Ms Smith,\n\nPlease see our answer below.\n\nYours sincerely,\nFOI Team\n\n{quotation}\n"
    assert quoted(segmented(text)) == [quotation]


def test_a_mail_header_at_the_top_is_the_message_itself():
    text = "From: FOI Team\nSent: 10 May 2019 10:01\nTo: J Smith\nSubject: Request 123\n\nWe hold 4 records.\n"
    assert quoted(segmented(text)) == []


def test_quoted_is_not_never_data():
    from pipeline.matching import NEVER_DATA
    assert "quoted" not in NEVER_DATA


def test_mail_footers_are_chrome_in_alaveteli_folding_examples():
    folder = shared_dir("corpus", "mail")
    for n in (1, 3, 8):
        text = (folder / f"email-folding-example-{n}.txt").read_text(encoding="utf-8", errors="replace")
        ctx = segmented(text.replace("\r\n", "\n"))
        notice = ctx.text.index("This email and any")
        assert ctx.blocked(notice, notice + 10, ("chrome",)) is not None, n
        assert ctx.blocked(0, 10) is None  # the message itself is data


# --------------------------------------------------------------------------- letters and other documents
LETTER = """\
Home Office

Immigration Enforcement
Sandford House
Solihull

Jen Persson
[request-361437-46bfc953@whatdotheyknow.com](mailto:request-361437-46bfc953@whatdotheyknow.com)

8 December 2016

Dear Ms Persson

**Re: Freedom of Information – 41814**

Thank you for your e-mail of 10 November. I am able to disclose some of the information that you have requested.

Yours sincerely

Information Access Team
"""


def test_letter_is_one_message_with_its_own_date():
    ctx = segmented(LETTER)
    [letter] = ctx.messages
    assert (letter.direction, letter.kind, letter.date) == ("incoming", "response", "2016-12-08")
    assert letter.signatory == "Information Access Team"


def test_letter_fields_from_letterhead_subject_and_addressee():
    doc = segmented(LETTER).document
    assert (doc.kind, doc.title) == ("letter", "Re: Freedom of Information – 41814")
    assert (doc.authority, doc.requester) == ("Home Office", "Jen Persson")
    assert doc.status == "partially_successful"
    assert doc.status_evidence == "I am able to disclose some of the information that you have requested."


@pytest.mark.parametrize("salutation, requester", [
    ("Dear Jonathan Edwards", "Jonathan Edwards"),
    ("Dear Mr Charlton", "R Charlton"),  # the full name from the address block
])
def test_letter_addressee_is_the_requester(salutation, requester):
    text = f"Trust Headquarters\nMr R Charlton\nDate: 9th February 2012\n{salutation}\nATISN 15744\nThank you for your request.\n"
    ctx = segmented(text)
    assert ctx.document.requester == requester
    assert ctx.messages[0].date == "2012-02-09"


@pytest.mark.parametrize("line, status", [
    ("The request was successful.", "successful"),
    ("The request was partially successful.", "partially_successful"),
    ("The request was refused by Home Office.", "refused"),
    ("Home Office did not have the information requested.", "not_held"),
    ("Response to this request is long overdue. By law, under all circumstances, Home Office should have "
     "responded by now (details).", "waiting_response"),
    ("Currently waiting for a response from Home Office, they should respond promptly and normally no later "
     "than 12 August 2019 (details).", "waiting_response"),
    ("We're waiting for jay to read a recent response and update the status.", None),
    ("Waiting for an internal review by Home Office of their handling of this request.", "internal_review"),
    ("This request has been withdrawn by the person who made it.", "withdrawn"),
])
def test_wdtk_status_line(line, status):
    doc = segmented(f"Some title\n\n{line}\n\nDear Home Office,\nPlease send it.\n\nYours faithfully,\n\nJ Smith\n").document
    assert (doc.kind, doc.status) == ("wdtk_thread", status)


def test_status_sentence_in_a_message_body_is_not_the_status():
    text = ("Some title\n\nDear Home Office,\nI hope the request was successful.\n\n"
            "The request was successful.\n\nYours faithfully,\n\nJ Smith\n")
    assert segmented(text).document.status is None


def test_requester_loses_honorifics_and_post_nominals():
    text = ("We don't know whether the most recent response to this request contains information or not – "
            "if you are Dr Colin Iain Campbell MBChB FRSPH please sign in and let everyone know.\n\n"
            "NHS Professionals Data\n\nDear Nottingham University Hospitals NHS Trust,\nPlease release the reports.\n")
    doc = segmented(text).document
    assert (doc.title, doc.status) == ("NHS Professionals Data", None)
    assert (doc.requester, doc.authority) == ("Colin Iain Campbell", "Nottingham University Hospitals NHS Trust")


@pytest.mark.parametrize("text, status", [
    ("Taser Use\n\nResponse\n\nThis would far exceed the appropriate limit (FOIA, s.12).\n", "refused"),
    ("Late requests\n\nThe information you have requested is provided within the following table.\n"
     "In this instance the costs of providing some of it would exceed the upper cost limit of £600.\n",
     "partially_successful"),
    ("Potholes\n\n1. There were 158 recorded unfixed potholes as of August 15 2025\n", None),
])
def test_other_documents_get_a_status_only_when_stated(text, status):
    doc = segmented(text).document
    assert (doc.kind, doc.status) == ("other", status)
    assert (doc.status_evidence is None) == (status is None)


def test_some_questions_not_held_and_others_answered_is_partial():
    text = ("FOI request (FOIR-152471013)\nTrees\nResponse\nQ1 - Information not held\nQ2 -\n"
            "2016 - 2017 = 316\nQ3 -\n2016 -2017 = 150\nQ4 & Q5 - Information not held\n")
    doc = segmented(text).document
    assert (doc.status, doc.status_evidence) == ("partially_successful", "Q1 - Information not held")


def test_title_wrapped_over_two_lines_is_joined():
    text = ("Internal review of response to request under the Freedom of \n"
            "Information (FoI) Act 2000 by ‘HMP Britain’ (CR12997)  \n \nResponding Unit: POU\n")
    assert segmented(text).document.title == (
        "Internal review of response to request under the Freedom of Information (FoI) Act 2000 by ‘HMP Britain’ (CR12997)")


def test_decisions_and_provision_titles_state_no_outcome_of_their_own():
    decision = ("Decision 041/2020: Glasgow Winter Gardens closure\n\nPublic authority: Glasgow City Council\n\n"
                "The Council stated it did not hold some other information requested.\n")
    provisions = "Trees\n\nRelevant provisions: 17(1) (Notice that information is not held)\n"
    assert segmented(decision).document.status is None
    assert segmented(provisions).document.status is None


def test_article_kind_and_title_after_its_breadcrumb():
    text = "News / National Pupil Database pupil privacy\n\nPupil data used in secret\n\nWe are appalled.\n\n###\n"
    doc = segmented(text).document
    assert (doc.kind, doc.title, doc.status) == ("article", "Pupil data used in secret", None)


def test_disclosure_log_title_skips_page_chrome():
    text = "Font Size:\nSpeech:\n\nCrimes & ASB Incidents - 062/20\n\nThe information requested is held by Northumbria Police, however cannot be disclosed.\n"
    doc = segmented(text).document
    assert (doc.kind, doc.title, doc.status, doc.authority) == (
        "other", "Crimes & ASB Incidents - 062/20", "refused", "Northumbria Police")


def test_decisions_name_the_body_asked_not_the_commissioner():
    text = ("Decision 041/2020\n\nPublic authority: Glasgow City Council\n\n"
            "The Scottish Information Commissioner found that the Council partially breached FOISA.\n")
    assert segmented(text).document.authority == "Glasgow City Council"


def test_events_say_which_rule_decided():
    ctx = segmented(RENDERED)
    decided = {e.rule for e in ctx.events if e.category == "segment"}
    assert {"segment.wdtk_header", "segment.status_refused", "segment.kind_wdtk_request_line"} <= decided


# --------------------------------------------------------------------------- any text
PIECES = st.sampled_from([
    "Dear Home Office,\n", "Yours sincerely,\n", "Jen Persson\n", "FOI Requests, Home Office\n",
    "12 July 2019\n", "Sean Brawley\n", "> quoted\n", "-----Original Message-----\n", "show quoted sections\n",
    "The request was successful.\n", "1 Attachment\n", "  • Attachment\n", "\n", "----------------------\n",
    "On 3 May 2019, J wrote:\n", "\"Dear X,\n", "J\"\n", "References\n\nVisible links\n", "Dear\n",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=30))
def test_any_text_segments_without_error_and_spans_slice(parts):
    text = "".join(parts)
    ctx = segmented(text)
    previous_end = 0
    for i, m in enumerate(ctx.messages):
        assert m.index == i
        assert 0 <= m.span[0] < m.span[1] <= len(text)
        assert text[m.span[0]:m.span[1]] == m.text
        assert m.span[0] >= previous_end
        previous_end = m.span[1]
    for r in ctx.regions:
        assert 0 <= r.start < r.end <= len(text)
    assert ctx.document.kind in ("wdtk_thread", "letter", "article", "other")


def test_segmentation_is_linear_enough():
    import time
    text = RENDERED * 200 + PASTED * 200  # ~400 KB of thread
    started = time.perf_counter()
    segmented(text)
    assert time.perf_counter() - started < 10


# --------------------------------------------------------------------------- the full WDTK pages
def test_full_wdtk_pages_split_and_dated_like_their_keys():
    folder = shared_dir("corpus", "wdtk")
    tp = fp = fn = 0
    fields_ok = fields_n = 0
    for key_path in sorted(folder.glob("*.key.yaml")):
        key = yaml.safe_load(key_path.read_text())
        ctx = segmented((folder / key["doc"]).read_text())
        want = Counter((m["direction"], str(m["date"])) for m in key["messages"])
        got = Counter((m.direction, m.date) for m in ctx.messages)
        tp += sum((want & got).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
        for f in ("kind", "status", "authority", "requester"):
            if key["document"].get(f) is not None:
                fields_n += 1
                fields_ok += str(getattr(ctx.document, f)).casefold() == str(key["document"][f]).casefold()
    assert 2 * tp / (2 * tp + fp + fn) >= 0.95
    assert fields_ok / fields_n >= 0.95


def test_seed_and_dev_document_fields():
    ok = n = 0
    for folder in (shared_dir("corpus", "seeds"), shared_dir("corpus", "dev")):
        for key_path in sorted(folder.glob("*.key.yaml")):
            key = yaml.safe_load(key_path.read_text())
            doc = segmented((folder / key["doc"]).read_text()).document
            for f in ("kind", "status", "authority", "requester"):
                if key["document"].get(f) is not None:
                    n += 1
                    ok += str(getattr(doc, f)).casefold() == str(key["document"][f]).casefold()
    assert ok / n >= 0.90


REGION_STEPS = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 60), st.integers(1, 30), st.sampled_from(["url", "quoted", "chrome"])),
    st.tuples(st.just("ask"), st.integers(0, 90), st.integers(1, 5), st.sampled_from([None, ("quoted",), ("url", "chrome")]))),
    max_size=60)


@settings(max_examples=200, deadline=None)
@given(REGION_STEPS)
def test_regions_added_between_questions_answer_as_if_sorted_each_time(steps):
    """Quotations are marked one by one while others are looked up: each answer is the
    region a fresh stable sort would give (the last of those overlapping, kinds kept)."""
    ctx, added = Context("x" * 200), []
    for what, start, width, kinds in steps:
        if what == "add":
            ctx.add_region(start, start + width, kinds)
            added.append(ctx.regions[-1])
            continue
        order = sorted(added, key=lambda r: (r.start, r.end))
        overlapping = [r for r in order if r.start < start + width and r.end > start and (kinds is None or r.kind in kinds)]
        assert ctx.blocked(start, start + width, kinds) is (overlapping[-1] if overlapping else None)
        assert ctx.regions == order


MESSAGE_SPANS = st.lists(st.tuples(st.integers(0, 80), st.integers(0, 20)), max_size=8)


@settings(max_examples=200, deadline=None)
@given(MESSAGE_SPANS, st.booleans(), st.lists(st.integers(0, 110), max_size=20))
def test_the_message_of_an_offset_is_the_first_holding_it(spans, in_order, offsets):
    """Messages in order are looked up by bisection; any layout answers as the plain scan
    over the messages would, also once more messages are added."""
    ctx = Context("x" * 120)
    spans = [(start, start + width) for start, width in spans]
    if in_order:  # as the thread builds them: in order, each ending where the next starts or before
        spans = sorted(spans)
        spans = [(s, min(e, nxt)) for (s, e), (nxt, _) in zip(spans, spans[1:] + [(120, 0)])]
    for i, span in enumerate(spans):
        ctx.messages.append(Message(text="", span=span, rule="segment.thread", index=i))
        for offset in offsets:
            expected = next((m.index for m in ctx.messages if m.span[0] <= offset < m.span[1]), None)
            assert ctx.message_of(offset) == expected


SPACED = st.text(alphabet=st.sampled_from(list("ab .,\t\n\r\u00a0\u2028\u3000\x1c\x85\u200b\u200e\ufeff")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(SPACED)
def test_a_squashed_name_is_what_collapsing_each_white_space_run_gives(text):
    import re

    from pipeline import names

    expected = re.sub(r"\s+", " ", re.sub("[\u200b-\u200f\u202a-\u202e\u2060\ufeff]", "", text)).strip()
    assert names.squash(text) == expected


@settings(max_examples=300, deadline=None)
@given(SPACED)
def test_lines_are_read_as_splitting_at_newlines_gives(text):
    from pipeline.thread_text import lines

    at = 0
    for (start, line), piece in zip(lines(text), text.split("\n"), strict=True):
        assert (start, line) == (at, piece)
        at += len(piece) + 1


@pytest.mark.skipif(not engine_trusted(), reason="no hyperscan engine the gate trusts")
def test_hits_through_the_gate_are_the_hits_the_literal_prefilter_finds():
    """Where the category's gate tells where each rule can match, segmentation comes out
    as it does with the literal prefilter alone: threads, letters, pages and windows alike."""
    SEGMENT_RULES.rules[0].gate.wait()  # built in a thread of its own: until then rules scan the exact way
    assert SEGMENT_RULES.rules[0].gate.ready()
    ungated = load_rule_file(RULES / "segment.yaml")
    for rule in ungated.rules:
        rule.gate = None
    texts = [p.read_text() for p in sorted((RULES.parent / "raw").glob("*.txt"))]
    texts += list(synthetic_texts(RULES.parent / "raw", 60, seed=3))
    for text in texts:
        gated, plain = Context(text), Context(text)
        segment.run(gated, SEGMENT_RULES)
        segment.run(plain, ungated)
        assert (gated.document, gated.messages, gated.regions, gated.events) == \
               (plain.document, plain.messages, plain.regions, plain.events)


@pytest.mark.parametrize("regex, reads_past", [
    (r"(?i)\b(?:acknowledge\s+receipt|we\s+are\s+processing)", False),  # a message-kind cue
    (r"(?m)^[ \t]*Dear\b", True), (r"foo(?=bar)", True), (r"foo(?!bar)", True), (r"foo$", True),
    (r"(?<=\bsection )\d+", True), (r"(?<=section )\d+", False), (r"(?:a|b(?:c\B)?)+", True), (r"[", True),
])
def test_a_cue_rule_that_reads_nothing_past_its_match_can_be_left_out_of_windows(regex, reads_past):
    """Only a regex that reads past its match's end can match in a window of a text and nowhere
    in the whole text: the gate's word that it matches nowhere then holds for every window."""
    from pipeline.segment_hits import _reads_past_its_end

    assert _reads_past_its_end(regex, False) is reads_past


def test_reading_names_without_a_vocabulary_caches_nothing():
    from pipeline import names
    before = len(names._WORD_SETS)
    for _ in range(100):
        names.person("Ms Jane Smith", {})
    assert len(names._WORD_SETS) == before


BLANKS = st.sampled_from(["", " ", "  ", "\t", " \t", "\u00a0"])
NAME_WORDS = st.sampled_from(["Mr", "R", "Charlton", "O’Neil", "Dear", "Mr.", "Mx", "Émile", "mps", "x.x", "(MPS)", "of"])
NAME_LINE = st.tuples(BLANKS, st.lists(st.tuples(NAME_WORDS, st.sampled_from([" ", " ", "  ", "\t", ", "])), max_size=6),
                      st.sampled_from(["Charlton", "O’Neil", "Metropolitan Police Service (MPS)", "R", "x.x", "",
                                       "Charlton.", "Charlton\r"]), BLANKS).map(
    lambda p: p[0] + "".join(w + s for w, s in p[1]) + p[2] + p[3])
NAME_TEXT = st.lists(NAME_LINE, max_size=8).map("\n".join)


@settings(max_examples=500, deadline=None)
@given(NAME_TEXT, st.sampled_from(["Charlton", "O’Neil", "Metropolitan Police Service (MPS)", "R", "x.x"]),
       st.integers(0, 1000))
def test_lines_holding_only_a_name_are_those_a_regex_of_the_name_finds(text, name, pos):
    import re

    from pipeline.thread_text import lines_reading

    pos %= len(text) + 1
    alone = re.compile(r"(?m)^[ \t]*" + re.escape(name) + r"[ \t]*$")
    assert lines_reading(text, name, pos) == [m.span() for m in alone.finditer(text, pos)]


@settings(max_examples=500, deadline=None)
@given(NAME_TEXT, st.sampled_from(["Charlton", "O’Neil", "R", "x.x", "(MPS)"]), st.integers(0, 1000))
def test_name_lines_above_a_salutation_are_those_a_regex_of_the_surname_finds(text, surname, end):
    import re

    from pipeline.thread_text import name_lines

    end %= len(text) + 1
    line_re = re.compile(r"(?m)^[ \t]*((?:[A-Z][\w.'’-]*[ \t]+){0,4}" + re.escape(surname) + r")[ \t]*$")
    assert name_lines(text, end, surname) == [m.span(1) for m in reversed(list(line_re.finditer(text, 0, end)))]
