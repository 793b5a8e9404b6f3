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
import itertools
import json
import math
import re as _stdre
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import jsonschema
import regex
import yaml

from pipeline import __version__
from pipeline.alternations import factored
from pipeline.gate import Gate
from pipeline.literals import Unreadable, frequency, parse, rarest, reaches_newline, shape_of

MAX_RULE_FILE_BYTES = 1_000_000
MAX_YAML_DEPTH = 40  # deeper nesting is a mistake or an attack (PyYAML recurses per level)
MAX_REGEX_CHARS = 50_000  # a rule's regex after macro expansion
MAX_REPEAT_PRODUCT = 100_000  # nested counted repeats ((?:a{1000}){1000}) compile unrolled
# Per rule per document: a guard against catastrophic backtracking. The regex module
# counts matching time over a whole finditer, so a long document gets proportionally more.
REGEX_TIMEOUT_S = 2.0
REGEX_TIMEOUT_PER_MILLION_CHARS_S = 2.0
# One document's wall-clock budget, checked as each rule starts; past it the document fails.
# Generous: a loaded machine runs slower, and some extractors are still superlinear on
# large tables (a 90 KB table takes ~16 s), so only a runaway document should reach it.
SHORT_SPAN = 512  # a scan of at most this many characters (a line, a label) looks for the rule's literals before asking the gate
DOCUMENT_BUDGET_S = 300.0
DOCUMENT_BUDGET_PER_MILLION_CHARS_S = 60.0
_deadline: ContextVar[float | None] = ContextVar("foi_document_deadline", default=None)
T = TypeVar("T")
_MACRO = _stdre.compile(r"\{([A-Z][A-Z0-9_]*)\}")
# 'ſ' is matched by (?i)s but lower() keeps it; 'İ' lowers to two characters.
_FOLDS_APART = _stdre.compile("[\u017f\u0130]")
_lowered_here = threading.local()  # the text being read, lower-cased, per thread


class RuleError(Exception):
    """One or more problems in rule files, each as `FILE:LINE: rule ID: what is wrong`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class RuleTimeout(Exception):
    """A rule's regex ran past its time budget on one document."""


class DocumentTimeout(Exception):
    """A document ran past its time budget; its output would be incomplete, so it fails."""


def document_budget(chars: int) -> float:
    return DOCUMENT_BUDGET_S + DOCUMENT_BUDGET_PER_MILLION_CHARS_S * chars / 1e6


