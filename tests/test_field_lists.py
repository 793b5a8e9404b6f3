"""Field lists: the data fields, columns or data items a request or a reply names."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import segment
from pipeline.context import Context
from pipeline.extractors import field_lists, tables
from pipeline.rules import load_rule_file

from conftest import RULES, without_literal_checks

RULES_OF = {name: load_rule_file(RULES / f"{name}.yaml") for name in ("segment", "tables", "field_lists")}
QUOTE = field_lists.vocab_of(RULES_OF["field_lists"]).quote_prefix  # "> " of a wrapped quoted line


def find_lists(text: str) -> list:
    ctx = Context(text)
    segment.run(ctx, RULES_OF["segment"])  # URLs, e-mail addresses, WhatDoTheyKnow chrome
    tables.run(ctx, RULES_OF["tables"])  # a table's header row can be the list
    field_lists.run(ctx, RULES_OF["field_lists"])
    return ctx.items["field_lists"]


def only_list(text: str):
    found = find_lists(text)
    assert len(found) == 1, [(f.label, f.items) for f in found]
    found = found[0]
    assert text[found.span[0]:found.span[1]] == found.text
    for item, (s, e) in zip(found.items, found.item_spans):
        assert " ".join(QUOTE.sub("", text[s:e]).split()) == item
    return found


# --------------------------------------------------------------------------- list shapes
ALGORITHM = """c) Please provide the field names used in the algorithm(s).

For all Home Office requests, the following field names are used in the
algorithm:

 

Surname

PreferredSurname

DOB

Postcode

 

The Department then returns the following field names to the Home Office:

 

AcademicYear

PersonID (as supplied by Home Office)

leavingdate

 

 

