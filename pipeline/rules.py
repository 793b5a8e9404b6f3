"""Rule files: loading, validation against the published schema, and matching.

A rule file (`rules/<category>.yaml`) holds knowledge, never code:

    category: references
    macros: {YEAR: '(?:19|20)\\d\\d'}        # regex fragments, used as {YEAR}
    rules:
      - id: refs.dfe_case
        regex: '\\b{YEAR}-\\d{7}\\b'           # or `pattern:` (spaCy token pattern)
        set: {kind: foi_case}                  # attributes given to what it finds
        examples:
          match: ['allocated reference number <reference kind="foi_case">2016-0058280</reference>.']
          no_match: ['Tel: 0370 000 2288']

A rule's `action` says what its matches do: `find` (default) proposes candidates,
`reject` vetoes candidates its match overlaps (with a `reason`), `cue` lends its
`set` attributes to candidates near it (`scope`: before / after / around / line,
within `window` characters). Every problem is reported as `FILE:LINE: rule ID: what`.
"""
from __future__ import annotations

import hashlib
import json
import re as _stdre
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import regex
import yaml

from pipeline import __version__

MAX_RULE_FILE_BYTES = 1_000_000
REGEX_TIMEOUT_S = 2.0  # per rule per document: a guard against catastrophic backtracking
_MACRO = _stdre.compile(r"\{([A-Z][A-Z0-9_]*)\}")


class RuleError(Exception):
    """One or more problems in rule files, each as `FILE:LINE: rule ID: what is wrong`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class RuleTimeout(Exception):
    """A rule's regex ran past its time budget on one document."""


# --------------------------------------------------------------------------- loading
class _LineLoader(yaml.SafeLoader):
    """safe_load that remembers the line each mapping starts on (as `__line__`)."""

    def construct_mapping(self, node, deep=False):  # noqa: D102 - yaml hook
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    def compose_node(self, parent, index):  # refuse alias bombs: no aliases at all
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in rule files", event.start_mark)
        return super().compose_node(parent, index)


class _LineList(list):
    """A YAML sequence that knows the line of each of its entries."""

    lines: list[int]


def _construct_seq(loader: _LineLoader, node):
    data = _LineList()
    yield data
    data.extend(loader.construct_sequence(node))
    data.lines = [n.start_mark.line + 1 for n in node.value]


_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _read_yaml(path: Path) -> Any:
    size = path.stat().st_size
    if size > MAX_RULE_FILE_BYTES:
        raise RuleError([f"{path}:1: file is {size} bytes; rule files are limited to {MAX_RULE_FILE_BYTES}"])
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(e, "problem", None) or str(e)
        raise RuleError([f"{path}:{line}: not valid YAML: {what}"]) from None
    except UnicodeDecodeError as e:
        raise RuleError([f"{path}:1: not UTF-8 text ({e.reason})"]) from None


@lru_cache(maxsize=1)
def rule_file_schema() -> dict:
    return json.loads(resources.files("pipeline.schemas").joinpath("rules.schema.json").read_text())


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _rule_fits_schema(raw: Any) -> bool:
    schema = rule_file_schema()
    one_rule = {"$ref": "#/$defs/rule", "$defs": schema["$defs"]}
    return isinstance(raw, dict) and jsonschema.Draft202012Validator(one_rule).is_valid(_strip_lines(raw))


def _schema_problems(path: Path, data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(rule_file_schema())
    problems = []
    for err in sorted(validator.iter_errors(_strip_lines(data)), key=lambda e: list(e.path)):
        node, line, rule_id = data, 1, None
        for step in err.path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict):
                line = node.get("__line__", line)
                rule_id = node.get("id", rule_id) if "id" in node else rule_id
        where = f"rule {rule_id}: " if rule_id else ""
        loc = "/".join(str(p) for p in err.path) or "top level"
        problems.append(f"{path}:{line}: {where}{loc}: {err.message}")
    return problems


