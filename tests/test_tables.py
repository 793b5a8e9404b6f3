"""Tables laid out in FOI letters and disclosure logs: box, pipe, tab and space-aligned."""
from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.context import Context
from pipeline import segment
from pipeline.extractors import tables
from pipeline.rules import load_rule_file

from conftest import RULES, without_literal_checks

TABLE_RULES = load_rule_file(RULES / "tables.yaml")
SEGMENT_RULES = load_rule_file(RULES / "segment.yaml")
MARKUP = tables.vocab_of(TABLE_RULES).markup


def find_tables(text: str) -> list:
    ctx = Context(text)
    segment.run(ctx, SEGMENT_RULES)  # link blocks and chrome are never rows
    tables.run(ctx, TABLE_RULES)
    return ctx.items["tables"]


def only_table(text: str):
    found = find_tables(text)
    assert len(found) == 1, [t.text for t in found]
    return found[0]


def assert_honest(text: str, table) -> None:
    """The table's span slices to its text; each cell's words stand inside its own span
    (once the markup the cell text drops is dropped from the span too)."""
    assert text[table.span[0]:table.span[1]] == table.text
    for cell in table.header_cells + [c for row in table.row_cells for c in row]:
        s, e = cell.span
        assert table.span[0] <= s <= e <= table.span[1]
        for word in cell.text.split():
            assert word in MARKUP.sub("", text[s:e])


# --------------------------------------------------------------------------- box tables
BOX = """The numbers of individuals for which requests were made are as follows:

+------------------------------------------------------------------+
|Month |Records received from HO by DfE|Matches returned to HO by|
| | | DfE |
|--------------+-------------------------------+-------------------|
|December 2016 | 114 | 22 |
|--------------+-------------------------------+-------------------|
|November 2016 | 158 | 42 |
+------------------------------------------------------------------+

These numbers cover both monthly and ad-hoc requests.
"""


def test_box_table_joins_a_header_cell_wrapped_over_two_lines():
    table = only_table(BOX)
    assert table.format == "ascii_box"
    assert table.header == ["Month", "Records received from HO by DfE", "Matches returned to HO by DfE"]
    assert table.rows == [["December 2016", "114", "22"], ["November 2016", "158", "42"]]
    assert_honest(BOX, table)


def test_box_row_cells_slice_to_their_text():
    table = only_table(BOX)
    cell = table.row_cells[1][1]
    assert BOX[cell.span[0]:cell.span[1]] == "158"


def test_box_with_a_rule_under_the_header_only():
    text = ("+-------+-------+\n| Area  | Trees |\n+=======+=======+\n| North | 316   |\n"
            "| South | 216   |\n+-------+-------+\n")
    table = only_table(text)
    assert (table.format, table.header, table.rows) == ("ascii_box", ["Area", "Trees"],
                                                        [["North", "316"], ["South", "216"]])


def test_box_drawn_with_box_characters():
    text = ("┌────────┬───────┐\n│ Area   │ Trees │\n├────────┼───────┤\n│ North  │ 316   │\n"
            "│ South  │ 216   │\n└────────┴───────┘\n")
    table = only_table(text)
    assert (table.format, table.header, table.rows) == ("ascii_box", ["Area", "Trees"],
                                                        [["North", "316"], ["South", "216"]])


# --------------------------------------------------------------------------- pipe tables
def test_markdown_table_with_one_row_under_its_rule():
    text = ("Current Year Performance\n"
            "2024/25 | Requests received | Closed (in time) |\n---|---|---|\nQ1 | 24 | 22 |\n"
            "*Figures as of 1 August 2024\n")
    table = only_table(text)
    assert table.format == "pipe"
    assert table.header == ["2024/25", "Requests received", "Closed (in time)"]
    assert table.rows == [["Q1", "24", "22"]]


def test_pipe_rows_without_a_rule_take_column_names_above_numbers():
    text = ("3. & 3.a)\nYear | Number of Claims | Payment made |\n2022/23 | 20 | £85.50 |\n"
            "2023/24 | 67 | £1690.12 |\n2024/25 | 20 | no payments made so far |\n"
            "Please Note: Payments are reimbursements for damage.\n")
    table = only_table(text)
    assert table.header == ["Year", "Number of Claims", "Payment made"]
    assert table.rows[2] == ["2024/25", "20", "no payments made so far"]
    assert_honest(text, table)