d) Please provide a copy of any original MOUs.
"""


def test_one_field_per_line_with_blank_lines_between():
    first, second = find_lists(ALGORITHM)
    assert first.label == "For all Home Office requests, the following field names are used in the algorithm:"
    assert first.items == ["Surname", "PreferredSurname", "DOB", "Postcode"]
    assert second.items == ["AcademicYear", "PersonID (as supplied by Home Office)", "leavingdate"]


def test_columns_asked_for_in_a_spreadsheet():
    text = ("I would be pleased if you are able to provide this data as a spreadsheet, expanding on "
            "the format of the DfE external data shares :\n\nMonth / Year\nNumber of records sent to the DfE\n"
            "Number of records shared from DfE to Home Office\n\nFor example this might look like:\n")
    found = only_list(text)
    assert found.items == ["Month / Year", "Number of records sent to the DfE",
                           "Number of records shared from DfE to Home Office"]


def test_dash_bullets_after_a_breakdown_label_in_mid_paragraph():
    text = ("The total number of trees felled for the years 2020, 2019 (up to the most recent month). "
            "For each year of data please state and break down:\n- The reason for the felling of said trees\n"
            "- The cost to the council of felling trees\n- If trees felled were street trees or rural\n"
            "Related documents\n")
    found = only_list(text)
    assert found.label == "For each year of data please state and break down:"
    assert found.items[-1] == "If trees felled were street trees or rural"


def test_lettered_items_lose_their_letters_and_the_label_its_number():
    text = ("You asked:\n\n  1. A crime by crime breakdown (one crime per line) including:\n\n"
            "a.Type of Crime (as defined by Home Office Counting Rules)\n\nb. Date of offence\n\n"
            "c. Whether or not the Crime has had a sanction detection (Y/N)\n\n"
            "If any of the above cannot be supplied please ignore.\n")
    found = only_list(text)
    assert found.label == "A crime by crime breakdown (one crime per line) including:"
    assert found.items == ["Type of Crime (as defined by Home Office Counting Rules)", "Date of offence",
                           "Whether or not the Crime has had a sanction detection (Y/N)"]


def test_wrapped_star_bullets_are_joined():
    text = ("Please give me a list of all FOI requests since 2005. For each FOI request, please list:\n"
            "* date of request\n* subject/title of the request [each request on the list should include\n"
            "the subject/title please]\n* status\n")
    found = only_list(text)
    assert found.items == ["date of request",
                           "subject/title of the request [each request on the list should include "
                           "the subject/title please]", "status"]


def test_round_bullets_for_every_property():
    text = ("Specifically, for all residential properties recorded as vacant, I request the following:\n"
            "• Council Tax empty property classification codes applied\n"
            "• Property type (e.g. house / flat), if recorded\n"
            "I am not requesting personal data.\n")
    assert only_list(text).items == ["Council Tax empty property classification codes applied",
                                     "Property type (e.g. house / flat), if recorded"]


def test_a_label_holding_an_address_to_write_to():
    text = ("Please e-mail the spreadsheet to foi@example.gov.uk with these columns:\n\n"
            "- Date\n- Location\n- Cost\n")
    assert only_list(text).items == ["Date", "Location", "Cost"]


def test_comma_list_after_the_colon():
    text = "Please provide the data as a spreadsheet with these columns: date, location, species and cost.\n"
    found = only_list(text)
    assert found.label == "Please provide the data as a spreadsheet with these columns:"
    assert found.items == ["date", "location", "species", "cost"]


def test_the_header_row_of_a_table_the_requester_asks_for():
    text = ("Please complete a spreadsheet with the following columns:\n\n"
            "Date | Location | Number of trees |\n---|---|---|\n12/01/2019 | Alexandra Park | 3 |\n")
    assert only_list(text).items == ["Date", "Location", "Number of trees"]


def test_a_table_given_after_a_breakdown_is_not_a_field_list():
    text = ("The figures, broken down by year, are:\n\nYear | Claims |\n2022/23 | 20 |\n2023/24 | 67 |\n")
    assert find_lists(text) == []


def test_an_empty_template_line_of_column_names():
    text = "Please provide the data in a spreadsheet with the following columns:\n\nDate\tLocation\tCost\n\n"
    assert only_list(text).items == ["Date", "Location", "Cost"]


def test_a_list_quoted_with_reply_marks_is_the_same_list():
    request = "For each FOI request, please list:\n\ndate of request\ndate of reply\n"
    reply = "Dear Sir,\n\n> For each FOI request, please list:\n>\n> date of request\n> date of reply\n"
    assert len(find_lists(request + "\n" + reply)) == 1
    found = only_list(reply)
    assert found.label == "For each FOI request, please list:"
    assert found.items == ["date of request", "date of reply"]


def test_a_list_quoted_back_in_the_acknowledgement_is_kept_once():
    request = "For each FOI request, please list:\n\ndate of request\ndate of reply\nreference number\n"
    found = find_lists(request + "\nYou asked:\n\n" + request)
    assert len(found) == 1 and found[0].span[0] == 0


# --------------------------------------------------------------------------- traps
@pytest.mark.parametrize("text", [
    # numbered questions after "the following information"
    "I would like to request an Excel document that contains the following information:\n\n"
    "1) For the years between 2000 and 2017, how many rivers failed to meet the standards?\n\n"
    "2) I would like to know if there is any documentation on the standards.\n",
    "Please can you provide the following information, broken down by month, including but not only:\n\n"
    "a) was data further onwardly shared beyond the Home Office\nb) interventions with a family\n",
    # organisations
    "A count of agreements with each of the following seven (7) organisations, broken down by year:\n\n"
    "• Home Office/UKVI\n• Department for Work and Pensions (DWP)\n• Ministry of Justice (MoJ)\n",
    # an address
    "Please send the spreadsheet to the following address:\n\nWycliffe House\nWater Lane\nWilmslow\n",
    # DSAP applications
    "A copy of these 15 applications submitted for DSAP approval:\n\n1. R0043 RSM\n2. R0042 KPMG\n"
    "3. DS00752  DWP\n",
    # a list with no word about fields
    "Staff Categories:\nAll Allied Health Professions (AHP)\nRadiography / Medical Imaging\n"
    "Time periods:\n2006 (1st Jan-31st Dec)\n2007 (1st Jan-31st Dec)\n",
    # points made in bullets that run on as prose
    "For ease of reference we have applied the methodology for each of the organisations to provide "
    "the following counts:\n\n• Filtering on the Home Office / UKVI, gives two active data sharing\n"
    "agreements. Please note, this does not include the share with DSAP\n• Filtering on DWP gives three.\n",
    # a label with items on its line that are not names
    "Date received: 10 February 2018\nFOI reference: FOI/18/00465\n",
])
def test_no_field_list_from(text):
    assert find_lists(text) == []


# --------------------------------------------------------------------------- any text
LINES = st.lists(st.one_of(
    st.text(alphabet="ab -*•:.,?()\t|", max_size=30),
    st.sampled_from(["For each year please list:", "the following field names:", "- Surname", "a. DOB",
                     "", " ", "Postcode", "1) How many?", "columns: a, b and c"]),
), max_size=12)


@settings(max_examples=300, deadline=None)
@given(LINES)
def test_any_text_gives_honest_lists(lines):
    text = "\n".join(lines)
    for found in find_lists(text):
        assert text[found.span[0]:found.span[1]] == found.text
        assert len(found.items) == len(found.item_spans) >= 2
        for item, (s, e) in zip(found.items, found.item_spans):
            assert found.span[0] <= s < e <= found.span[1]
            assert " ".join(QUOTE.sub("", text[s:e]).split()) == item


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_text_never_raises(text):
    find_lists(text)


def test_the_vocab_is_built_once_per_rule_set():
    rules = RULES_OF["field_lists"]
    assert field_lists.vocab_of(rules) is field_lists.vocab_of(rules)
    reloaded = load_rule_file(RULES / "field_lists.yaml")  # another rule set (edited rules) gets its own
    assert field_lists.vocab_of(reloaded) is not field_lists.vocab_of(rules)
    assert field_lists.vocab_of(reloaded) == field_lists.vocab_of(rules)


LABELS = st.lists(st.one_of(
    LINES.map("\n".join),
    st.lists(st.sampled_from(["Please list", "the following", "fields", "Columns", "broken down by", "BREAKDOWN",
                              "for each", "every", "record", "spreadsheet", "csv", "organisations", "details",
                              "set out below", " ", "\n", ":", ": ", ".", "ſ", "İ", "> ", "- a", "b, c"]),
             max_size=14).map("".join),
), max_size=6)


@settings(max_examples=200, deadline=None)
@given(LABELS)
def test_cue_rules_are_not_tried_on_a_label_without_their_words_and_that_changes_nothing(parts):
    """A cue or veto rule skips a label holding none of its literals: the lists are those
    of trying every rule on every label."""
    text = "\n".join(parts)
    assert find_lists(text) == without_literal_checks(find_lists, text)
