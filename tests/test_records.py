"""Records over the sample corpus: valid against the schema, spans slice to their text; and
the YAML writer: whatever it writes loads back as the same data."""
from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest import read_source
from pipeline.models import CATEGORIES
from pipeline.record import to_yaml, validate

from conftest import RAW

SAMPLES = sorted(RAW.glob("*.txt"))


@pytest.fixture(scope="module")
def records(extract_text):
    return {p.name: (read_source(p, RAW).text, extract_text(read_source(p, RAW).text)) for p in SAMPLES}


@pytest.mark.parametrize("name", [p.name for p in SAMPLES])
def test_record_validates_and_spans_slice(records, name):
    text, record = records[name]
    data = record.to_dict()
    validate(data)
    for category in ("messages",) + CATEGORIES:
        for item in data[category]:
            s, e = item["span"]
            assert text[s:e] == item["text"], (category, item)
            assert item["line"] == text.count("\n", 0, s) + 1
            for ms, me in item.get("mentions", []):
                assert 0 <= ms < me <= len(text)


def test_a_converted_input_is_written_with_its_derived_text(tmp_path):
    """Converted inputs carry `derived_text` (a YAML block scalar): the writer must emit it."""
    from pipeline.flows import process_batch

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "figures.csv").write_text("Year,Requests received\n2022,1633\n2023,1702\n")
    outcome, = process_batch([str(raw / "figures.csv")], str(raw), str(tmp_path / "out"), "rules", True)
    assert outcome.status == "done", outcome.reason
    data = yaml.safe_load((tmp_path / "out" / "figures.yaml").read_text())
    validate(data)
    for item in data["counts"]:
        s, e = item["span"]
        assert data["derived_text"][s:e] == item["text"]
    assert sorted(c["value"] for c in data["counts"]) == [1633, 1702]


# --------------------------------------------------------------------------- the YAML writer
# Strings that YAML would read as something else, or that break it, unless quoted or escaped.
NASTY = ["yes", "No", "on", "OFF", "y", "n", "~", "null", "Null", "", "1e3", "1.0e+3", "0x1F", "0o17", "0b101",
         "1_000", "012", "-1", "+1", "3.", ".5", "1:20", "2016-12-19", "2016-12-19 10:00:00", ".inf", "-.Inf",
         ".NaN", "<<", "=", "!", "&", "*", "&a", "*a", "!a", "- a", "? a", "-", "?", ":", ",", "[", "]", "{",
         "}", "#", "|", ">", "'", '"', "%", "@", "`", "a: b", "a #b", "a:", "...", "---", " ", "\t", "\n",
         "\n\n", " \n", "\t\n", "\r", "\r\n", "\x00", "\x07", "\x1b", "\x7f", "\x9f", "\xa0", "\x85", "\u2028",
         "\u2029", "\ufeff", "\ufffe", "\uffff", "\\", "\u00e9", "\u201c", "\U0001f600", "x" * 300]
strings = st.lists(st.sampled_from(NASTY) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
                   max_size=8).map("".join)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | strings
trees = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(strings, inner, max_size=5),
                     max_leaves=30)


def loads_back(data: dict) -> None:
    text = to_yaml(data)
    for loader in (yaml.SafeLoader, yaml.CSafeLoader):
        assert_same(yaml.load(text, Loader=loader), data)


def assert_same(loaded, data) -> None:
    """Equal, and of the same types (True is not 1); NaN equals NaN here."""
    assert type(loaded) is type(data), (loaded, data)
    if isinstance(data, dict):
        assert list(loaded) == list(data)
        for key in data:
            assert_same(loaded[key], data[key])
    elif isinstance(data, list):
        assert len(loaded) == len(data)
        for a, b in zip(loaded, data):
            assert_same(a, b)
    elif not (isinstance(data, float) and math.isnan(data)):
        assert loaded == data


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(strings, trees, max_size=6))
def test_any_data_of_the_record_model_loads_back_as_itself(data):
    loads_back(data)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list(" \t\n\r#:-?|>'\"0.ey\u2028\x85")), max_size=16))
def test_any_lines_of_awkward_characters_load_back_as_themselves(text):
    loads_back({"text": text, "items": [text, {"text": text}], "rows": [[text]]})


