"""The Prefect flow over the sample corpus, under Prefect's test harness."""
from __future__ import annotations

import shutil

import pytest
import yaml
from prefect.testing.utilities import prefect_test_harness

from pipeline.flows import extract_flow
from pipeline.record import validate

from conftest import RAW, RULES


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness():
        yield


def test_flow_writes_valid_yaml_and_reports_bad_files(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "broken.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (raw / "empty.txt").write_text("")
    out = tmp_path / "extracted"
    summary = extract_flow(raw=str(raw), out=str(out), rules=str(RULES), batch_size=2)
    assert summary.done == len(list(RAW.glob("*.txt")))
    assert sorted(r for r, _ in summary.failed) == ["broken.txt", "empty.txt"]
    assert dict(summary.failed)["empty.txt"] == "empty file"
    for p in out.rglob("*.yaml"):
        validate(yaml.safe_load(p.read_text()))
    assert not list(out.rglob("*.tmp"))
    again = extract_flow(raw=str(raw), out=str(out), rules=str(RULES), batch_size=2)
    assert again.done == 0 and again.skipped == summary.done
