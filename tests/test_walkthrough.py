"""The README's walkthrough, run as written: a reviewer adds a rule for a new
authority's reference format, checks it, sees its effect on the corpus, writes it;
then breaks it and sees every command refuse, naming the file and line.

The letter, the rule and the console sessions (commands, exit statuses, output)
are read from the README section "Reviewing and changing rules", so the README
cannot drift from what the commands do. In expected output, `...` stands for any
text within a line, or any lines when it stands alone.
"""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.flows import process_batch

from conftest import RAW, ROOT
from rule_edits import add_rule, copy_rules

SECTION = "## Reviewing and changing rules"
LETTER_PATH = "raw/abc-council/2024-001.txt"
runner = CliRunner()


def readme_blocks() -> dict[str, list[str]]:
    """The section's fenced blocks by language: {'text': [...], 'yaml': [...], 'console': [...]}."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks: dict[str, list[str]] = {}
    for lang, body in re.findall(r"```(\w+)\n(.*?)```", section, re.S):
        blocks.setdefault(lang, []).append(body)
    return blocks


def session(block: str) -> list[tuple[list[str], int, list[str]]]:
    """A console block as (arguments, exit status, expected output lines) per command."""
    steps = []
    for line in block.splitlines():
        if line.startswith("$ "):
            command, _, comment = line[2:].partition("#")
            status = re.search(r"exits (\d)", comment)
            steps.append((shlex.split(command)[1:], int(status.group(1)) if status else 0, []))
        else:
            steps[-1][2].append(line)
    return steps


def matches(expected: list[str], output: str) -> bool:
    parts = [r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line).replace(r"\.\.\.", r"[^\n]*?") + r"\n"
             for line in expected]
    actual = "".join(line.rstrip() + "\n" for line in output.splitlines())
    return re.fullmatch("".join(parts), actual) is not None


def play(block: str) -> None:
    for args, status, expected in session(block):
        result = runner.invoke(app, args)
        shown = f"$ foi-extract {shlex.join(args)}\n{result.output}"
        assert result.exit_code == status, shown
        assert matches(expected, result.output), "expected:\n" + "\n".join(expected) + "\ngot:\n" + shown


def written(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness():
        yield


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project as it stands before the edit: rules, raw/ with the letter, extracted/."""
    blocks = readme_blocks()
    copy_rules(tmp_path)
    shutil.copytree(RAW, tmp_path / "raw")
    letter = tmp_path / LETTER_PATH
    letter.parent.mkdir(parents=True)
    letter.write_text(blocks["text"][0], encoding="utf-8")
    paths = [str(p) for p in sorted((tmp_path / "raw").rglob("*.txt"))]
    failed = [o for o in process_batch(paths, str(tmp_path / "raw"), str(tmp_path / "extracted"),
                                       str(tmp_path / "rules")) if o.status == "failed"]
    assert failed == []
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_documents_the_walkthrough():
    blocks = readme_blocks()
    assert len(blocks["text"]) == 1 and len(blocks["yaml"]) == 1 and len(blocks["console"]) == 2
    assert "ABC/INF/1234/24" in blocks["text"][0]


def test_a_new_reference_format_from_rule_to_output(project):
    blocks = readme_blocks()
    add_rule(project / "rules", "references.yaml", blocks["yaml"][0])
    play(blocks["console"][0])
    written = (project / "extracted/abc-council/2024-001.yaml").read_text()
    assert re.search(r"- text: ABC/INF/1234/24\n(  .*\n)*?  rule: refs\.abc_case\n(  .*\n)*?  kind: foi_case",
                     written), written


def test_a_broken_rule_is_named_and_nothing_is_written(project):
    blocks = readme_blocks()
    broken = blocks["yaml"][0].replace(r"'\bABC/INF/\d{4}", r"'\bABC/INF/(\d{4}")
    assert broken != blocks["yaml"][0]
    add_rule(project / "rules", "references.yaml", broken)
    before = written(project / "extracted")
    play(blocks["console"][1])
    assert written(project / "extracted") == before
