"""Dates: every written form in the corpus, the traps, year inference and roles."""
from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.context import Context
from pipeline.extractors import STAGES
from pipeline.extractors.dates import Parser
from pipeline.models import Message
from pipeline.rules import load_rule_file

from conftest import Stages, shared_dir

# Only the stages dates depend on: segment (never-data regions, messages) and tables.
STAGE_RUN = Stages('segment', 'tables', 'dates')
RULESETS = STAGE_RUN.rulesets


def dates_in(text: str, messages: list[Message] | None = None):
    return STAGE_RUN.run(text, messages).items["dates"]


def values(text: str, **kw) -> list[str]:
    return [d.value for d in dates_in(text, **kw)]


def only(text: str):
    found = dates_in(text)
    assert len(found) == 1, [(d.text, d.value) for d in found]
    return found[0]


# --------------------------------------------------------------------------- written forms
@pytest.mark.parametrize("sentence, written, value", [
    ("Thank you for your request for information, which was received on 19/12/2016.", "19/12/2016", "2016-12-19"),
    ("We aim to send you a full response by 10/09/2020 which is twenty working days", "10/09/2020", "2020-09-10"),
    ("Response 08-09-2025", "08-09-2025", "2025-09-08"),
    ("On the 20/06/19 Ecoli was measured at the outfall.", "20/06/19", "2019-06-20"),
    ("a figure for the number of trees at the nearest date you have to (a) 1.4.19", "1.4.19", "2019-04-01"),
    ("Requests received since 1/1/17 were late.", "1/1/17", "2017-01-01"),
    ("Report run on 2016-10-13 by the unit.", "2016-10-13", "2016-10-13"),
    ("Answered on: 27 October 2016", "27 October 2016", "2016-10-27"),
    ("The Department published their response on October 6th 2016.", "October 6th 2016", "2016-10-06"),
    ("thank you for the reponse and information received on Jan 25, 2017.", "Jan 25, 2017", "2017-01-25"),
    ("There were 158 recorded unfixed potholes as of August 15 2025", "August 15 2025", "2025-08-15"),
    ("Requested Thu 24 October 2019", "24 October 2019", "2019-10-24"),
    ("From 1^st July 2018, Ipswich and Colchester Hospitals merged.", "1^st July 2018", "2018-07-01"),
    ("received by the Trust on the 19th December 2011 as detailed below", "19th December 2011", "2011-12-19"),
    ("the version in force on the 6th of October 2016", "6th of October 2016", "2016-10-06"),
    ("a letter converted from PDF dated 1 st April 2018", "1 st April 2018", "2018-04-01"),
    ("Logged 20-Jan-2020 by the contact centre.", "20-Jan-2020", "2020-01-20"),
    ("the version published December 2024.", "December 2024", "2024-12"),
    ("Claims are counted from Sep 2016 onwards.", "Sep 2016", "2016-09"),
    ("how many children were electrocuted by a given force in March 08", "March 08", "2008-03"),
    ("Pupil data: Off-register Back Office use by Home Office in Q4 2016", "Q4 2016", "2016-Q4"),
    ("requests made in the fourth quarter of 2016", "fourth quarter of 2016", "2016-Q4"),
])
def test_each_written_form_gives_its_iso_value(sentence, written, value):
    date = only(sentence)
    assert (date.text, date.value) == (written, value)
    assert sentence[date.span[0]:date.span[1]] == written


def test_a_time_after_the_date_goes_to_time():
    date = only("Thank you for your recent enquiry which was received on 29/10/2024 05:57 .")
    assert (date.value, date.time, date.role) == ("2024-10-29", "05:57", "received")


def test_a_date_wrapped_onto_the_next_line_is_one_date():
    date = only("Thank you for your request for information, which was received on 22\nJanuary 2025.")
    assert (date.text, date.value) == ("22\nJanuary 2025", "2025-01-22")


def test_a_year_glued_to_the_next_question_number_is_read_as_four_digits():
    date = only("Responded Thu 14 November 20191. Do you conduct an audit of trees?")
    assert (date.text, date.value) == ("14 November 2019", "2019-11-14")