@contextmanager
def regex_budget(seconds: float) -> Iterator[None]:
    """Within this block (one document, one thread), rules stop once `seconds` have passed."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


# --------------------------------------------------------------------------- loading
# libyaml scans and parses (7x faster: `rules check` must stay quick); composing and
# constructing stay in Python so the hooks below see every node.
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(yaml.composer.Composer, _Parser):
    """safe_load that remembers the line each mapping starts on (as `__line__`)."""

    def __init__(self, stream):
        _Parser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)

    def construct_mapping(self, node, deep=False):  # noqa: D102 - yaml hook
        seen: dict[str, int] = {}
        for key, _ in node.value:  # plain safe_load keeps the last of two equal keys, silently
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key.value!r} (first on line {seen[key.value]})", key.start_mark)
            if isinstance(key, yaml.ScalarNode):
                seen[key.value] = key.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    def compose_node(self, parent, index):  # refuse alias bombs: no aliases at all
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in rule files", event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
    try:
        size = path.stat().st_size
        if size > MAX_RULE_FILE_BYTES:
            raise RuleError([f"{path}:1: file is {size} bytes; rule files are limited to {MAX_RULE_FILE_BYTES}"])
        data = path.read_bytes()
    except OSError as e:  # a broken link, a folder named x.yaml, no permission
        raise RuleError([f"{path}:1: cannot read: {e.strerror or e}"]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise RuleError([f"{path}:{line}: not UTF-8 text (byte {data[e.start]:#x}: {e.reason})"]) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(e, "problem", None) or str(e)
        raise RuleError([f"{path}:{line}: not valid YAML: {what}"]) from None


@lru_cache(maxsize=1)
def rule_file_schema() -> dict:
    return json.loads(resources.files("pipeline.schemas").joinpath("rules.schema.json").read_text())


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


@lru_cache(maxsize=1)
def _one_rule_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$ref": "#/$defs/rule", "$defs": rule_file_schema()["$defs"]})


def _rule_fits_schema(raw: Any) -> bool:
    return isinstance(raw, dict) and _one_rule_validator().is_valid(_strip_lines(raw))


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
    # every match holds one of these (lower-cased; None: not known), read from the regex
    literals: tuple[str, ...] | None = field(default=None, repr=False)
    # no match, look-arounds included, reaches past a newline: a scan of whole lines finds
    # in them just what a scan of the whole text finds there
    one_line: bool = field(default=False, repr=False)
    # the category's multi-pattern scan, which tells where in a text the rule can match
    gate: Gate | None = field(default=None, repr=False, compare=False)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}: rule {self.id}"

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Any]:
        """Regex matches, under the timeout guard; raises RuleTimeout past it.

        Inside `regex_budget`, raises DocumentTimeout once the document's budget is spent.
        """
        end = len(text) if endpos is None else endpos
        if end - pos <= SHORT_SPAN and not self._may_match(text, pos, end):
            return self.finditer_where(text, pos, end, [])  # a few finds in a line cost less than the gate
        spans = self.gate.spans(self, text, pos, end) if self.gate is not None else None
        return self.finditer_where(text, pos, end, spans)

    def finditer_where(self, text: str, pos: int, end: int, spans: list[tuple[int, int]] | None) -> Iterator[Any]:
        """`finditer(text, pos, end)` when the gate has been asked already: `spans` is what it
        said of text[pos:end] (None: it cannot tell)."""
        if spans is None:  # the common cases first: one scan, or none, without building lists
            spans = [(pos, end)] if self.literals is None or self._may_match(text, pos, end) else []
        elif spans and self.literals is not None:
            spans = [(start, stop) for start, stop in spans if self._may_match(text, start, stop)]
        if len(spans) == 1:
            return self._scan(text, *spans[0])
        if not spans:
            self._budget(0)  # the document's budget is checked as each rule starts
            return iter(())
        return itertools.chain.from_iterable(self._scan(text, start, stop) for start, stop in spans)

    def _scan(self, text: str, pos: int, end: int) -> Iterator[Any]:
        limit, left = self._budget(end - pos)
        try:
            yield from self.compiled.finditer(text, pos, end, timeout=min(limit, left))
        except TimeoutError:
            self._timed_out(limit, left)

    def match(self, text: str, pos: int, endpos: int) -> Any:
        """The match starting at `pos` (the attempt a scan makes there), under the same guards."""
        limit, left = self._budget(endpos - pos)
        try:
            return self.compiled.match(text, pos, endpos, timeout=min(limit, left))
        except TimeoutError:
            self._timed_out(limit, left)

    def _may_match(self, text: str, pos: int, end: int) -> bool:
        """False when none of the rule's literals stands in text[pos:end]: a scan would find nothing."""
        low = lowered(text)
        if low is None or self.literals is None:
            return True
        for literal in self.literals:  # the commonest first: where one stands, the search ends
            if low.find(literal, pos, end) >= 0:
                return True
        return False

    def _budget(self, chars: int) -> tuple[float, float]:
        """This rule's time limit over `chars` characters, and what is left of the document's."""
        limit = REGEX_TIMEOUT_S + REGEX_TIMEOUT_PER_MILLION_CHARS_S * max(chars, 0) / 1e6
        deadline = _deadline.get()
        left = math.inf if deadline is None else deadline - time.monotonic()
        if left <= 0:
            raise DocumentTimeout(f"document ran over its time budget (stopped before {self.where})")
        return limit, left

    def _timed_out(self, limit: float, left: float) -> None:
        if left < limit:
            raise DocumentTimeout(f"document ran over its time budget (stopped in {self.where})") from None
        raise RuleTimeout(f"{self.where}: regex ran over {limit:.1f}s and was stopped") from None

    def span_of(self, m: Any) -> tuple[int, int]:
        return m.span(self.group)


def lowered(text: str) -> str | None:
    """`text` lower-cased with its offsets kept (None when case folding would move or hide
    them), kept while the same text is read: every rule of every stage looks in it."""
    kept = getattr(_lowered_here, "pair", None)
    if kept is None or kept[0] is not text:
        low = text.lower()
        kept = _lowered_here.pair = (text, low if len(low) == len(text) and not _FOLDS_APART.search(text) else None)
    return kept[1]


def _literals(source: str, ignore_case: bool) -> tuple[str, ...] | None:
    """The literals one of which every match holds (the rarest such set), if the regex says."""
    shape = shape_of(source, ignore_case)
    option = rarest(list(shape.options)) if shape is not None else None
    return tuple(sorted({anchor.literal for anchor in option}, key=lambda lit: (-frequency(lit), lit))) if option else None


def _one_line(source: str, ignore_case: bool) -> bool:
    """Whether nothing in the regex can match or look past a newline (False when unsure)."""
    shape = shape_of(source, ignore_case)
    if shape is not None:
        return shape.one_line
    try:
        parsed = parse(source, ignore_case)
    except Unreadable:
        return False
    return not reaches_newline(parsed, parsed.state.flags)


