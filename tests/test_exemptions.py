"""Exemptions: written forms, the Act, the stance, and the traps."""
from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors.exemptions import sections
from pipeline.models import Message

from conftest import Stages, shared_dir

STAGE_RUN = Stages('segment', 'exemptions')
RULESETS = STAGE_RUN.rulesets
SECTION = re.compile(r"^[0-9]+[A-Z]?(\([0-9a-zA-Z]+\))*$")  # the record schema's pattern


def exemptions_in(text: str, messages: list[Message] | None = None):
    return STAGE_RUN.run(text, messages).items["exemptions"]


def found(text: str, **kw) -> dict[tuple[str, str], str]:
    return {(e.act, e.section): e.stance for e in exemptions_in(text, **kw)}


# --------------------------------------------------------------------------- lists
@pytest.mark.parametrize("written, canonical", [
    ("section 40(2)", ["40(2)"]),
    ("s.40(2)", ["40(2)"]),
    ("s40 (2)", ["40(2)"]),
    ("s.12", ["12"]),
    ("Section 31(1)(a) and (b)", ["31(1)(a)", "31(1)(b)"]),
    ("sections 40(2) and 40(3)(a)(i)", ["40(2)", "40(3)(a)(i)"]),
    ("sections 21 and 40", ["21", "40"]),
    ("section 40(2) and (3)", ["40(2)", "40(3)"]),
    ("section 31(1)(a) & (b)", ["31(1)(a)", "31(1)(b)"]),
    ("sections 40(2) & (5)", ["40(2)", "40(5)"]),
    ("sections 1(1), (4) and (6)", ["1(1)", "1(4)", "1(6)"]),
    ("section 36(2)(b)(i) and (ii)", ["36(2)(b)(i)", "36(2)(b)(ii)"]),
    ("sections 40(5)(personal information) and 30(3)(investigations and proceedings)", ["40(5)", "30(3)"]),
    ("sections 31(1)(2) (“law enforcement”), 35(1)(a) (“formulation of government policy”) and section 40(2)",
     ["31(1)(2)", "35(1)(a)", "40(2)"]),
    ("regulation 12(4)(d) and (e)", ["12(4)(d)", "12(4)(e)"]),
    ("section 24 or 24A", ["24", "24A"]),
    ("Section 31(1) (a) and (b)", ["31(1)(a)", "31(1)(b)"]),
    ("Section 12 (4) (b)", ["12(4)(b)"]),
])
def test_a_list_splits_into_sections_as_cited(written, canonical):
    assert [c.section for c in sections(written)] == canonical


def test_a_commissioners_list_continues_a_section_with_bare_subsections():
    text = ("Freedom of Information (Scotland) Act 2002 (FOISA) sections 1(1), (4) and (6) (General entitlement); "
            "36(2) (Confidentiality); 38(1)(b), 2(a)(i), 2(b) and (5) (Personal information)")
    assert sorted(found(text)) == [("FOISA", s) for s in ("36(2)", "38(1)(b)", "38(2)(a)(i)", "38(2)(b)", "38(5)")]


def test_each_section_keeps_its_own_span():
    text = "sections 40(2) & (5)"
    assert [text[s:e] for _, (s, e), _ in sections(text)] == ["sections 40(2)", "(5)"]


# --------------------------------------------------------------------------- the Act
@pytest.mark.parametrize("text, act, section", [
    ("which would far exceed the appropriate limit (FOIA, s.12).", "FOIA", "12"),
    ("This information is exempt under section 33(1)(b) of the Freedom of Information (Scotland) Act 2002.",
     "FOISA", "33(1)(b)"),
    ("Freedom of Information (Scotland) Act 2002 - Information requested\n\nThis information has not been "
     "released as the exemption under section 33(1)(b) of the Act applies.", "FOISA", "33(1)(b)"),
    ("The Scottish Information Commissioner found the Council was right to withhold it under section 30(b)(i).",
     "FOISA", "30(b)(i)"),
    ("We are withholding the report under regulation 12(5)(e) of the Environmental Information Regulations 2004.",
     "EIR", "12(5)(e)"),
    ("The Council withheld the report under reg. 12(5)(e).", "EIR", "12(5)(e)"),
    ("Under the Environmental Information (Scotland) Regulations 2004 the report is excepted under "
     "regulation 10(5)(f).",
     "EISR", "10(5)(f)"),
    ("to withhold the information requested in parts 2 and 3 under section 21(1) FOIA (which relates to ...)",
     "FOIA", "21(1)"),
    ("It is exempt under s.29 of the Data Protection Act 1998.", "DPA", "29"),
    ("Defra refused to disclose the rest citing sections 35(1)(a) and 40 of the Freedom of Information Act 2000.",
     "FOIA", "35(1)(a)"),
])
def test_the_act_comes_from_the_words_around_the_section(text, act, section):
    assert (act, section) in found(text)