def test_range_of_months_gives_both_ends():
    found = dates_in("On how many occasions between January 2013- December 2022 was a taser used?")
    assert [(d.value, d.role) for d in found] == [("2013-01", "period"), ("2022-12", "period")]


def test_a_day_range_sharing_its_month_gives_both_days():
    found = dates_in("For shares between 1 October 2024 and 29 October 2024, and shifts on 1st-31st December 2016")
    assert [d.value for d in found] == ["2024-10-01", "2024-10-29", "2016-12-01", "2016-12-31"]


def test_a_year_and_quarter_label_gives_the_quarter_and_its_days():
    found = dates_in("Time periods:\n2010 (Q2 – 1st April – 30th June)\n")
    assert [d.value for d in found] == ["2010-Q2", "2010-04-01", "2010-06-30"]
    assert [d.inferred_year for d in found] == [None, True, True]


def test_table_row_months_take_the_year_heading_their_column():
    text = ("- The table below provides Immigration Enforcement information available for 2016.\n\n"
            "2016\tNo. of Requests\tNo. of Individuals\n"
            "Jan\t1 monthly\t23\nFeb\t1 monthly\t60\nMay\t1 monthly\t326\n")
    found = dates_in(text)
    assert [(d.text, d.value, d.role) for d in found] == [
        ("Jan", "2016-01", "period"), ("Feb", "2016-02", "period"), ("May", "2016-05", "period")]


def test_pipe_table_row_months_take_the_year_heading_their_column():
    text = ("Requests by month:\n\n| 2019 | Requests | Refused |\n|------|----------|---------|\n"
            "| Jan  | 12       | 1       |\n| Feb  | 9        | 0       |\n")
    assert [(d.text, d.value) for d in dates_in(text)] == [("Jan", "2019-01"), ("Feb", "2019-02")]


def test_months_named_alone_take_the_year_of_the_list_they_open():
    found = dates_in("from the Home Office, in each month September, October, November and December 2016")
    assert [d.value for d in found] == ["2016-09", "2016-10", "2016-11", "2016-12"]


def test_a_month_alone_takes_the_year_from_the_text_around_it():
    found = dates_in("the original request forms received in September 2016.\n\n"
                     "Please provide the field names used to run any September and December data requests.")
    assert [(d.text, d.value, d.inferred_year) for d in found[1:]] == [
        ("September", "2016-09", True), ("December", "2016-12", True)]


# --------------------------------------------------------------------------- traps
@pytest.mark.parametrize("sentence", [
    "under the Freedom of Information Act 2000 and the Data Protection Act 1998",
    "The Liberal Democrats blocked it in government in 2013, and there were 18 requests since 2012.",
    "How many claims were made in 2021/22 and 2022/2023?",
    "2018 – 2019 | 1,389 |",
    "felled in (a) 2016-17, (b) 2017-18 and in the 18-19 financial year",
    "May I ask for the missing original copy of the MOU? It may be stored elsewhere.",
    "Police or criminal investigation authorities – See Q1. No agreement. Q4 & Q5 - Information not held",
    "Filtering on the Cabinet Office and/or No. 10, there is one active data sharing agreement.",
    "Your request MGLA201120-0469 was handled under the EIR; Decision 041/2020.",
    "as set out in Section 15.2.16 of the MOU and version 1.4.19 of the tool",
    "The meeting started at 05:57 and ended at 10:30.",
    "The date 31/02/2016 does not exist, nor does 30 February 2016.",
    "See http://www.parliament.uk/written-question/Commons/2016-10-13/48635/ for the answer",
    "write to request-361437-46bfc953@whatdotheyknow.com",
    "The Home Office is at 2 Marsham Street, 41 Homer Road.",
    "Dear June,\nthank you for your e-mail.\n\nKind regards,\nApril Jones\n",
    "figures for Q1 2016/17 are financial quarters",
    "Tel: 0370 000 2288, fax 01782 746991",
])
def test_traps_are_not_dates(sentence):
    assert values(sentence) == []


