from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
RAW = ROOT / "raw"
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def pipeline_rules():
    from pipeline.extract import pipeline_for
    return pipeline_for(RULES)


@pytest.fixture(scope="session")
def extract_text(pipeline_rules):
    from pipeline.extract import extract
    rules, nlp = pipeline_rules

    def run(text: str):
        return extract(text, rules.directory, nlp=nlp)
    return run


def without_literal_checks(find, text: str):
    """`find(text)` with every rule tried wherever the gate lets it, whether or not its
    literals stand there (the slow path a literal pre-check must agree with)."""
    from pipeline.rules import Rule
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Rule, "_may_match", lambda self, text, pos, end: True)
        return find(text)


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared, or skip the test when it is absent (third-party data)."""
    p = SHARED.joinpath(*parts)
    if not p.is_dir():
        pytest.skip(f"{p} is not here")
    return p


class Stages:
    """Only these pipeline stages, in order, with their rule files: a category's unit
    tests run just what that category depends on."""

    def __init__(self, *names: str):
        from pipeline.rules import load_rule_file
        self.rulesets = {name: load_rule_file(RULES / f"{name}.yaml") for name in names}

    def run(self, text: str, messages=None):
        """The context after the stages; `messages`, when given, replace segment's."""
        from pipeline.context import Context
        from pipeline.extractors import STAGES
        ctx = Context(text)
        for name, ruleset in self.rulesets.items():
            STAGES[name](ctx, ruleset, None)
            if name == "segment" and messages is not None:
                ctx.messages = messages
        return ctx