@dataclass
class RuleSet:
    """All rules of one category, plus the file's free-form `vocab` lists."""

    category: str
    file: Path
    rules: list[Rule]
    vocab: dict[str, Any] = field(default_factory=dict)
    # what extractors build from the rule set (compiled vocab, its rules by action), kept with it
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def derived(self, build: Callable[[RuleSet], T]) -> T:
        """What `build` makes of this rule set (an extractor's compiled vocab, say), made
        once: every document reads it, and it goes when the rule set goes."""
        made = self._derived.get(build)
        if made is None:
            made = self._derived[build] = build(self)
        return made

    def __getstate__(self) -> dict:  # to other processes without what was built from it
        return {**self.__dict__, "_derived": {}}

    def by_action(self, action: str) -> tuple[Rule, ...]:
        """The rules with `action`, in file order (grouped once: every document asks, often)."""
        return self.derived(_by_action).get(action, ())

    def get(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _by_action(ruleset: RuleSet) -> dict[str, tuple[Rule, ...]]:
    return {action: tuple(r for r in ruleset.rules if r.action == action)
            for action in dict.fromkeys(r.action for r in ruleset.rules)}


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
        if len(new) > MAX_REGEX_CHARS:
            raise RuleError([f"{where}: regex grows past {MAX_REGEX_CHARS} characters with its macros"])
        source = new
    raise RuleError([f"{where}: macros nest more than 5 deep (does a macro use itself?)"])


# A quantified group whose body is one repeated atom with nothing required after it
# (`(a+)+`, `(\w*)*`, `(\w+\s?)+`) can match a string in exponentially many ways:
# the classic catastrophic-backtracking shape. `rules check` refuses it outright;
# the per-document regex timeout guards against subtler cases.
_ATOM = r"(?:\\.|\[[^\]]*\]|[^()\\|])"
_NESTED_QUANTIFIER = _stdre.compile(r"\((?:\?:)?" + _ATOM + r"[+*](?:" + _ATOM + r"[?*])*\)[+*{]")
_COUNTED = _stdre.compile(r"\{(\d*)(?:,(\d*))?\}")
_CLASS = _stdre.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")


def _repeat_product(source: str) -> int:
    """The largest product of nested counted repeats: `(?:a{1000}){1000}` is 1,000,000.

    The regex module unrolls counted repeats as it compiles, so a large product makes
    loading the rules hang; it is refused before compiling.
    """
    inside = [1]  # the largest product within each open group
    last, i = 1, 0  # the product carried by the atom or group just read
    while i < len(source):
        c, counted = source[i], _COUNTED.match(source, i)
        if c == "\\":
            last, i = 1, i + 2
        elif c == "[" and (m := _CLASS.match(source, i)):
            last, i = 1, m.end()
        elif c == "(":
            inside.append(1)
            last, i = 1, i + 1
        elif c == ")" and len(inside) > 1:
            last = inside.pop()
            inside[-1] = max(inside[-1], last)
            i += 1
        elif counted and any(counted.groups()):
            last *= max(int(n) for n in counted.groups() if n)
            inside[-1] = max(inside[-1], last)
            i = counted.end()
        else:
            last, i = 1, i + 1
    return max(inside)


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
        if _repeat_product(rule.regex) > MAX_REPEAT_PRODUCT:
            raise RuleError([f"{where}: nested counted repeats (like (?:a{{1000}}){{1000}}) multiply past "
                             f"{MAX_REPEAT_PRODUCT}: the regex would take too long to compile"])
        flags = regex.VERSION0 | (regex.IGNORECASE if rule.ignore_case else 0)
        try:
            rule.compiled = regex.compile(factored(rule.regex), flags)
        except regex.error as e:
            raise RuleError([f"{where}: regex does not compile: {e}"]) from None
        rule.literals = _literals(rule.regex, rule.ignore_case)
        rule.one_line = _one_line(rule.regex, rule.ignore_case)
        if isinstance(rule.group, str) and rule.group not in rule.compiled.groupindex:
            raise RuleError([f"{where}: group {rule.group!r} is not a named group of the regex"])
        if isinstance(rule.group, int) and not 0 <= rule.group <= rule.compiled.groups:
            raise RuleError([f"{where}: group {rule.group} is out of range: the regex has {rule.compiled.groups} group(s)"])
    elif raw.get("phrases") is not None:
        words = sorted({str(p) for p in raw["phrases"]}, key=len, reverse=True)
        rule.regex = r"(?<![\w])(?:" + "|".join(regex.escape(w) for w in words) + r")(?![\w])"
        rule.compiled = regex.compile(factored(rule.regex), regex.VERSION0 | (regex.IGNORECASE if rule.ignore_case else 0))
        rule.literals = _literals(rule.regex, rule.ignore_case)
        rule.one_line = _one_line(rule.regex, rule.ignore_case)
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
        if problems and not _rule_fits_schema(raw):
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
    gate = Gate(rules)
    for rule in rules:
        rule.gate = gate
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