def test_a_number_ending_a_table_row_is_not_the_day_of_the_next_row_label():
    text = "2016\tNo. of Requests\tNo. of Individuals\nJan\t1 monthly\t23\nFeb\t1 monthly\t60\n"
    assert [d.text for d in dates_in(text)] == ["Jan", "Feb"]


def test_month_labels_of_lines_of_figures_are_months_not_the_day_before_them():
    text = ("How many requests did you receive each month between 1 April 2018 and 30 November 2018?\n"
            "Apr: 63\nMay: 52\nOct: 55\nNov: 59\n")
    assert values(text) == ["2018-04-01", "2018-11-30", "2018-04", "2018-05", "2018-10", "2018-11"]


def test_a_range_with_no_year_at_either_end_runs_forward_within_one_year():
    assert values("Figures for 1st Jan – 31st Dec of each year.\nResponse 20-07-2020") == [
        "2020-01-01", "2020-12-31", "2020-07-20"]


def test_dates_glued_to_a_label_or_to_the_cell_before_them_are_read():
    assert values("Our RefAB/0123\nDate19 August 2016\n") == ["2016-08-19"]
    assert values("Date received Date due\n15 April 201118 May 2011Please send the minutes") == [
        "2011-04-15", "2011-05-18"]


# --------------------------------------------------------------------------- years from context
def test_a_yearless_date_takes_the_year_of_the_nearest_earlier_date():
    found = dates_in("Thank you for your request, which was received on 19/12/2016.\n\n"
                     "A copy of the MoU was supplied to you on 15\nDecember.")
    assert (found[1].value, found[1].inferred_year) == ("2016-12-15", True)


def test_a_yearless_date_after_a_new_year_goes_back_across_the_boundary():
    found = dates_in("thank you for the information received on Jan 25, 2017.\n\n"
                     "the predecessor to the MOU released on December 15.")
    assert found[1].value == "2016-12-15"


def test_a_yearless_date_after_december_goes_forward_across_the_boundary():
    found = dates_in("to whom I responded on December 20, 2024 and email correspondence that "
                     "concluded yesterday (20th January).")
    assert found[1].value == "2025-01-20"


def test_a_list_of_later_dates_chains_forward_through_the_year():
    found = dates_in("pre-announced for release on 6 March 2025 with further releases later in the "
                     "year announced for the 5 June, 11 September and 4 December.")
    assert [d.value for d in found] == ["2025-03-06", "2025-06-05", "2025-09-11", "2025-12-04"]


def test_a_range_start_without_year_takes_the_year_of_its_end():
    found = dates_in("How many agency nursing shifts have been filled from 1st March to 1st October 2018?")
    assert [(d.value, d.role) for d in found] == [("2018-03-01", "period"), ("2018-10-01", "period")]


def test_a_named_weekday_picks_the_year_it_falls_in():
    found = dates_in("the Education Secretary said on Monday 10th October that ... The Department "
                     "published their response on October 6th 2016.")
    assert found[0].value == "2016-10-10"  # 10 October 2016 was a Monday


def test_a_date_before_any_full_date_takes_the_year_of_a_later_one():
    found = dates_in("[update: 29 October we now know more.] The response came on October 6th 2016.")
    assert found[0].value == "2016-10-29"


def test_a_day_is_dated_against_correspondence_not_against_a_data_period():
    text = ("I am responding to your email of 2 March 2022.\n"
            "In your original request dated 2 February, you requested copies, from January 2019 to "
            "7th April 2021, of any instruction. Our response (dated 24 February) explained it.")
    assert values(text) == ["2022-03-02", "2022-02-02", "2019-01", "2021-04-07", "2022-02-24"]


def test_the_message_date_dates_a_message_without_dates_of_its_own():
    text = "Dear Sir,\nPlease send the minutes of the meeting on 3 January.\nThanks"
    message = Message(text=text, span=(0, len(text)), rule="segment.test", index=0, date="2019-01-10")
    assert values(text, messages=[message]) == ["2019-01-03"]