# --------------------------------------------------------------------------- rules
@dataclass
class Rule:
    id: str
    category: str
    file: Path
    line: int
    action: str = "find"
    regex: str | None = None  # macro-expanded source
    pattern: list | None = None  # spaCy token pattern
    ignore_case: bool = False
    group: str | int = 0  # capture group that is the candidate's text
    set: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    scope: str = "around"
    window: int = 80
    description: str | None = None
    author: str | None = None
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (line, text)
    compiled: Any = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}: rule {self.id}"

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Any]:
        """Regex matches, under the timeout guard; raises RuleTimeout past it."""
        try:
            yield from self.compiled.finditer(text, pos, endpos if endpos is not None else len(text),
                                              timeout=REGEX_TIMEOUT_S)
        except TimeoutError:
            raise RuleTimeout(f"{self.where}: regex ran over {REGEX_TIMEOUT_S}s and was stopped") from None

    def span_of(self, m: Any) -> tuple[int, int]:
        return m.span(self.group)


@dataclass
class RuleSet:
    """All rules of one category, plus the file's free-form `vocab` lists."""

    category: str
    file: Path
    rules: list[Rule]
    vocab: dict[str, Any] = field(default_factory=dict)

    def by_action(self, action: str) -> list[Rule]:
        return [r for r in self.rules if r.action == action]

    def get(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _expand(source: str, macros: dict[str, str], where: str) -> str:
    def sub(m):
        name = m.group(1)
        if name not in macros:
            raise RuleError([f"{where}: unknown macro {{{name}}}"])
        return f"(?:{macros[name]})"

    for _ in range(5):  # macros may use macros, a few levels deep
        new = _MACRO.sub(sub, source)
        if new == source:
            return new
        source = new
    return source


# A quantified group whose body is one repeated atom with nothing required after it
# (`(a+)+`, `(\w*)*`, `(\w+\s?)+`) can match a string in exponentially many ways:
# the classic catastrophic-backtracking shape. `rules check` refuses it outright;
# the per-document regex timeout guards against subtler cases.
_ATOM = r"(?:\\.|\[[^\]]*\]|[^()\\|])"
_NESTED_QUANTIFIER = _stdre.compile(r"\((?:\?:)?" + _ATOM + r"[+*](?:" + _ATOM + r"[?*])*\)[+*{]")


def _check_token_pattern(pattern: list, where: str) -> None:
    """Refuse a token pattern spaCy's Matcher would reject, with spaCy's reasons on one line."""
    from spacy.matcher import Matcher  # spaCy loads slowly: only files with token patterns pay
    from spacy.vocab import Vocab

    try:
        Matcher(Vocab(), validate=True).add("check", [pattern])
    except Exception as e:  # noqa: BLE001 - spaCy raises several types for bad patterns
        lines = [ln.strip(" -") for ln in str(e).splitlines() if ln.strip().startswith("- [")]
        why = "; ".join(lines) or str(e).splitlines()[0]
        raise RuleError([f"{where}: token pattern rejected by spaCy: {why}"]) from None


def _with_lines(entries: Any, default: int) -> list[tuple[int, str]]:
    entries = entries or []
    lines = getattr(entries, "lines", None) or [default] * len(entries)
    return list(zip(lines, (str(e) for e in entries)))


def _compile_rule(raw: dict, category: str, path: Path, macros: dict[str, str]) -> Rule:
    rid, line = raw["id"], raw.get("__line__", 1)
    where = f"{path}:{line}: rule {rid}"
    ex = raw.get("examples") or {}
    rule = Rule(
        id=rid, category=category, file=path, line=line,
        action=raw.get("action", "find"), pattern=_strip_lines(raw.get("pattern")),
        ignore_case=bool(raw.get("ignore_case", False)), group=raw.get("group", 0),
        set=_strip_lines(raw.get("set") or {}), reason=raw.get("reason"),
        scope=raw.get("scope", "around"), window=int(raw.get("window", 80)),
        description=raw.get("description"), author=raw.get("author"),
        examples={k: _with_lines(ex.get(k), line) for k in ("match", "no_match")},
    )
    if rule.pattern is not None:
        _check_token_pattern(rule.pattern, where)
    if raw.get("regex") is not None:
        rule.regex = _expand(raw["regex"], macros, where)
        if _NESTED_QUANTIFIER.search(rule.regex):
            raise RuleError([f"{where}: regex has a nested quantifier (like (a+)+), "
                             "which can backtrack catastrophically"])
        flags = regex.VERSION0 | (regex.IGNORECASE if rule.ignore_case else 0)
        try:
            rule.compiled = regex.compile(rule.regex, flags)
        except regex.error as e:
            raise RuleError([f"{where}: regex does not compile: {e}"]) from None
        if isinstance(rule.group, str) and rule.group not in rule.compiled.groupindex:
            raise RuleError([f"{where}: group {rule.group!r} is not a named group of the regex"])
        if isinstance(rule.group, int) and not 0 <= rule.group <= rule.compiled.groups:
            raise RuleError([f"{where}: group {rule.group} is out of range: the regex has {rule.compiled.groups} group(s)"])
    elif raw.get("phrases") is not None:
        words = sorted({str(p) for p in raw["phrases"]}, key=len, reverse=True)
        rule.regex = r"(?<![\w])(?:" + "|".join(regex.escape(w) for w in words) + r")(?![\w])"
        rule.compiled = regex.compile(rule.regex, regex.VERSION0 | (regex.IGNORECASE if rule.ignore_case else 0))
    return rule


def load_rule_file(path: Path) -> RuleSet:
    """Load and validate one rule file; RuleError lists every problem found."""
    path = Path(path)
    data = _read_yaml(path)
    problems = _schema_problems(path, data)
    if problems and not (isinstance(data, dict) and isinstance(data.get("rules"), list)):
        raise RuleError(problems)
    category = data.get("category")
    macros = {k: v for k, v in (data.get("macros") or {}).items() if k != "__line__"}
    rules, seen = [], {}
    for raw in data.get("rules") or []:
        if not _rule_fits_schema(raw):
            continue  # its schema problems are listed; the other rules are still checked
        line = raw.get("__line__", 1)
        if raw["id"] in seen:
            problems.append(f"{path}:{line}: rule {raw['id']}: duplicate id (first at line {seen[raw['id']]})")
            continue
        seen[raw["id"]] = line
        if raw.get("disabled"):
            continue
        try:
            rules.append(_compile_rule(raw, category, path, macros))
        except RuleError as e:
            problems.extend(e.problems)
    if problems:
        raise RuleError(problems)
    return RuleSet(category=category, file=path, rules=rules, vocab=_strip_lines(data.get("vocab") or {}))


@dataclass
class Rules:
    """Every category's RuleSet from one rules directory, with its fingerprint."""

    directory: Path
    sets: dict[str, RuleSet]
    fingerprint: str

    def __getitem__(self, category: str) -> RuleSet:
        return self.sets.get(category) or RuleSet(category, self.directory / f"{category}.yaml", [])

    def all_rules(self) -> list[Rule]:
        return [r for s in self.sets.values() for r in s.rules]


def fingerprint_of(directory: Path) -> str:
    """sha256 over the rule files' names and bytes, and the pipeline version."""
    h = hashlib.sha256(f"pipeline {__version__}\n".encode())
    for p in sorted(Path(directory).glob("*.yaml")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return "sha256:" + h.hexdigest()


def load_rules(directory: str | Path = "rules") -> Rules:
    """Load every `*.yaml` rule file in `directory`; RuleError lists all problems."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleError([f"{directory}:0: rules directory not found"])
    sets, problems, ids = {}, [], {}
    for p in sorted(directory.glob("*.yaml")):
        try:
            rs = load_rule_file(p)
        except RuleError as e:
            problems.extend(e.problems)
            continue
        if rs.category in sets:
            problems.append(f"{p}:1: category {rs.category} is already defined in {sets[rs.category].file}")
            continue
        for r in rs.rules:
            if r.id in ids:
                problems.append(f"{r.where}: duplicate id (also at {ids[r.id]})")
            ids[r.id] = f"{r.file}:{r.line}"
        sets[rs.category] = rs
    if problems:
        raise RuleError(problems)
    return Rules(directory=directory, sets=sets, fingerprint=fingerprint_of(directory))
