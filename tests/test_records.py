"""Records over the sample corpus: valid against the schema, spans slice to their text."""
from __future__ import annotations

import pytest

from pipeline.ingest import read_source
from pipeline.models import CATEGORIES
from pipeline.record import validate

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
    import yaml

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
