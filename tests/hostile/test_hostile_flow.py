"""The one flow-level check (Prefect's test harness costs seconds): `foi-extract run`
over a folder with bad files names each one and exits 1, and the letters are written."""
from __future__ import annotations

import pytest
from prefect.testing.utilities import prefect_test_harness
from typer.testing import CliRunner

import hostile_kit
from hostile_kit import check_output, letter, write_letters
from pipeline.cli import app


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness():
        yield


def test_foi_extract_run_reports_each_bad_file_and_exits_1(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_letters(raw, 2)
    (raw / "scan.txt").write_bytes(bytes(range(256)) * 10)
    (raw / "gone.txt").symlink_to("deleted.txt")
    long_letter = (letter(3) * 30).encode("utf-8")
    (raw / "[long] letter.txt").write_bytes(long_letter)  # a name that looks like console markup
    result = CliRunner().invoke(app, ["run", str(raw), "--out", str(out), "--rules", str(hostile_kit.RULES),
                                      "--max-bytes", "5000", "--no-progress"])
    said = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 1, said
    assert "scan.txt: binary file, not text" in said
    assert "gone.txt: broken symbolic link (to deleted.txt)" in said
    assert f"[long] letter.txt: {len(long_letter)} bytes is over the limit of 5000 (raise it with --max-bytes)" in said
    for n in range(2):
        check_output(out / f"letter_{n:03d}.yaml", letter(n))
    assert sorted(p.name for p in out.rglob("*")) == ["letter_000.yaml", "letter_001.yaml"]
