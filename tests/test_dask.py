"""The flow on a real Dask cluster (2 worker processes on 127.0.0.1) writes what a local run writes."""
from __future__ import annotations

import shutil

import pytest
from prefect.testing.utilities import prefect_test_harness

from pipeline.flows import extract_flow, task_runner

from conftest import RAW, RULES

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness():
        yield


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        yield cluster


def outputs(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def test_a_run_joining_a_dask_cluster_writes_the_same_bytes_as_a_local_run(cluster, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw / "wdtk")
    (raw / "empty.txt").write_text("")
    local = extract_flow(raw=str(raw), out=str(tmp_path / "local"), rules=str(RULES), batch_size=4)
    on_dask = extract_flow.with_options(task_runner=task_runner(dask_address=cluster.scheduler_address))
    remote = on_dask(raw=str(raw), out=str(tmp_path / "dask"), rules=str(RULES), batch_size=4, in_flight=4)
    assert remote.done == local.done == len(list(RAW.glob("*.txt")))
    assert remote.failed == local.failed == [("empty.txt", "empty file")]
    assert remote.items == local.items
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
