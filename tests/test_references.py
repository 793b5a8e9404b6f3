"""References: the case-number shapes authorities use, their kinds, and the traps."""
from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st


from conftest import Stages, shared_dir

STAGE_RUN = Stages('segment', 'references')
RULESETS = STAGE_RUN.rulesets


def references_in(text: str):
    return STAGE_RUN.run(text).items["references"]


def found(text: str) -> set[tuple[str, str]]:
    return {(r.value, r.kind) for r in references_in(text)}


# --------------------------------------------------------------------------- shapes
@pytest.mark.parametrize("text, value, kind", [
    ("Your correspondence has been allocated reference number 2016-0058280.", "2016-0058280", "foi_case"),
    ("This has been assigned to a caseworker (case ref 59907).", "59907", "foi_case"),
    ("**Re: Freedom of Information – 41814**", "41814", "foi_case"),
    ("quoting reference **41814**.", "41814", "foi_case"),
    ("FOI 40808 - The response to this FOI was based on 20 requests.", "40808", "foi_case"),
    ("Your reference number is 9032", "9032", "foi_case"),
    ("Our Reference: KR/FOI/12575", "KR/FOI/12575", "foi_case"),
    ("Our ref: ATISN 15744\nDate: 13 January 2022", "ATISN 15744", "foi_case"),
    ("Complaint in respect of ATISN 16046 – Waiting Lists", "ATISN 16046", "foi_case"),
    ("Internal review of response to request by ‘HMP Britain’ (CR12997)  \n", "CR12997", "foi_case"),
    ("Ref: FOIA Reference 2011/286\nInformation Governance Department", "2011/286", "foi_case"),
    ("Skip to content\n\nTaser Use (822A/23)\n\nRequest", "822A/23", "foi_case"),
    ("FOI Request - Potholes Repairs\nRequest 101003838548\n1. The number", "101003838548", "foi_case"),
    ("Crimes & ASB Incidents - 062/20\n\nDate Responded 18 February 2020", "062/20", "foi_case"),
    ("Freedom of Information Request Reference No: 2010080000104", "2010080000104", "foi_case"),
    ("FOI request (FOIR-152471013)\nTrees", "FOIR-152471013", "foi_case"),
    ("Request reference number: MGLA201120-0469\nDate of response:", "MGLA201120-0469", "foi_case"),
    ("FI16615\nRequest\nI am seeking anonymised information", "FI16615", "foi_case"),
    ("FOI reference: FOI/18/00465\nDate received: 10 February 2018", "FOI/18/00465", "foi_case"),
    ("Paisley Campus\nOur ref: F19/204 \n12th September 2019", "F19/204", "foi_case"),
    ("Our reference: FOI-2023-01234", "FOI-2023-01234", "foi_case"),
    ("Please quote FOI/23/1234 in any reply.", "FOI/23/1234", "foi_case"),
    ("Thank you for your request, EIR 2024/015, about flooding.", "2024/015", "foi_case"),
    ("Our ref: F0012345", "F0012345", "foi_case"),
    ("Our reference: 3949822             Information request", "3949822", "foi_case"),
    ("Your internal review reference is IR/2023/0042.", "IR/2023/0042", "internal_review"),
    ("Internal review reference number: 2024-1187", "2024-1187", "internal_review"),
    ("Reference: FS50123456", "FS50123456", "ico_case"),
    ("The decision notice (IC-207109-L7Q5) is dated 13 March 2023.", "IC-207109-L7Q5", "ico_case"),
    ("Decision 041/2020: Glasgow Winter Gardens closure", "041/2020", "ico_case"),
    ("Case Reference: EA/2023/0199\nInformation Rights", "EA/2023/0199", "legal_citation"),
    ("Case Reference: EA-2022-0425P\nFirst-tier Tribunal", "EA-2022-0425P", "legal_citation"),
    ("(Craven v The Information Commissioner [2012] UKUT 442 (AAC)).", "[2012] UKUT 442 (AAC)", "legal_citation"),
    ("Hargan v IC and Ulster University [2024] UKFTT 331 (GRC)", "[2024] UKFTT 331 (GRC)", "legal_citation"),
    ("See also reference by Nick Gibb in PQ 48635, to help.", "48635", "parliamentary_question"),
    ("pursuant to the Answer of 26 July 2016 to Question 42842", "42842", "parliamentary_question"),
    ("Source [PQ 42942]", "42942", "parliamentary_question"),
    ("4) His Majesty's Revenue and Customs (HMRC) including application DS00638;", "DS00638", "data_share"),
    ("application no 16/03061/OUTMAJ - Land to the South of Priory Road", "16/03061/OUTMAJ", "other"),
])
def test_reference_shapes(text, value, kind):
    assert (value, kind) in found(text)


