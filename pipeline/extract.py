"""Extraction as a plain library: one text in, one Record out. No Prefect here."""
from __future__ import annotations

import hashlib
import threading
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.context import Context, Preset
from pipeline.nlp import build_nlp
from pipeline.record import Record, record_from_context
from pipeline.rules import Rules, load_rules

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "rules"


@lru_cache(maxsize=8)
def _rules_for(directory: str, fingerprint: str) -> Rules:
    return load_rules(directory)


# One spaCy pipeline per thread: a batch frees the strings its documents added to the
# vocabulary when it ends (`Language.memory_zone`), and zones must not overlap, so the
# task threads of a run must not share a vocabulary.
_threads = threading.local()
_PIPELINES_PER_THREAD = 8


def pipeline_for(rules: Rules | str | Path | None = None) -> tuple[Rules, Language]:
    """The (cached) rules and this thread's spaCy pipeline for a rules directory or Rules object."""
    if isinstance(rules, Rules):
        return rules, build_nlp(rules)
    from pipeline.rules import fingerprint_of
    directory = Path(rules) if rules is not None else DEFAULT_RULES
    key = (str(directory.resolve()), fingerprint_of(directory))
    loaded = _rules_for(*key)
    built: dict = _threads.__dict__.setdefault("pipelines", {})
    nlp = built.get(key)
    if nlp is None:
        if len(built) >= _PIPELINES_PER_THREAD:
            built.pop(next(iter(built)))
        nlp = built[key] = build_nlp(loaded)
    return loaded, nlp


def extract(text: str, rules: Rules | str | Path | None = None, *, path: str = "<string>",
            nlp: Language | None = None, preset: Preset | None = None) -> Record:
    """Extract every category from `text` (already decoded, newlines normalised)."""
    loaded, own = pipeline_for(rules)
    # With this thread's own pipeline, the strings the text adds to the vocabulary go
    # with it (a caller's pipeline may be shared by threads: zones are not per thread).
    with own.memory_zone() if nlp is None and not own.vocab.in_memory_zone else nullcontext():
        doc = parse(nlp or own, text, preset)
        return record_from_context(doc._.foi, source_path=path, sha256=sha256_text(text),
                                   rules_fingerprint=loaded.fingerprint)


def parse(nlp: Language, text: str, preset: Preset | None = None) -> Doc:
    """Run the pipeline over `text`; a converter's preset (pipeline/sources) rides on the context."""
    doc = nlp.make_doc(text)
    if doc._.foi is None:  # a tokenizer of the caller's own
        doc._.foi = Context(text, doc=doc)
    if preset is not None:
        doc._.foi.preset = preset
    return nlp(doc)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


__all__ = ["extract", "build_nlp", "parse", "pipeline_for"]
