"""`foi-extract serve --cron`: a scheduled deployment on a real Prefect server started on loopback.

The server and the serving process run in their own process groups and are always
killed; every wait is bounded.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import RAW, ROOT, RULES

pytestmark = pytest.mark.slow
CRON = "0 6 * * *"


def python_path() -> str:
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def process(args: list[str], env: dict, log: Path):
    """A subprocess in its own process group, killed (group and all) when the block ends."""
    with open(log, "w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc
        finally:
            for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(proc.pid, sig)
                    proc.wait(timeout=grace)
                    break
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    continue


def wait_for(what: str, check, timeout: float, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(1)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`prefect server start` on 127.0.0.1 with its own PREFECT_HOME; yields (api url, env, log)."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": api,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
           "PREFECT_RUNNER_POLL_FREQUENCY": "2", "PYTHONPATH": python_path()}
    env.pop("PREFECT_PROFILE", None)
    log = home / "server.log"
    with process([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port),
                  "--no-ui"], env, log):
        wait_for("the Prefect server", lambda: httpx.get(f"{api}/health", timeout=5).status_code == 200,
                 180, [log])
        yield api, env, log


def test_serve_creates_a_scheduled_deployment_whose_runs_pick_up_new_correspondence(server, tmp_path):
    api, env, server_log = server
    raw, out = tmp_path / "raw", tmp_path / "extracted"
    raw.mkdir()
    first, new = sorted(RAW.glob("*.txt"))[:2]
    shutil.copy(first, raw / first.name)
    serve_log = tmp_path / "serve.log"
    logs = [serve_log, server_log]
    with process([sys.executable, "-m", "pipeline.cli", "serve", str(raw), "--out", str(out), "--rules", str(RULES),
                  "--cron", CRON, "--name", "daily-test"], env, serve_log):
        deployment = wait_for("the deployment", lambda: _ok(httpx.get(
            f"{api}/deployments/name/foi-extract/daily-test", timeout=10)), 180, logs)
        assert [s["schedule"]["cron"] for s in deployment["schedules"]] == [CRON]
        assert deployment["parameters"]["raw"] == str(raw)

        scheduled = wait_for("scheduled runs", lambda: _ok(httpx.post(f"{api}/flow_runs/filter", timeout=10, json={
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}})), 120, logs)
        assert all(r["next_scheduled_start_time"] or r["expected_start_time"] for r in scheduled)
        assert {r["expected_start_time"][11:16] for r in scheduled} <= {"06:00"}

        shutil.copy(new, raw / new.name)  # new correspondence arrives; a run is triggered now
        run = _ok(httpx.post(f"{api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=10))
        final = wait_for("the triggered run to finish", lambda: _final(httpx.get(
            f"{api}/flow_runs/{run['id']}", timeout=10)), 240, logs)
        assert final["state"]["type"] == "COMPLETED", serve_log.read_text()[-3000:]
    assert sorted(p.name for p in out.glob("*.yaml")) == sorted([first.with_suffix(".yaml").name,
                                                                 new.with_suffix(".yaml").name])


def test_serve_without_a_server_explains_what_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path), "PYTHONPATH": python_path()}
    env.pop("PREFECT_PROFILE", None)
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "serve", str(RAW), "--rules", str(RULES)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "prefect server start" in done.stderr and "PREFECT_API_URL" in done.stderr


def _ok(response: httpx.Response):
    return response.json() if response.status_code in (200, 201) and response.json() else None


def _final(response: httpx.Response):
    run = _ok(response)
    return run if run and run["state"] and run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") else None
