"""The Prefect flow over the sample corpus, under Prefect's test harness (one per module)."""
from __future__ import annotations

import shutil

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness

import pipeline.flows as flows
from pipeline.flows import extract_flow, task_runner
from pipeline.progress import watching
from pipeline.record import validate

from conftest import RAW, RULES


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness():
        yield


def latest_artifact(key: str) -> str:
    # (prefect 3.8's Artifact.get sends nulls this server version refuses: ask the API directly)
    with get_client(sync_client=True) as client:
        found = client.request("POST", "/artifacts/filter", json={
            "artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1, "offset": 0})
    found.raise_for_status()
    return found.json()[0]["data"]


@pytest.fixture
def raw(tmp_path):
    """Six documents of the sample corpus."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted(RAW.glob("*.txt"))[:6]:
        shutil.copy(p, raw / p.name)
    return raw


def test_flow_writes_valid_yaml_and_reports_bad_files(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "broken.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (raw / "empty.txt").write_text("")
    out = tmp_path / "extracted"
    seen = []
    with watching(seen.append):
        summary = extract_flow(raw=str(raw), out=str(out), rules=str(RULES), batch_size=2)
    documents = len(list(RAW.glob("*.txt")))
    assert summary.done == documents
    assert sorted(r for r, _ in summary.failed) == ["broken.txt", "empty.txt"]
    assert dict(summary.failed)["empty.txt"] == "empty file"
    assert len(seen) == documents + 2 and sum(o.bytes for o in seen) > 100_000
    for p in out.rglob("*.yaml"):
        validate(yaml.safe_load(p.read_text()))
    assert not list(out.rglob("*.tmp"))
    summary_md = latest_artifact("foi-extract-summary")
    assert f"- documents done: {documents}" in summary_md and "| references |" in summary_md
    again = extract_flow(raw=str(raw), out=str(out), rules=str(RULES), batch_size=2)
    assert again.done == 0 and again.skipped == summary.done


def test_force_reextracts_and_prune_deletes_outputs_of_removed_sources(raw, tmp_path):
    out = tmp_path / "extracted"
    first = extract_flow(raw=str(raw), out=str(out), rules=str(RULES))
    gone = sorted(raw.glob("*.txt"))[0]
    gone.unlink()
    forced = extract_flow(raw=str(raw), out=str(out), rules=str(RULES), force=True)
    assert forced.done == first.done - 1 and forced.skipped == 0
    assert forced.removed == [gone.with_suffix(".yaml").name] and not forced.pruned
    assert (out / gone.with_suffix(".yaml").name).exists()
    pruned = extract_flow(raw=str(raw), out=str(out), rules=str(RULES), prune_removed=True)
    assert pruned.pruned and not (out / gone.with_suffix(".yaml").name).exists()
    assert pruned.skipped == first.done - 1


def test_discovery_is_streamed_and_batches_in_flight_are_bounded(raw, tmp_path, monkeypatch):
    """When the first outcome comes back, only the batches in flight (and the next) were discovered."""
    found, at_first_outcome = [], []
    real_discover = flows.discover

    def counting_discover(root):
        for path in real_discover(root):
            found.append(path)
            yield path

    monkeypatch.setattr(flows, "discover", counting_discover)
    with watching(lambda o: at_first_outcome.append(len(found)) if not at_first_outcome else None):
        summary = extract_flow(raw=str(raw), out=str(tmp_path / "out"), rules=str(RULES), batch_size=2,
                               in_flight=2)
    assert summary.done == len(found) == 6
    assert at_first_outcome[0] <= (2 + 1) * 2


@pytest.mark.slow
def test_process_pool_runner_writes_the_same_bytes_as_threads(raw, tmp_path):
    outputs = {}
    for kind in ("threads", "processes"):
        flow = extract_flow.with_options(task_runner=task_runner(kind, workers=2))
        summary = flow(raw=str(raw), out=str(tmp_path / kind), rules=str(RULES), batch_size=2)
        assert summary.done == 6, summary.failed
        outputs[kind] = {p.name: p.read_bytes() for p in (tmp_path / kind).glob("*.yaml")}
    assert outputs["processes"] == outputs["threads"]


def test_prefect_keeps_an_entry_per_batch_not_per_document(raw, tmp_path):
    """Until the flow ends Prefect links each object a task returns, and each item of a
    returned list, to the task's run: a long run must not keep one per document."""
    from prefect.context import FlowRunContext

    linked = []
    with watching(lambda _: linked.append(len(FlowRunContext.get().run_results))):
        summary = extract_flow(raw=str(raw), out=str(tmp_path / "out"), rules=str(RULES), batch_size=6)
    assert summary.done == 6 and max(linked) < 6