def test_pre_dsap_shares_only_where_the_text_is_about_data_shares():
    listing = "1. R0043 RSM\n2. R0042 KPMG\n3. DS00752 DWP"
    assert found(listing) == {("R0043", "data_share"), ("R0042", "data_share"), ("DS00752", "data_share")}
    assert found("Please return form R0043 by Friday.") == set()


def test_case_reference_of_a_commissioner_decision_is_the_commissioners():
    text = "Decision 041/2020\n\nPublic authority: Glasgow City Council\nCase Ref: 201901147\n"
    assert found(text) == {("041/2020", "ico_case"), ("201901147", "ico_case")}


def test_a_reference_quoted_again_is_one_item_with_its_mentions():
    text = "**Re: Freedom of Information – 41814**\n\n... quoting reference **41814**."
    (ref,) = references_in(text)
    assert ref.value == "41814" and len(ref.mentions) == 1


# --------------------------------------------------------------------------- traps
@pytest.mark.parametrize("text", [
    "Tel: 0303 123 1113\nWebsite: www.ico.org.uk",
    "Call the FOI 0303 123 1113 helpline.",
    "Wycliffe House\nWater Lane\nWilmslow\nCheshire\nSK9 5AF",
    "Paisley Campus \nPA1 2BE \nTel 0141 848 3000",
    "Response 08-09-2025\n1. There were 158 recorded unfixed potholes",
    "The appropriate limit specified for central government is £600.",
    "2022/23 | 20 | £85.50 |",
    "Financial Year\n2021/22\n2022/23",
    "Please write to request-361437-46bfc953@whatdotheyknow.com",
    "Clarification Request 1: which years do you mean?",
    "Please choose option 5 on the form.",
    "With regards to question 1, the answer is below.",
    "The request concerns an LTI 20/20 Ultralyte 100 speed camera.",
    "we responded to 1309 FOI(S)A Requests",
    "the reference to 2016 in the text",
    "under the FOIA 2000 and the EIR 2004",
    "Section 15.2.1 & 15.2.6 - the MoU did state",
    "FOI requests 2019-20 were up on 2018-19.",
    "Figures for the period (Q1/2023)\n",
])
def test_traps_are_not_references(text):
    assert found(text) == set()


# --------------------------------------------------------------------------- robustness
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("FOIREFrefCDS0123456789/- ()[]:.#\n–UKUT")), max_size=120))
def test_arbitrary_text_never_raises_and_values_come_from_the_text(text):
    for ref in references_in(text):
        assert ref.value and ref.kind
        assert re.sub(r"\s+", " ", ref.value) in re.sub(r"\s+", " ", text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_never_raises(text):
    references_in(text)


# --------------------------------------------------------------------------- the corpus
@pytest.mark.parametrize("folder", ["seeds", "dev", "wdtk"])
def test_corpus_references_match_the_keys(folder):
    corpus = shared_dir("corpus", folder)
    tp = fp = fn = kind_ok = 0
    for key_path in sorted(corpus.glob("*.key.yaml")):
        key = yaml.safe_load(key_path.read_text(encoding="utf-8"))
        text = (corpus / key["doc"]).read_text(encoding="utf-8")
        want = {_norm(r["value"]): r.get("kind") for r in key.get("references") or []}
        ambiguous = {_norm(r["value"]) for r in (key.get("ambiguous") or {}).get("references") or []}
        got = {_norm(r.value): r.kind for r in references_in(text)}
        tp += len(want.keys() & got.keys())
        fp += len(got.keys() - want.keys() - ambiguous)
        fn += len(want.keys() - got.keys())
        kind_ok += sum(want[v] == got[v] for v in want.keys() & got.keys())
    assert 2 * tp / (2 * tp + fp + fn) >= 0.9
    assert kind_ok >= 0.9 * tp


def _norm(value) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().upper()
