"""The committed `extracted/` is the golden output of `raw/` under `rules/`.

Any change to the rules or the code that changes an output fails here, with the
change shown item by item and as the `git diff extracted/` it will make. To accept
it: `foi-extract run --force`, review `git diff extracted/`, commit rules and
outputs together. (The rules fingerprint in each file's `pipeline:` block is left
out of the comparison: an edit that changes no output need not touch extracted/.)
"""
from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.diff import diff_document
from pipeline.flows import process_batch

from conftest import RAW, ROOT, RULES

GOLDEN = ROOT / "extracted"
SHOWN_LINES = 150
ACCEPT = ("to accept the change: foi-extract run --force, review git diff extracted/, "
          "and commit rules/ and extracted/ together")
_FINGERPRINT = re.compile(r"^(\s+rules: )sha256:[0-9a-f]{64}$", re.M)


def regenerate(out: Path) -> None:
    outcomes = process_batch([str(p) for p in sorted(RAW.glob("*.txt"))], str(RAW), str(out), str(RULES),
                             force=True)
    assert [(o.rel, o.reason) for o in outcomes if o.status == "failed"] == []


def differences(fresh: Path, golden: Path) -> list[str]:
    """Item by item, then as a unified diff of the YAML: what `golden` lacks to equal `fresh`."""
    names = sorted({p.relative_to(fresh) for p in fresh.rglob("*.yaml")}
                   | {p.relative_to(golden) for p in golden.rglob("*.yaml")})
    summary, text_diff = [], []
    for name in names:
        new, old = _text(fresh / name), _text(golden / name)
        if new == old:
            continue
        if new is None:
            summary.append(f"{name}: in extracted/ but no longer produced")
        else:
            doc = diff_document(str(name), yaml.safe_load(old) if old else None, yaml.safe_load(new))
            summary.append(f"{name}: " + ("not in extracted/ yet" if old is None else
                                          f"{len(doc.changes)} item change(s)"))
            summary += [f"  {c.describe()}" for c in doc.changes]
        text_diff += difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(),
                                          f"a/extracted/{name}", f"b/extracted/{name}", lineterm="", n=2)
    if not summary:
        return []
    cut = [f"... {len(text_diff) - SHOWN_LINES} more diff lines"] if len(text_diff) > SHOWN_LINES else []
    return summary + [""] + text_diff[:SHOWN_LINES] + cut + ["", ACCEPT]


def _text(path: Path) -> str | None:
    return _FINGERPRINT.sub(r"\1<fingerprint>", path.read_text(encoding="utf-8")) if path.exists() else None


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh") / "extracted"
    regenerate(out)
    return out


def test_extracted_is_what_the_rules_produce_today(fresh):
    problems = differences(fresh, GOLDEN)
    if problems:
        pytest.fail("extracted/ is out of date:\n" + "\n".join(problems), pytrace=False)


def test_a_second_run_is_identical(fresh, tmp_path):
    regenerate(tmp_path / "again")
    assert differences(tmp_path / "again", fresh) == []


def test_a_changed_output_is_shown_readably(fresh, tmp_path):
    golden = tmp_path / "golden"
    shutil.copytree(fresh, golden)
    target = golden / "000_c1bb0fef92aed2d7.yaml"
    data = yaml.safe_load(target.read_text())
    data["references"].append({"text": "ABC/INF/1234/24", "span": [0, 15], "line": 1, "rule": "refs.abc_case",
                               "message": None, "value": "ABC/INF/1234/24", "kind": "foi_case"})
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    shown = "\n".join(differences(fresh, golden))
    assert "000_c1bb0fef92aed2d7.yaml: " in shown
    assert "- references  line    1  ABC/INF/1234/24 (kind foi_case)  (refs.abc_case)" in shown
    assert "+++ b/extracted/000_c1bb0fef92aed2d7.yaml" in shown
    assert shown.endswith(ACCEPT)
