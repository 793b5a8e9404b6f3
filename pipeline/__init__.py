"""foi-extract: Freedom of Information correspondence in, structured YAML out.

Public verbs: `extract` (one text -> Record), `load_rules`, `build_nlp`.
"""
__version__ = "0.1.0"

from pipeline.rules import load_rules  # noqa: E402
from pipeline.extract import extract, build_nlp  # noqa: E402

__all__ = ["extract", "load_rules", "build_nlp", "__version__"]
