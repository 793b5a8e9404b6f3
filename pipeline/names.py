"""Clean the names of people and bodies as the document writes them.

People lose honorifics and post-nominals ("Dr Colin Iain Campbell MBChB FRSPH" ->
"Colin Iain Campbell"); bodies lose a leading "the", a trailing possessive and a
trailing abbreviation in brackets ("Metropolitan Police Service (MPS)"). The word
lists come from `rules/segment.yaml` (vocab).
"""
from __future__ import annotations

import re
from typing import Callable

_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_QUOTES = "‘’“”\"'`*_"
_TRAILING_BRACKET = re.compile(r"\s*\((?:the\s+)?[^()]{1,40}\)\s*$", re.I)
_LETTER = re.compile(r"[^\W\d_]")
_INITIALISM = re.compile(r"[A-Z][A-Za-z]*[A-Z][A-Za-z]*")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"[’']s$")


def squash(text: str) -> str:
    """White space collapsed (non-breaking spaces and line breaks included), invisible marks dropped."""
    return " ".join(_INVISIBLE.sub("", text).split())  # str.split() splits at what `\s` matches


def person(raw: str | None, vocab: dict) -> str | None:
    """A person's (or a group's) name without honorifics or post-nominals; None if nothing is left."""
    if not raw:
        return None
    words = squash(raw).strip(_QUOTES + " ,.;:").split()
    honorifics = word_set(vocab, "honorifics")
    post = word_set(vocab, "post_nominals")
    while words and words[0].lower().rstrip(".") in honorifics:
        words.pop(0)
    mixed_case = any(w != w.upper() for w in words)
    while len(words) > 1 and (words[-1].lower().rstrip(".,") in post
                              or (mixed_case and _initialism(words[-1]))):
        words.pop()
    name = " ".join(words).strip(_QUOTES + " ,.;:")
    if not name or not has_letter(name) or len(words) > 6:
        return None
    return name


_WORD_SETS: dict[tuple[int, str, Callable[[str], str]], tuple[list, frozenset]] = {}


def has_letter(text: str) -> bool:
    return _LETTER.search(text) is not None


def word_set(vocab: dict, key: str) -> frozenset:
    """A vocab list as lower-case words without a final full stop (built once per list)."""
    return _vocab_set(vocab, key, _bare_word)


def folded_set(vocab: dict, key: str) -> frozenset:
    """A vocab list case-folded (built once per list)."""
    return _vocab_set(vocab, key, str.casefold)


def _bare_word(word: str) -> str:
    return word.lower().rstrip(".")


def _vocab_set(vocab: dict, key: str, normal: Callable[[str], str]) -> frozenset:
    words = vocab.get(key)
    if not words:  # not cached: a missing list would be a new [] each call, a new entry each time
        return frozenset()
    cached = _WORD_SETS.get((id(words), key, normal))
    if cached is None or cached[0] is not words:
        cached = _WORD_SETS[(id(words), key, normal)] = (words, frozenset(map(normal, words)))
    return cached[1]


def _initialism(word: str) -> bool:
    """Letters after a name such as FRSPH or MBChB: two or more capitals, no other marks."""
    return bool(_INITIALISM.fullmatch(word)) and sum(c.isupper() for c in word) >= 2


def body(raw: str | None) -> str | None:
    """A public body's name as it should be reported, or None."""
    if not raw:
        return None
    name = squash(raw).strip(_QUOTES + " ,.;:")
    name = _TRAILING_BRACKET.sub("", name)
    name = _LEADING_THE.sub("", name)
    name = _POSSESSIVE.sub("", name).strip(" ,.;:")
    return name or None


def same(a: str | None, b: str | None) -> bool:
    """Two names written the same way, ignoring case, spacing and '&' for 'and'."""
    if not a or not b:
        return False
    return _key(a) == _key(b)


def _key(name: str) -> str:
    return squash(name).casefold().replace("&", "and")
