"""Rule files are edited by many hands: whatever lands in `rules/`, loading them is
safe (YAML data only, never code), quick, and every mistake is named FILE:LINE."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hostile_kit import write_letters
from pipeline.cli import app
from pipeline.rules import RuleError, load_rules

GOOD_RULE = """\
  - id: refs.case
    regex: '\\b20\\d\\d-\\d{6,8}\\b'
"""
LAUGHS = "\n".join([
    "category: references",
    "lol: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    *[f"l{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)],
    "rules: []",
])
CASES = {  # name: (file text or bytes, the one problem expected, as LINE: what)
    "billion_laughs": (LAUGHS, "3: not valid YAML: aliases (*name) are not allowed in rule files"),
    "python_object": ("category: references\nrules:\n  - id: refs.x\n"
                      "    regex: !!python/object/apply:os.system ['touch {marker}']\n",
                      "4: not valid YAML: could not determine a constructor for the tag "
                      "'tag:yaml.org,2002:python/object/apply:os.system'"),
    "python_name": ("category: !!python/name:os.system references\nrules: []\n",
                    "1: not valid YAML: could not determine a constructor for the tag "
                    "'tag:yaml.org,2002:python/name:os.system'"),
    "wrong_type": ("category: references\nrules:\n  - id: refs.x\n    regex: 12\n",
                   "3: rule refs.x: rules/0/regex: 12 is not of type 'string'"),
    "wrong_window": ("category: references\nrules:\n" + GOOD_RULE + "    action: cue\n    window: wide\n",
                     "3: rule refs.case: rules/0/window: 'wide' is not of type 'integer'"),
    "not_utf8": ("category: references\n# caf\xe9 au lait\nrules: []\n".encode("latin-1"),
                 "2: not UTF-8 text (byte 0xe9: invalid continuation byte)"),
    "huge": ("category: references\nrules: []\n" + "# padding\n" * 120_000,
             "1: file is 1200031 bytes; rule files are limited to 1000000"),
    "deep": ("category: references\nrules: []\nvocab:\n  deep: " + "[" * 100 + "]" * 100 + "\n",
             "4: not valid YAML: nested more than 40 levels deep"),
    "duplicate_key": ("category: references\nrules:\n" + GOOD_RULE + "    regex: 'x'\n",
                      "5: not valid YAML: duplicate key 'regex' (first on line 4)"),
    "macro_loop": ("category: references\nmacros:\n  A: '{A}x'\nrules:\n  - id: refs.x\n    regex: '{A}'\n",
                   "5: rule refs.x: macros nest more than 5 deep (does a macro use itself?)"),
    "macro_bomb": ("category: references\nmacros:\n  X: '" + "{Y}" * 80 + "'\n  Y: '" + "{Z}" * 80 + "'\n"
                   "  Z: 'abcdefgh'\nrules:\n  - id: refs.x\n    regex: '{X}'\n",
                   "7: rule refs.x: regex grows past 50000 characters with its macros"),
    "repeat_bomb": ("category: references\nrules:\n  - id: refs.x\n    regex: '(?:(?:a{1000}){1000}){1000}'\n",
                    "3: rule refs.x: nested counted repeats (like (?:a{1000}){1000}) multiply past 100000: "
                    "the regex would take too long to compile"),
    "bad_regex": ("category: references\nrules:\n  - id: refs.x\n    regex: '(unclosed'\n",
                  "3: rule refs.x: regex does not compile: missing ) at position 9"),
    "top_level_list": ("- category\n- references\n", "1: top level: ['category', 'references'] is not of type 'object'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_rule_file_is_refused_with_its_line_quickly_and_runs_nothing(tmp_path, case):
    content, expected = CASES[case]
    marker = tmp_path / "code-ran"
    path = tmp_path / "rules" / "references.yaml"
    path.parent.mkdir()
    if isinstance(content, str):
        path.write_text(content.replace("{marker}", str(marker)), encoding="utf-8")
    else:
        path.write_bytes(content)
    started = time.perf_counter()
    with pytest.raises(RuleError) as e:
        load_rules(path.parent)
    assert time.perf_counter() - started < 5
    assert e.value.problems == [f"{path}:{expected}"]
    assert not marker.exists()


def test_a_folder_or_broken_link_named_like_a_rule_file_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "dates.yaml").mkdir()
    (tmp_path / "tables.yaml").symlink_to("gone.yaml")
    with pytest.raises(RuleError) as e:
        load_rules(tmp_path)
    assert e.value.problems == [f"{tmp_path}/dates.yaml:1: cannot read: Is a directory",
                                f"{tmp_path}/tables.yaml:1: cannot read: No such file or directory"]


def test_foi_extract_run_refuses_bad_rules_before_reading_any_document(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "references.yaml").write_text(CASES["duplicate_key"][0])
    write_letters(tmp_path / "raw", 1)
    result = CliRunner().invoke(app, ["run", str(tmp_path / "raw"), "--out", str(tmp_path / "out"),
                                      "--rules", str(rules)])
    assert result.exit_code == 2
    said = result.output.replace("\n", "")  # the console wraps long lines
    assert f"{rules}/references.yaml:5: not valid YAML: duplicate key 'regex'" in said
    assert not Path(tmp_path / "out").exists()
