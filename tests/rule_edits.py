"""What a reviewer does to a copy of `rules/`: add a rule at the top of a file's list.

Shared by the rules-check, diff and walkthrough tests; works whatever the other
rules in the file are, so the tests do not depend on today's extraction results.
"""
from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

from conftest import RULES


def copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def add_rule(rules_dir: Path, filename: str, rule_yaml: str) -> int:
    """Insert `rule_yaml` (one `- id: ...` entry) as the file's first rule; return its line."""
    path = rules_dir / filename
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    top = next(i for i, ln in enumerate(lines) if re.match(r"rules:\s*$", ln))
    first = next((ln for ln in lines[top + 1:] if ln.lstrip().startswith("- ")), "  - id: x")
    indent = first[: len(first) - len(first.lstrip())]
    entry = textwrap.indent(textwrap.dedent(rule_yaml).strip("\n") + "\n", indent)
    lines[top + 1:top + 1] = [entry]
    path.write_text("".join(lines), encoding="utf-8")
    return top + 2