def test_the_same_number_under_foisa_in_a_scottish_document():
    text = ("Information request and response under the Freedom of Information (Scotland) Act 2002.\n\n"
            "We are withholding the figures under section 30(c).")
    assert found(text) == {("FOISA", "30(c)"): "applied"}


@pytest.mark.parametrize("text", [
    "a parent/guardian who is suspected of an offence under section 24 or 24A of the Immigration Act 1971, or "
    "section 35 of the Asylum and Immigration (Treatment of Claimants) Act 2004 has been, or is being committed",
    "This is done using the vires in Section 21 of the Local Government Act to insert provisions.",
    "Section 15.2.1 stated ‘where a) there is an open breach on HO systems’",
    "As set out in section 36 of the MoU, data is shared monthly.",
    "The developer signed a Section 38 agreement with the highway authority.",
    "Please remember that this is not covered (see Fees Regulations 4(3)).",
    "If you remain dissatisfied you may complain to the Commissioner under section 50 of the Freedom of "
    "Information Act.",
    "the department has no obligation to comply with section 1(1) of the Act in this case.",
    "This is a formal notice under section 17(1) of FOISA that we do not have the information.",
    "please provide advice and assistance, under the Section 16 obligations of the Act",
    "Please allow 20 working days for a reply to question 12.",
    "The applicant applied under section 15 of the Freedom of Information Act 1982 for access.",
    "Section 12 of the Section 45 Code of Practice places a duty on public authorities to offer a review.",
    "The developer signed a Section 38 agreement, and the landlord served a section 21 notice.",
])
def test_sections_of_other_laws_and_non_exemptions_are_not_exemptions(text):
    assert found(text) == {}


# --------------------------------------------------------------------------- stance
@pytest.mark.parametrize("text, stance", [
    ("There are some redactions to which we are applying section 40(2) (personal data).", "applied"),
    ("Some of the information you have requested is exempt from disclosure under section 40(2) of the FOI Act.",
     "applied"),
    ("The information is being withheld under section 40(2).", "applied"),
    ("There are also a small number of redactions under section 40(2) of the Act.", "applied"),
    ("The exemption which applies to this information is section 40(2) which covers personal data.", "applied"),
    ("The Commissioner finds that section 40(2) is engaged.", "applied"),
    ("The request was refused under section 40(2).", "applied"),
    ("The MPS would neither confirm nor deny holding information by virtue of section 40(2).", "applied"),
    ("During the investigation it added reliance on section 40(2).", "applied"),
    ("The information cannot be disclosed for the following reasons.\n\nSection 40(2) of the FOIA provides an "
     "exemption for third party personal data.", "applied"),
    ("We believe much of the information is likely to be exempt from disclosure under section 40(2).", "considered"),
    ("Section 40(2) may apply to some of the names.", "considered"),
    ("We did consider section 40(2) before deciding to release the list.", "considered"),
    ("We have considered whether section 40(2) applies.", "considered"),
    ("To comply we would need to redact information withheld under section 40(2) from every agreement.",
     "considered"),
    ("I do not accept that section 40(2) is engaged: these are senior officials.", "disputed"),
    ("The complainant disputes that section 40(2) was correctly applied.", "disputed"),
    ("Section 40(2) is an absolute exemption.", "cited"),
    ("We have concluded that section 40(2) does not apply to the contract.", "cited"),
    ("In 2018 section 40(2) was applied 35 times.", "cited"),
    ("In 2019, 45 requests were refused under section 40(2).", "cited"),
    ("We have applied exemption 40(2) to the names of junior staff.", "applied"),
    ("The names are withheld under Sec. 40(2).", "applied"),
    ("Outcome: Partially disclosed\nExemptions applied: S40(2) Personal information\n", "applied"),
    ("The Commissioner finds that the council correctly applied section 40(2).", "applied"),
    ("The Commissioner finds that the withheld information engages section 40(2).", "applied"),
    ("The Commissioner is not satisfied that section 40(2) is engaged.", "disputed"),
    ("We may need to apply section 40(2) to parts of the file.", "considered"),
])
def test_stance_from_the_words_of_the_sentence(text, stance):
    assert found(text) == {("FOIA", "40(2)"): stance}


