"""The spaCy pipeline: `spacy.blank("en")` plus one component per stage, built from `rules/`.

Each component reads its category's rule file and fills the document's extraction
context (`doc._.foi`). The order is the path of a document through the package:
segment -> tables -> field_lists -> dates -> references -> exemptions -> counts.
"""
from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.context import Context
from pipeline.extractors import STAGES
from pipeline.matching import TokenMatchers
from pipeline.rules import Rules

if not Doc.has_extension("foi"):
    Doc.set_extension("foi", default=None)

# Rules objects handed to components by key: component configs must be plain data.
_LOADED: dict[str, Rules] = {}


class KeepText:
    """The tokenizer, plus the document's text kept on the Doc as its extraction context:
    the stages read the text as given, and rebuilding it from the tokens costs as much
    as a stage."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc._.foi = Context(text, doc=doc)
        return doc


class WholeText:
    """The tokenizer of a pipeline whose rules have no token pattern: the Doc holds the
    text as one token, since nothing reads tokens then. Splitting words cost 0.6 ms per
    4 KB document in a batch's memory zone, where spaCy makes every word's lexeme anew
    (more than the tables stage); the one lexeme this makes goes with the zone."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        return Doc(self.vocab, words=[text], spaces=[False]) if text else Doc(self.vocab)


class Stage:
    """One pipeline component: runs a category's extractor with its rules."""

    def __init__(self, nlp: Language, category: str, rules_key: str):
        self.category = category
        self.ruleset = _LOADED[rules_key][category]
        self.tokens = TokenMatchers(nlp.vocab, self.ruleset)
        self.run = STAGES[category]

    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.foi
        if ctx is None:
            ctx = doc._.foi = Context(doc.text, doc=doc)
        self.run(ctx, self.ruleset, self.tokens)
        return doc


@Language.factory("foi_stage", default_config={"category": "", "rules_key": ""})
def make_stage(nlp: Language, name: str, category: str, rules_key: str) -> Stage:
    return Stage(nlp, category, rules_key)


def build_nlp(rules: Rules) -> Language:
    """A blank English pipeline with one `foi_stage` component per category."""
    key = f"{rules.directory.resolve()}|{rules.fingerprint}"
    _LOADED[key] = rules
    nlp = spacy.blank("en")
    nlp.max_length = 200_000_000  # documents are bounded by ingest's size limit, not here
    if not any(rule.pattern is not None for rule in rules.all_rules()):
        # Only token-pattern rules read tokens, and their Matchers the lexical attributes
        # (a whole text's like_url, shape... cost a tenth of a millisecond).
        nlp.vocab.lex_attr_getters = {}
        nlp.tokenizer = WholeText(nlp.vocab)
    nlp.tokenizer = KeepText(nlp.tokenizer)
    for category in STAGES:
        nlp.add_pipe("foi_stage", name=f"foi_{category}", config={"category": category, "rules_key": key})
    return nlp
