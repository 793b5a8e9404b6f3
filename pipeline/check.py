"""`foi-extract rules check`: everything a reviewer's edit must pass before it lands.

1. Loading (`rules.load_rules`): the published schema, duplicate ids, macros,
   regexes that do not compile, token patterns spaCy rejects, nested quantifiers.
2. A probe of every regex against long repetitive text: backtracking blow-ups the
   static nested-quantifier check cannot see (`(a|a)+$`) show up as a timeout.
3. Every rule has a `match` example, and every example passes (`examples.py`).

Each problem is one line, `rules/FILE.yaml:LINE: rule ID: what is wrong`, with the
path relative to the working directory when the rules folder is under it.
"""
from __future__ import annotations

import re
import string
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.examples import check_rules
from pipeline.rules import Rule, RuleError, Rules, load_rules

PROBE_LENGTH = 1000
PROBE_BUDGET_S = 0.1  # for PROBE_LENGTH characters, and again for twice as many
SECOND_LOOK_S = 0.005  # slower than this on the first probe: measure again at twice the length
_PUMPS = ("a", "A", "1", " ", "a ", "1 ", "1,", "a.", "1/", "a-", "\n", "aA1 ", "a\n")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    rules: Rules | None = None
    not_run: str | None = None  # what could not be checked because of the problems

    @property
    def ok(self) -> bool:
        return not self.problems


def relative_to_cwd(directory: Path) -> Path:
    """`/work/main/rules` -> `rules` when run from /work/main; other paths as given."""
    try:
        return Path(directory).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(directory)


def check(directory: str | Path = "rules") -> Report:
    """Every problem in a rules folder; the examples run only once every file loads."""
    from pipeline.nlp import build_nlp  # spaCy is slow to import: not needed to list load errors

    directory = relative_to_cwd(Path(directory))
    try:
        rules = load_rules(directory)
    except RuleError as e:
        return Report(e.problems, not_run=f"{directory}:0: examples and the backtracking probe not run: "
                                          "fix the problems above first")
    problems = slow_regexes(rules) + missing_examples(rules)
    try:
        nlp = build_nlp(rules)
    except RuleError as e:  # a stage refused its rules
        return Report(problems + e.problems, rules)
    return Report(problems + check_rules(rules, nlp), rules)


def checked_pipeline(directory: str | Path = "rules"):
    """`extract.pipeline_for`, but rule problems name files relative to the working directory."""
    from pipeline.extract import pipeline_for

    try:
        return pipeline_for(directory)
    except RuleError as e:  # pipeline_for loads from the resolved path: say it as given, or shorter
        where, shown = f"{Path(directory).resolve()}/", f"{relative_to_cwd(Path(directory))}/"
        raise RuleError([p.replace(where, shown, 1) if p.startswith(where) else p for p in e.problems]) from None


def missing_examples(rules: Rules) -> list[str]:
    return [f"{r.where}: no match example: add one under examples: match:"
            for r in rules.all_rules() if not r.examples.get("match")]


def slow_regexes(rules: Rules) -> list[str]:
    return [f"{r.where}: regex takes over {PROBE_BUDGET_S}s on {PROBE_LENGTH * 2} characters of "
            f"{pump!r} repeated: it can backtrack catastrophically"
            for r in rules.all_rules() if (pump := _slow_pump(r)) is not None]


def _slow_pump(rule: Rule) -> str | None:
    """The first repeated text the rule's regex cannot get through in time, if any.

    Linear regexes take microseconds here; a quadratic one stays within budget at
    twice the length, anything worse (cubic, exponential) does not.
    """
    if rule.compiled is None or not _repeats_a_choice(rule.regex):
        return None
    literals = {c for c in rule.regex if c in string.ascii_letters + string.digits + "/-.,:()"}
    for pump in _PUMPS + tuple(sorted(literals - set(_PUMPS))):
        seconds = _scan_time(rule, pump, PROBE_LENGTH)
        if seconds is not None and seconds > SECOND_LOOK_S:
            seconds = _scan_time(rule, pump, 2 * PROBE_LENGTH)
        if seconds is None:
            return pump
    return None


_ESCAPES_AND_CLASSES = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]")  # each becomes one plain atom
_REPEAT = re.compile(r"[*+]|\{\d*,\d*\}")  # a quantifier that can repeat what it follows
_CHOICE = re.compile(r"[*+|]|\{\d*,")  # inside a repeated group: more than one way to match


def _repeats_a_choice(source: str) -> bool:
    """Does the regex repeat a group that can itself match in several ways (`(a+)+`, `(a|ab)*`)?

    Such regexes are the ones that blow up (exponentially, or with a high power of the
    length); the others are at worst slow polynomially, are left to the run-time
    timeout, and are not probed, which keeps `rules check` fast.
    """
    plain = _ESCAPES_AND_CLASSES.sub("x", source)
    stack: list[int] = []
    for i, c in enumerate(plain):
        if c == "(":
            stack.append(i)
        elif c == ")" and stack:
            body = plain[stack.pop() + 1:i]
            if _REPEAT.match(plain, i + 1) and _CHOICE.search(body):
                return True
    return False


def _scan_time(rule: Rule, pump: str, length: int) -> float | None:
    """Seconds to find every match in `pump` repeated to `length`; None past the budget."""
    probe = pump * (length // len(pump)) + "\x00"
    started = time.perf_counter()
    try:
        for _ in rule.compiled.finditer(probe, timeout=PROBE_BUDGET_S):
            pass
    except TimeoutError:
        return None
    return time.perf_counter() - started


def report_lines(report: Report) -> list[str]:
    """What `rules check` prints: the problems, or a one-line summary when there are none."""
    if report.problems:
        return report.problems + ([report.not_run] if report.not_run else [])
    rules = report.rules
    return [f"{len(rules.all_rules())} rules in {len(rules.sets)} files: all valid, all examples pass"]