def test_cost_refusal_is_applied():
    text = ("To conduct this manual search would take around 559 hours of work, which would far exceed the "
            "appropriate limit (FOIA, s.12).")
    assert found(text) == {("FOIA", "12"): "applied"}


def test_a_requester_arguing_in_advance_disputes():
    text = ("Dear Nottingham University Hospitals NHS Trust,\n\nPlease remember that Section 12 of the costs limit "
            "does not apply to the application of exemptions. Section 12 should be claimed as narrowly as possible "
            "if it is asserted it is engaged.\n\nIn the unlikely event that the trust asserts that Section 43(2) is "
            "engaged, please disclose your public interest reasoning.\n\nYours faithfully,\n\nColin Campbell\n")
    assert found(text) == {("FOIA", "12"): "disputed", ("FOIA", "43(2)"): "disputed"}


def test_a_requesters_headings_dispute_and_their_boilerplate_cites():
    headings = ("Dear Department for Education,\n\nSection 35 (Policy Formulation): While the exemption is "
                "qualified, the public interest outweighs withholding this information.\n\nSincerely,\nJen\n")
    boilerplate = ("Dear Sir or Madam,\n\nIf it is not possible to provide the information requested due to the "
                   "cost of compliance limits identified in Section 12, please provide advice and assistance.\n\n"
                   "Yours faithfully,\nAlessandro\n")
    assert found(headings) == {("FOIA", "35"): "disputed"}
    assert found(boilerplate) == {("FOIA", "12"): "cited"}


def test_a_requester_reporting_the_refusal_reports_it_applied():
    text = ("Dear Ministry of Housing, Communities and Local Government,\n\nthe reason you are refusing to release "
            "it is on grounds that: \"The information requested falls within the exception to disclosure at "
            "regulation 12(5)(c) of the Environmental Information Regulations.\"\n\nYours faithfully,\n\nJon\n")
    assert found(text) == {("EIR", "12(5)(c)"): "applied"}


def test_outgoing_messages_from_segmentation_are_the_requesters_words():
    text = "I believe the request might have been more appropriately rejected under section 12."
    outgoing = Message(text="", span=(0, len(text)), rule="segment.test", direction="outgoing")
    assert found(text, messages=[outgoing]) == {("FOIA", "12"): "disputed"}
    assert found(text) == {("FOIA", "12"): "considered"}


def test_an_authority_writing_dear_sir_or_madam_is_not_the_requester():
    text = "Dear Sir or Madam,\n\nSection 40(2) is an absolute exemption.\n\nYours faithfully,\nFOI Team\n"
    reply = Message(text="", span=(0, len(text)), rule="segment.test", direction="incoming")
    assert found(text, messages=[reply]) == {("FOIA", "40(2)"): "cited"}


def test_a_table_of_exemption_statistics_cites_its_row_labels():
    text = ("The below table details the number of responses.\nPublic Interest Exemption |\nPartial Disclosure |\n"
            "Non Disclosure |\n27(1) |\n3 |\n5 |\n30(b)(1) |\n16 |\n3 |\n35 |\n0 |\n1 |\n\n"
            "Information request and response under the Freedom of Information (Scotland) Act 2002.")
    assert found(text) == {("FOISA", "27(1)"): "cited", ("FOISA", "30(b)(1)"): "cited", ("FOISA", "35"): "cited"}


def test_a_listed_provision_is_applied_where_information_was_withheld_for_its_reason():
    provisions = ("\n\nRelevant statutory provisions\n\nFreedom of Information (Scotland) Act 2002 (FOISA) sections "
                  "1(1) (General entitlement); 33(1)(b) (Commercial interests and the economy)\n")
    withheld = "The Council withheld other information which it considered to be commercially confidential."
    late = "The Council failed to respond to the request within 20 working days."
    assert found(withheld + provisions) == {("FOISA", "33(1)(b)"): "applied"}
    assert found(late + provisions) == {("FOISA", "33(1)(b)"): "cited"}