def test_a_stray_pipe_line_above_does_not_spoil_the_table():
    text = "Cymraeg | English\nYear | Claims | Paid |\n2022/23 | 20 | 4 |\n2023/24 | 67 | 9 |\n"
    table = only_table(text)
    assert table.header == ["Year", "Claims", "Paid"]


def test_headerless_pipe_rows_have_an_empty_header():
    text = ("1) The total number of requests received for each of the last ten years.\n"
            "2018 – 2019 | 1,389 |\n2017 – 2018 | 1,233 |\n2013 – 2014 | * |\n"
            "*refers to years when our recording system was not in place.\n")
    table = only_table(text)
    assert table.header == []
    assert table.rows == [["2018 – 2019", "1,389"], ["2017 – 2018", "1,233"], ["2013 – 2014", "*"]]


def test_text_cells_under_a_period_column_are_rows_not_a_header():
    text = ("2018 – 2019 | We do not employ officers with solely an FOI remit. |\n"
            "2017 – 2018 | As above |\n2016 – 2017 | As above |\n")
    assert only_table(text).header == []


def test_one_cell_per_line_is_not_a_table():
    text = "Public Interest Exemption |\nPartial Disclosure |\nNon Disclosure |\n27(1) |\n3 |\n5 |\n"
    assert find_tables(text) == []


# --------------------------------------------------------------------------- tab-separated
TSV = ("The requests were:\n\n2016\tNo. of Requests\tNo. of Individuals\nJan\t1 monthly\t23\n"
       "Feb\t1 monthly\t60\nMar\t1 monthly + 1 urgent\t96 (+1)\n"
       "\t<b>3 monthly (+ 1 urgent)</b>\t<b>179 (+ 1 urgent)</b>\n\nYours sincerely\n")


def test_tab_separated_table_under_a_year_header():
    table = only_table(TSV)
    assert table.format == "tsv"
    assert table.header == ["2016", "No. of Requests", "No. of Individuals"]
    assert table.rows[2] == ["Mar", "1 monthly + 1 urgent", "96 (+1)"]


def test_markup_is_dropped_from_cells_but_spans_stay_on_the_words():
    total = only_table(TSV).row_cells[-1]
    assert [c.text for c in total] == ["", "3 monthly (+ 1 urgent)", "179 (+ 1 urgent)"]
    s, e = total[2].span
    assert TSV[s:e] == "179 (+ 1 urgent)"


def test_a_tab_row_that_lost_its_empty_last_cells_is_filled_up():
    text = "Area\tFelled\tPlanted\nNorth\t316\t150\nSouth\t216\nEast\t160\t500\n"
    table = only_table(text)
    assert table.rows == [["North", "316", "150"], ["South", "216", ""], ["East", "160", "500"]]
    assert_honest(text, table)


def test_indented_paragraphs_are_not_a_tab_table():
    assert find_tables("\tDear Sir,\n\tI write about my request.\n\tYours faithfully\n") == []


# --------------------------------------------------------------------------- space-aligned
ALIGNED = """Requests by month:

Month        Requests    Refused
January           120         14
February           98          9
March             143         21

We hope this helps.
"""


def test_space_aligned_columns():
    table = only_table(ALIGNED)
    assert table.format == "aligned"
    assert table.header == ["Month", "Requests", "Refused"]
    assert table.rows == [["January", "120", "14"], ["February", "98", "9"], ["March", "143", "21"]]
    assert_honest(ALIGNED, table)


def test_space_aligned_row_with_an_empty_cell_under_a_title():
    text = ("Table 2:  Offences recorded\n"
            "Category              2019    2020    2021\n"
            "Burglary               120     130     140\n"
            "Robbery                 12              15\n"
            "Theft from a vehicle   300     310     320\n")
    table = only_table(text)
    assert table.header == ["Category", "2019", "2020", "2021"]
    assert table.rows[1] == ["Robbery", "12", "", "15"]
    assert table.rows[2][0] == "Theft from a vehicle"
    assert table.span[0] == text.index("Category")