@pytest.mark.parametrize("text, written", [
    ("Department for Education", "Department for Education"),
    ("yes", "'yes'"), ("2016-12-19", "'2016-12-19'"), ("012", "'012'"), ("a: b", "'a: b'"),
    ("it's", "it's"), ("'quoted'", "'''quoted'''"), (" padded", "' padded'"),
    ("two\nlines", "|-\n  two\n  lines"), ("ends\n", "|\n  ends"), ("tab\there", '"tab\\there"'),
    ("\u2028", '"\\L"'), ("nul\x00", '"nul\\0"'),
])
def test_strings_are_plain_where_safe_quoted_or_a_block_otherwise(text, written):
    assert to_yaml({"text": text}) == f"text: {written}\n"


def test_spans_stay_on_one_line_and_items_in_block_style():
    assert to_yaml({"dates": [{"text": "19/12/2016", "span": [12, 22], "message": None, "inferred_year": False}],
                    "mentions": [], "attachments": {}}) == (
        "dates:\n- text: 19/12/2016\n  span: [12, 22]\n  message: null\n  inferred_year: false\n"
        "mentions: []\nattachments: {}\n")


def test_a_lone_surrogate_is_refused_not_written():
    with pytest.raises(ValueError, match="surrogate"):
        to_yaml({"text": "a\ud800b"})


@pytest.mark.parametrize("name", [p.name for p in SAMPLES])
def test_real_records_load_back_as_themselves(records, name):
    data = records[name][1].to_dict()
    loads_back(data)
    assert to_yaml(data) == to_yaml(yaml.safe_load(to_yaml(data)))  # and write again the same


# --------------------------------------------------------------------------- the compiled schema check
BREAKAGES = [
    ("a span of three", lambda d: d["counts"][0].update(span=[1, 2, 3])),
    ("a negative span end", lambda d: d["counts"][0].update(span=[1, -2])),
    ("a span as text", lambda d: d["counts"][0].update(span="1-2")),
    ("a mention of one number", lambda d: d["counts"][0].update(mentions=[[4]])),
    ("an empty rule", lambda d: d["counts"][0].update(rule="")),
    ("a count as text", lambda d: d["counts"][0].update(value="12")),
    ("a line 0", lambda d: d["counts"][0].update(line=0)),
    ("an unknown stance", lambda d: d["exemptions"].append(dict(d["counts"][0], act="FOIA", section="40(2)",
                                                                  stance="maybe"))),
    ("a date not ISO", lambda d: d["dates"].append(dict(d["counts"][0], value="19/12/2016"))),
    ("a message date not ISO", lambda d: d["messages"].append(dict(d["counts"][0], index=0, direction="incoming",
                                                                   kind="other", date="2016-12"))),
    ("no tables", lambda d: d.pop("tables")),
    ("a short sha256", lambda d: d["source"].update(sha256="abc")),
    ("another schema", lambda d: d.update(schema="foi-extract/2")),
    ("nothing broken", lambda d: None),
]


@pytest.mark.parametrize("what, breaking", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_the_write_paths_compiled_check_agrees_with_the_reference_validator(records, what, breaking):
    """check() runs the schema compiled with its $defs written in; validate() is jsonschema on the schema as is."""
    import copy

    import jsonschema

    from pipeline.record import check

    data = copy.deepcopy(next(r.to_dict() for _, r in records.values() if r.to_dict()["counts"]))
    breaking(data)
    try:
        validate(data)
    except jsonschema.ValidationError:
        with pytest.raises(ValueError, match="record breaks the schema"):
            check(data)
    else:
        assert what == "nothing broken"
        check(data)


def test_every_character_python_calls_printable_is_one_yaml_carries_as_is():
    """The writer takes str.isprintable() as a quick 'nothing to escape' (a regex decides otherwise)."""
    import sys

    from pipeline.emit import _SAFE_LINE

    assert [hex(c) for c in range(sys.maxunicode + 1)
            if chr(c).isprintable() and not _SAFE_LINE.fullmatch(chr(c))] == []


def test_a_long_text_with_a_character_to_escape_is_written_in_linear_time():
    import time

    text = "a line of the letter\n" * 20000 + "\x0c"  # not a | block: double-quoted, found in one pass
    start = time.process_time()
    written = to_yaml({"derived_text": text})
    assert time.process_time() - start < 0.5  # a backtracking regex took ~6 s here
    assert yaml.load(written, Loader=yaml.CSafeLoader) == {"derived_text": text}


def test_keys_remembered_across_records_stay_bounded():
    from pipeline import emit

    for i in range(emit._KEYS_KEPT + 50):
        assert yaml.safe_load(to_yaml({f"field {i}": i, "#odd": [i, i]})) == {f"field {i}": i, "#odd": [i, i]}
    assert len(emit._KEYS) <= emit._KEYS_KEPT