def test_one_item_per_section_with_its_strongest_stance_and_other_mentions():
    text = ("Section 40(2) is an absolute exemption and is not subject to the public interest test. "
            "We are applying section 40(2) to the names of junior staff.")
    (item,) = exemptions_in(text)
    assert (item.section, item.stance, item.qualified) == ("40(2)", "applied", False)
    assert item.text == "section 40(2)" and len(item.mentions) == 1
    assert item.evidence == "We are applying"


def test_qualified_where_the_text_says():
    text = ("Section 22 of the Act is a qualified exemption and, therefore, a public interest test has been "
            "carried out.")
    (item,) = exemptions_in(text)
    assert (item.stance, item.qualified) == ("applied", True)


def test_a_short_name_the_text_defines_keeps_its_act():
    text = ("The Environmental Information (Scotland) Regulations 2004 (the EIRs) apply. The Council said "
            "the information was excepted from disclosure in terms of regulation 10(4)(b) of the EIRs.")
    assert found(text) == {("EISR", "10(4)(b)"): "applied"}


def test_the_same_ground_named_again_without_a_cue_is_applied():
    text = ("Figures for two teams have been removed under Section 31(1)(a) – Law enforcement.\n\n"
            "Factors favouring disclosure for section 31(1)\nThere is a public interest in openness.")
    assert found(text) == {("FOIA", "31(1)(a)"): "applied", ("FOIA", "31(1)"): "applied"}


def test_exemption_statistics_on_lines_of_figures_stay_cited():
    text = ("Exemptions used in 2024\ns12. Cost of compliance exceeds appropriate limit: 28\n"
            "s14. Vexatious or repeated request: 16\n")
    assert found(text) == {("FOIA", "12"): "cited", ("FOIA", "14"): "cited"}


def test_a_section_of_a_police_power_is_not_an_exemption():
    text = "Please split the searches by power, e.g. S23 Misuse of Drugs and S1 PACE, under the FOI Act."
    assert found(text) == {}


def test_provisions_listed_after_withholding_under_various_exemptions_are_applied():
    text = ("Summary\nThe Authority withheld the information under various exemptions in FOISA.\n"
            "Relevant statutory provisions\nFreedom of Information (Scotland) Act 2002 (FOISA) sections 1(1) "
            "(General entitlement); 36(2) (Confidentiality); 38(1)(b) (Personal data)\n")
    assert found(text) == {("FOISA", "36(2)"): "applied", ("FOISA", "38(1)(b)"): "applied"}


# --------------------------------------------------------------------------- robustness
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("sectionSregulat .()&,;/-0123456789abiv\nFOIAEIRDPA")), max_size=120))
def test_arbitrary_section_like_text_never_raises(text):
    for item in exemptions_in(text):
        assert SECTION.match(item.section), item.section
        assert item.act in {"FOIA", "FOISA", "EIR", "EISR", "DPA"}
        assert item.stance in {"applied", "considered", "disputed", "cited"}


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_never_raises(text):
    exemptions_in(text)


# --------------------------------------------------------------------------- the corpus
@pytest.mark.parametrize("folder", ["seeds", "dev", "wdtk"])
def test_corpus_exemptions_match_the_keys(folder):
    corpus = shared_dir("corpus", folder)
    tp = fp = fn = stance_ok = 0
    for key_path in sorted(corpus.glob("*.key.yaml")):
        key = yaml.safe_load(key_path.read_text(encoding="utf-8"))
        text = (corpus / key["doc"]).read_text(encoding="utf-8")
        want = {(e["act"], str(e["section"])): e["stance"] for e in key.get("exemptions") or []}
        ambiguous = {(e["act"], str(e["section"])) for e in (key.get("ambiguous") or {}).get("exemptions") or []}
        got = found(text)
        tp += len(want.keys() & got.keys())
        fp += len(got.keys() - want.keys() - ambiguous)
        fn += len(want.keys() - got.keys())
        stance_ok += sum(want[p] == got[p] for p in want.keys() & got.keys())
    assert 2 * tp / (2 * tp + fp + fn) >= 0.95
    assert stance_ok >= 0.9 * tp