def test_single_spaced_numbers_take_a_title_case_header_line():
    text = ("Year Number of requests Percentage answered on time\n2017/18 3201 91.6%\n"
            "2016/17 2616 80.7%\n2015/16 2582 85.4%\n")
    table = only_table(text)
    assert table.header == ["Year", "Number of requests", "Percentage answered on time"]
    assert table.rows[0] == ["2017/18", "3201", "91.6%"]
    assert table.span[0] == 0


def test_quarter_headers_are_cut_at_capitals_not_joined_by_a_connector():
    text = ("Overview of requests April to June 2023 July to September 2023 Total\n"
            "Number of requests 44 64 108\nNumber of open requests 0 0 0\n"
            "Number of requests answered within 20 working days 38 58 96\n"
            "Section 40 4 10 14\n")
    table = only_table(text)
    assert table.header == ["Overview of requests", "April to June 2023", "July to September 2023", "Total"]
    assert table.rows[2] == ["Number of requests answered within 20 working days", "38", "58", "96"]
    assert table.rows[3] == ["Section 40", "4", "10", "14"]  # the label keeps its own number


def test_outcome_names_stay_whole_in_a_single_spaced_header():
    text = ("the information is provided within the following table:\n\n"
            "Requests received 01/01/17 – 01/02/18 Release Partial Release Information Not Held\n"
            "On Time 995 695 358\nLate 162 204 68\n- Overturned or Partially Upheld 10 40 20\n\nN.B. figures\n")
    table = only_table(text)
    assert table.header == ["Requests received 01/01/17 – 01/02/18", "Release", "Partial Release",
                            "Information Not Held"]
    assert table.rows[2] == ["- Overturned or Partially Upheld", "10", "40", "20"]


def test_single_spaced_numbers_under_a_header_that_cannot_be_split():
    text = "Requests received in 2017 Granted Refused Withdrawn\nOn Time 995 695\nLate 162 204\nTotal 1157 899\n"
    table = only_table(text)
    assert table.header == []
    assert table.span[0] == text.index("On Time")


# --------------------------------------------------------------------------- traps
@pytest.mark.parametrize("text", [
    # prose with two spaces after full stops
    "Thank you for your request.  We will reply within 20 working days.\n"
    "The Trust will endeavour to respond.  I will keep you informed.\nYours sincerely,  Kate Rayns\n",
    # a numbered list set out with two spaces
    "1.  How many people are employed to deal with FOI?\n2.  What is the budget for FOI?\n"
    "3.  Do you publish a disclosure log?\n",
    # letterhead: phone and fax numbers
    "Tel  0141 848 3000     Fax  0141 848 3001\nTel  0141 848 3002     Fax  0141 848 3003\n"
    "Tel  0141 848 3004     Fax  0141 848 3005\n",
    # a postal address
    "The Information Commissioner's Office\nWycliffe House\nWater Lane\nWilmslow\nCheshire\nSK9 5AF\n",
    # WhatDoTheyKnow's link block
    "Yours\n\nReferences\n\nVisible links\n1. http://www.ico.org.uk/  |  http://www.ico.org.uk/\n"
    "2. https://www.gov.uk/foi  |  https://www.gov.uk/foi\n",
    # headerless label-and-number lines (a single value each)
    "2021/22 1,012\n2022/23 966\n2023/24 1,838\n2024/25 1,351\n",
    # label = value lines
    "Q2 -\n2016 - 2017 = 316\n2017 - 2018 = 216\n2018 - 2019 = 160\n",
    # one cell per line
    "Financial Year\n|\n2020/21\n|\n2021/22\n|\n",
])
def test_no_table_from(text):
    assert find_tables(text) == []


def test_a_table_quoted_again_in_a_reply_is_kept_once():
    block = "Year | Claims |\n2022/23 | 20 |\n2023/24 | 67 |\n"
    found = find_tables(block + "\nYou wrote:\n\n" + block)
    assert len(found) == 1 and found[0].span[0] == 0


