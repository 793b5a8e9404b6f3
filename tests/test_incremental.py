"""Incremental runs: unchanged documents are skipped unparsed, removed sources reported, no-op runs
never start Prefect."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.flows import process_batch
from pipeline.incremental import is_current, is_unchanged, orphans, output_path, prune, survey
from pipeline.ingest import IngestError
from pipeline.rules import fingerprint_of

from conftest import ROOT, RULES

LETTER = ("Dear Ms Persson,\n\nYour request was received on 19/12/2016 and has been allocated "
          "reference number {ref}.\n\nYours sincerely,\nFOI Team\n")


@pytest.fixture
def corpus(tmp_path):
    """Three letters under raw/ (one in a sub-folder), already extracted into out/."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "dfe").mkdir(parents=True)
    for rel, ref in (("a.txt", "2016-0058280"), ("b.txt", "2016-0058281"), ("dfe/c.txt", "FOI-41814")):
        (raw / rel).write_text(LETTER.format(ref=ref))
    outcomes = process_batch([str(p) for p in sorted(raw.rglob("*.txt"))], str(raw), str(out), str(RULES))
    assert [o.status for o in outcomes] == ["done"] * 3
    return raw, out


def test_a_rerun_over_unchanged_letters_has_nothing_to_do(corpus):
    raw, out = corpus
    found = survey(raw, out, fingerprint_of(RULES))
    assert found.nothing_to_do and found.unchanged == 3 and found.documents == 3
    assert found.bytes == sum(p.stat().st_size for p in raw.rglob("*.txt"))


def test_an_edited_letter_is_found_changed(corpus):
    raw, out = corpus
    (raw / "b.txt").write_text(LETTER.format(ref="2016-0099999"))
    found = survey(raw, out, fingerprint_of(RULES))
    assert found.changed == "b.txt"
    assert found.documents == 3  # counted to the end, for the progress bar


def test_force_finds_work_in_unchanged_letters(corpus):
    raw, out = corpus
    assert survey(raw, out, fingerprint_of(RULES), force=True).changed == "a.txt"


def test_other_rules_or_another_pipeline_version_make_an_output_stale(corpus):
    raw, out = corpus
    fingerprint = fingerprint_of(RULES)
    assert is_unchanged(raw / "a.txt", raw, out, fingerprint)
    assert not is_unchanged(raw / "a.txt", raw, out, "sha256:" + "0" * 64)
    target = output_path("a.txt", out)
    head = target.read_text()
    sha = next(line.split()[-1] for line in head.splitlines() if line.strip().startswith("sha256:"))
    assert is_current(target, sha, fingerprint)
    target.write_text(head.replace("  version: ", "  version: 0.0.0-old-", 1))
    assert not is_current(target, sha, fingerprint)


def test_a_new_letter_is_found_without_hashing_the_old_ones_twice(corpus):
    raw, out = corpus
    (raw / "dfe" / "d.txt").write_text(LETTER.format(ref="FOI-41815"))
    found = survey(raw, out, fingerprint_of(RULES))
    assert found.changed == "dfe/d.txt" and found.unchanged == 3


def test_an_unreadable_file_is_reported_but_does_not_make_work(corpus):
    raw, out = corpus
    (raw / "empty.txt").write_text("")
    found = survey(raw, out, fingerprint_of(RULES))
    assert found.nothing_to_do
    assert found.failed == [("empty.txt", "empty file")]


def test_outputs_of_removed_letters_are_reported_then_pruned_with_their_empty_folder(corpus):
    raw, out = corpus
    (out / "notes.yaml").write_text("title: not an output of ours\n")
    (raw / "dfe" / "c.txt").unlink()
    (raw / "dfe").rmdir()
    gone = list(orphans(raw, out))
    assert [p.relative_to(out).as_posix() for p in gone] == ["dfe/c.yaml"]
    prune(gone, out)
    assert not (out / "dfe").exists()
    assert (out / "a.yaml").exists() and (out / "notes.yaml").exists()
    assert list(orphans(raw, out)) == []


def _cli(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    """`foi-extract ARGS` in a fresh interpreter that says whether Prefect was imported.

    No Prefect server is configured; with `home`, Prefect keeps its database there.
    """
    code = ("import sys; from pipeline.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n"
            "    print('prefect imported' if 'prefect' in sys.modules else 'prefect not imported', file=sys.stderr)\n"
            "    raise\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    if home:
        env["PREFECT_HOME"] = str(home)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_run_with_nothing_to_do_reports_removed_sources_without_starting_prefect(corpus, tmp_path):
    raw, out = corpus
    (raw / "a.txt").unlink()
    done = _cli("run", str(raw), "--out", str(out), "--rules", str(RULES), "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "nothing to do: 2 unchanged" in done.stderr and "source removed a.yaml" in done.stderr
    assert "prefect not imported" in done.stderr
    assert (out / "a.yaml").exists()
    pruned = _cli("run", str(raw), "--out", str(out), "--rules", str(RULES), "--prune", cwd=tmp_path)
    assert "pruned a.yaml" in pruned.stderr and not (out / "a.yaml").exists()


@pytest.mark.slow
def test_a_command_line_run_extracts_new_letters_then_finds_nothing_to_do(corpus, tmp_path):
    """The real path: Prefect's temporary API server started early, no server configured."""
    raw, out = corpus
    (raw / "dfe" / "d.txt").write_text(LETTER.format(ref="FOI-41815"))
    env_home = tmp_path / "prefect-home"
    done = _cli("run", str(raw), "--out", str(out), "--rules", str(RULES), "--summary-json",
                str(tmp_path / "summary.json"), cwd=tmp_path, home=env_home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "done 1, skipped 3, failed 0" in done.stderr and "prefect imported" in done.stderr
    assert (out / "dfe" / "d.yaml").exists()
    again = _cli("run", str(raw), "--out", str(out), "--rules", str(RULES), cwd=tmp_path, home=env_home)
    assert "nothing to do: 4 unchanged" in again.stderr


def test_a_current_output_reached_through_a_link_out_of_out_is_not_trusted(corpus, tmp_path):
    raw, out = corpus
    fingerprint = fingerprint_of(RULES)
    assert is_unchanged(raw / "dfe" / "c.txt", raw, out, fingerprint)
    (out / "dfe").rename(tmp_path / "elsewhere")
    (out / "dfe").symlink_to(tmp_path / "elsewhere")  # the same, current output, outside OUT
    assert not is_unchanged(raw / "dfe" / "c.txt", raw, out, fingerprint)


def test_an_output_that_is_itself_a_link_out_of_out_is_refused(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (out / "dfe").mkdir(parents=True)
    elsewhere.mkdir()
    (out / "dfe" / "000.yaml").symlink_to(elsewhere / "000.yaml")
    with pytest.raises(IngestError, match="through a symbolic link"):
        output_path("dfe/000.txt", out)
    (out / "dfe" / "001.yaml").symlink_to(out / "000.yaml")  # a link that stays inside is fine
    assert output_path("dfe/001.txt", out) == out / "dfe" / "001.yaml"
