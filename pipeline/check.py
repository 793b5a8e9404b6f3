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

import string
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.examples import check_rules
from pipeline.rules import Rule, RuleError, Rules, load_rules

PROBE_TIMEOUT_S = 0.2
PROBE_LENGTH = 3000
# Repeated units that make ambiguous quantifiers explode, in text shaped like ours.
_PUMPS = ("a", "A", "1", " ", "a ", "1 ", "1,", "a.", "1/", "a-", "\n", "aA1 ", "a\n")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    rules: Rules | None = None

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
        return Report(e.problems + [f"{directory}:0: examples and the backtracking probe not run: "
                                    "fix the problems above first"])
    problems = slow_regexes(rules) + missing_examples(rules)
    try:
        nlp = build_nlp(rules)
    except RuleError as e:  # a stage refused its rules
        return Report(problems + e.problems, rules)
    return Report(problems + check_rules(rules, nlp), rules)


def missing_examples(rules: Rules) -> list[str]:
    return [f"{r.where}: no match example: add one under examples: match:"
            for r in rules.all_rules() if not r.examples.get("match")]


def slow_regexes(rules: Rules) -> list[str]:
    return [f"{r.where}: regex takes over {PROBE_TIMEOUT_S}s on {PROBE_LENGTH} characters of "
            f"{pump!r} repeated: it can backtrack catastrophically"
            for r in rules.all_rules() if (pump := _slow_pump(r)) is not None]


def _slow_pump(rule: Rule) -> str | None:
    """The first repeated text the rule's regex cannot get through in time, if any."""
    if rule.compiled is None:
        return None
    literals = {c for c in rule.regex if c in string.ascii_letters + string.digits + "/-.,:()"}
    for pump in _PUMPS + tuple(sorted(literals)):
        probe = pump * (PROBE_LENGTH // len(pump)) + "\x00"
        try:
            for _ in rule.compiled.finditer(probe, timeout=PROBE_TIMEOUT_S):
                pass
        except TimeoutError:
            return pump
    return None


def report_lines(report: Report) -> list[str]:
    """What `rules check` prints: the problems, or a one-line summary when there are none."""
    if report.problems:
        return report.problems
    rules = report.rules
    return [f"{len(rules.all_rules())} rules in {len(rules.sets)} files: all valid, all examples pass"]
