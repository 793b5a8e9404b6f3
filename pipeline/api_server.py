"""Prefect's temporary API server, started as soon as a run knows it has work.

Without PREFECT_API_URL, Prefect starts a temporary server when the first flow
starts: it imports its whole server stack into this process (3-5 s) and then waits
for the server process to boot (4-9 s), all on the run's critical path. The same
server (the same ASGI app and settings Prefect's `SubprocessASGIServer` uses) is
started here as the first thing, so that it boots while this process imports
Prefect and spaCy and builds the pipeline; the run then talks to it through
PREFECT_API_URL. If it does not come up, the run falls back to Prefect's own
temporary server.
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.util import find_spec
from pathlib import Path

# What `prefect.server.api.server.SubprocessASGIServer` sets for its server process.
_EPHEMERAL_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


_server: subprocess.Popen | None = None


def start_early() -> None:
    """Start the server now, unless one is configured; Prefect is pointed at it by PREFECT_API_URL.

    It lives until this process exits (after Prefect has sent its last logs and events).
    """
    global _server
    if _server is not None or os.environ.get("PREFECT_API_URL"):
        return
    port = _free_port()
    _server = subprocess.Popen(_command(port), env={**os.environ, **_EPHEMERAL_ENV}, stdout=subprocess.DEVNULL)
    atexit.register(_stop)
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        _stop()  # a profile names a server (or none is wanted): Prefect's choice stands
        return
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    refresh_global_settings_context()


def wait_until_up() -> None:
    """Wait for the early server; if it does not answer, Prefect starts its own temporary server."""
    if _server is None or _answers(os.environ["PREFECT_API_URL"]):
        return
    from prefect.context import refresh_global_settings_context

    _stop()
    os.environ.pop("PREFECT_API_URL", None)
    refresh_global_settings_context()


def _answers(url: str) -> bool:
    deadline = time.monotonic() + float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 120))
    while time.monotonic() < deadline and _server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def _stop() -> None:
    global _server
    server, _server = _server, None
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(port: int) -> list[str]:
    """The command `SubprocessASGIServer` runs (prefect/server/api/server.py), found without importing Prefect."""
    site = Path(find_spec("prefect").origin).parent.parent
    return [sys.executable, "-m", "uvicorn", "--app-dir", str(site), "--factory",
            "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "error", "--lifespan", "on"]