def test_a_yearless_date_with_nothing_to_date_it_is_dropped():
    assert values("We met on 15 December to discuss it.") == []


# --------------------------------------------------------------------------- roles
@pytest.mark.parametrize("sentence, role", [
    ("Date received: 10 February 2018", "received"),
    ("Date responded: 9 March 2018", "sent"),
    ("Thank you for your e-mail of 10 November 2016, in which you refine your request", "sent"),
    ("Deadline: 26th October 2009", "due"),
    ("We will respond by 10/09/2020.", "due"),
    ("data sharing agreements as of October 29, 2024 for pupil data", "effective"),
    ("the following counts as at 30 September 2024:", "effective"),
    ("the monthly exchange since July 2015", "period"),
    ("Date: 28 January 2015", "sent"),
    ("he spoke about it on 3 November 2020 in the House", "other"),
])
def test_role_comes_from_the_cue_words_before_the_date(sentence, role):
    assert only(sentence).role == role


def test_a_date_alone_on_its_line_is_the_letters_date():
    found = dates_in("Solihull\nB91 3QJ\n\n8 December 2016\n\nDear Ms Persson")
    assert (found[0].value, found[0].role) == ("2016-12-08", "sent")


# --------------------------------------------------------------------------- properties
_PIECES = st.sampled_from([
    "19/12/2016", "1.4.19", "15 December", "December 15", "Jan 25, 2017", "Q4 2016", "2010 (Q2 – ",
    "May", "in July", "Monday 10th", "\t", "|", "\n", " ", "2016", "20191.", "31/02/2016", "-", "–",
    "http://x.org/2016-10-13/", "a@b.com", "Dec", "1st", "Date:", "received on ", "between ", " and ",
])


@settings(max_examples=int(os.environ.get('DATES_EXAMPLES', 200)), deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=25).map("".join))
def test_arbitrary_text_never_raises_and_spans_slice_to_text(text):
    for d in dates_in(text):
        assert text[d.span[0]:d.span[1]] == d.text
        assert d.value[:4].isdigit() and d.role in {"received", "sent", "due", "effective", "period", "other"}


# --------------------------------------------------------------------------- corpus
def test_dates_stage_costs_well_under_a_millisecond_per_kilobyte():
    corpus = shared_dir("corpus")
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*/*.txt")))
    ctx = Context(text)
    STAGES["segment"](ctx, RULESETS["segment"], None)
    best = min(_timed(ctx) for _ in range(3))
    assert best / (len(text) / 1024) < 0.6e-3  # CPU seconds per KB


def _timed(ctx: Context) -> float:
    ctx.items["dates"] = []
    start = time.process_time()
    STAGES["dates"](ctx, RULESETS["dates"], None)
    return time.process_time() - start


def test_the_parser_is_built_once_per_rule_set():
    rules = RULESETS["dates"]
    assert Parser.of(rules) is Parser.of(rules)
    reloaded = load_rule_file(rules.file)  # another rule set (edited rules) gets its own
    assert Parser.of(reloaded) is not Parser.of(rules)
    assert Parser.of(reloaded).months == Parser.of(rules).months


def test_a_line_is_read_for_year_labels_once_for_all_the_dates_that_ask(monkeypatch):
    import pipeline.extractors.dates as dates

    text = ("Annual counts (for 2013, the reports from Jul to Dec; for 2014 the reports from January to "
            "December), to June 2024.\n2016\tNo. of Requests\nJan\t1 monthly\t23\nFeb\t1 monthly\t60\n")
    scans = []
    scan = dates._cues_in
    monkeypatch.setattr(dates, "_cues_in", lambda ctx, rules, windows, wanted: scans.append((windows, wanted))
                        or scan(ctx, rules, windows, wanted))
    assert values(text) == ["2013-07", "2013-12", "2014-01", "2014-12", "2024-06", "2016-01", "2016-02"]
    lines = [windows for windows, wanted in scans if wanted == "year_label"]
    assert len(lines) == len({tuple(w) for w in lines}) == 3  # each line once, whatever asks about it