def test_a_table_quoted_with_reply_marks_reads_the_same():
    text = ("> Year | Claims | Paid |\n> |---|---|---|\n> | 2022/23 | 20 | 4 |\n> | 2023/24 | 67 | 9 |\n")
    table = only_table(text)
    assert table.header == ["Year", "Claims", "Paid"]
    assert table.rows == [["2022/23", "20", "4"], ["2023/24", "67", "9"]]
    assert_honest(text, table)


def test_long_prose_is_cheap():
    prose = ("Thank you for your request for information received on 3 December 2022.  We have "
             "considered it under the Act; the figures for 2019 2020 are below: 5 of 12.\n") * 2500
    ctx = Context(prose)
    started = time.process_time()
    tables.run(ctx, TABLE_RULES)
    assert ctx.items["tables"] == []
    assert time.process_time() - started < 1.0  # ~400 KB


# --------------------------------------------------------------------------- any text
LINES = st.lists(st.one_of(
    st.text(alphabet="ab |\t+-=<>*/1290.,£()", max_size=40),
    st.sampled_from(["+----+----+", "| a | 1 |", "a\t1\t2", "Jan  12  3", "x 1 2", "---|---", "<b>7</b>\t8"]),
), max_size=12)


@settings(max_examples=300, deadline=None)
@given(LINES)
def test_any_text_gives_honest_tables(lines):
    text = "\n".join(lines)
    for table in find_tables(text):
        assert_honest(text, table)
        widths = {len(r) for r in table.rows}
        assert len(widths) == 1
        assert all(re.sub(r"\s+", " ", c) == c for r in table.rows for c in r)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_text_never_raises(text):
    for table in find_tables(text):
        assert_honest(text, table)


def test_the_vocab_is_built_once_per_rule_set():
    assert tables.vocab_of(TABLE_RULES) is tables.vocab_of(TABLE_RULES)
    reloaded = load_rule_file(RULES / "tables.yaml")  # another rule set (edited rules) gets its own
    assert tables.vocab_of(reloaded) is not tables.vocab_of(TABLE_RULES)
    assert tables.vocab_of(reloaded) == tables.vocab_of(TABLE_RULES)


CELLS = st.sampled_from(["Tel: 0121 496", "tel 7", "Telephone", "FAX 01", "phone", "Mobile.+44 7", "DX 1", "Year",
                         "12", "2021/22", "x", "ſ", "İ", ""])
VETO_LINES = st.lists(st.one_of(
    st.sampled_from(["+----+----+", "|---|---|", "", "> "]),
    st.tuples(st.sampled_from([" | ", "\t", "  ", " "]), st.lists(CELLS, min_size=1, max_size=4)).map(
        lambda row: row[0].join(row[1])),
), max_size=10)


@settings(max_examples=200, deadline=None)
@given(VETO_LINES)
def test_a_veto_is_not_tried_on_a_line_without_its_words_and_that_changes_nothing(lines):
    """The reject rules skip a line holding none of their literals: the tables are those
    of trying every rule on every line."""
    text = "\n".join(lines)
    assert find_tables(text) == without_literal_checks(find_tables, text)


def test_a_veto_whose_regex_names_no_literal_is_tried_on_every_line(tmp_path):
    import yaml

    data = yaml.safe_load((RULES / "tables.yaml").read_text(encoding="utf-8"))
    data["rules"].append({"id": "tables.reference_line", "action": "reject", "reason": "a reference, not a row",
                          "regex": r"\d{3}\W\d{4}"})
    (tmp_path / "tables.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rules = load_rule_file(tmp_path / "tables.yaml")
    assert rules.get("tables.reference_line").literals is None
    text = "Year | Claims |\n2022/23 | 20 |\n2023/24 | 67 |\n2024/25 | 123/4567 |\n"
    ctx = Context(text)
    tables.run(ctx, rules)
    assert [row for t in ctx.items["tables"] for row in t.rows] == [["2022/23", "20"], ["2023/24", "67"]]
