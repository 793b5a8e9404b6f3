"""Alternations of literal words, factored into tries as a rule's regex compiles.

The `regex` module tries the alternatives of `(?:twenty|thirty|ten|two)` one after
another at every position of the text; `t(?:w(?:enty|o)|hirty|en)` rejects a position
on its first character. Rule files keep the readable list; the compiled regex gets the
trie, which matches exactly the same text in the same order:
- forward, alternatives that start with different characters can never both match at
  one position, so grouping those that share their first character (keeping their
  order) leaves the leftmost-first choice unchanged; only consecutive literal
  alternatives are grouped, and a branch with an empty alternative before its last
  is left alone;
- in a lookbehind without capture groups, which the engine matches backwards and
  which only asserts, the words are grouped by their last character instead.
An alternative is literal when it is plain characters, optionally with greedy `?`
on a character or on a group of literal alternatives (`sections?`, `annex(?:es)?`):
it stands for its expansions, in the order a backtracking match tries them.
A regex this parser does not follow is compiled as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_EXPANSIONS = 32  # literal strings one alternative may stand for
_SPECIAL = set(".^$*+?{}[]\\|()")
_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d*(?:,\d*)?\})[?+]?")
_ANCHORS = {"\\b", "\\B", "^", "$", "\\A", "\\Z"}  # zero-width: factored out like a character
_OPENER = re.compile(r"\?(?:[:>|]|[=!]|<[=!]|P?<\w+>|[a-zA-Z-]+[:)])")


class _Unreadable(Exception):
    pass


@dataclass
class _Atom:
    text: str  # source text, quantifier excluded
    char: str | None  # the one literal character it matches, if it is one
    quantifier: str = ""


@dataclass
class _Group:
    opener: str  # "(", "(?:", "(?<=", "(?P<n>", "(?i:" ...
    branches: list[list] = field(default_factory=list)
    quantifier: str = ""

    @property
    def lookbehind(self) -> bool:
        return self.opener in ("(?<=", "(?<!")

    @property
    def captures(self) -> bool:
        return self.opener == "(" or self.opener.startswith(("(?P<", "(?<")) and not self.lookbehind


# --------------------------------------------------------------------------- reading
def _parse(source: str) -> list[list]:
    branches, i = _branches(source, 0)
    if i != len(source):
        raise _Unreadable
    return branches


def _branches(s: str, i: int) -> tuple[list[list], int]:
    branches, seq = [], []
    while i < len(s) and s[i] != ")":
        c = s[i]
        if c == "|":
            branches.append(seq)
            seq, i = [], i + 1
            continue
        if c == "(":
            m = _OPENER.match(s, i + 1) if s.startswith("?", i + 1) else None
            if s.startswith("?", i + 1) and m is None:
                raise _Unreadable  # comments, conditionals, group references
            opener = "(" + (m.group() if m else "")
            if opener.endswith(")"):  # a global flag like (?i)
                item, i = _Atom(opener, None), i + len(opener)
            else:
                inner, j = _branches(s, i + len(opener))
                if j >= len(s):
                    raise _Unreadable
                item, i = _Group(opener, inner), j + 1
        elif c == "[":
            j = _class_end(s, i)
            item, i = _Atom(s[i:j], None), j
        elif c == "\\":
            if i + 1 >= len(s):
                raise _Unreadable
            nxt = s[i + 1]
            item, i = _Atom(s[i:i + 2], None if nxt.isalnum() else nxt), i + 2
        elif c in _SPECIAL and c not in "{}":
            item, i = _Atom(c, None), i + 1
        else:
            item, i = _Atom(c, None if c in "{}" else c), i + 1
        q = _QUANTIFIER.match(s, i)
        if q:
            item.quantifier, i = q.group(), q.end()
        seq.append(item)
    branches.append(seq)
    return branches, i


def _class_end(s: str, i: int) -> int:
    j = i + 1
    if s.startswith("^", j):
        j += 1
    if s.startswith("]", j):
        j += 1
    while j < len(s) and s[j] != "]":
        if s[j] == "[":
            raise _Unreadable  # a nested set: the regex module reads it otherwise
        j += 2 if s[j] == "\\" else 1
    if j >= len(s):
        raise _Unreadable
    return j + 1


def _emit(branches: list[list]) -> str:
    return "|".join("".join(_emit_item(x) for x in seq) for seq in branches)


def _emit_item(item) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, _Atom):
        return item.text + item.quantifier
    return item.opener + _emit(item.branches) + ")" + item.quantifier


# --------------------------------------------------------------------------- literal alternatives
def _words(seq: list) -> list[list[str]] | None:
    """The literal strings (as lists of characters) an alternative stands for, in the order
    a match tries them; None when it is not literal."""
    found: list[list[str]] = [[]]
    for item in seq:
        if isinstance(item, _Atom) and item.char is not None and item.quantifier in ("", "?"):
            choices = [[item.char]] + ([[]] if item.quantifier else [])
        elif isinstance(item, _Group) and item.opener == "(?:" and item.quantifier in ("", "?"):
            inner = [_words(b) for b in item.branches]
            if any(w is None for w in inner):
                return None
            choices = [w for ws in inner for w in ws] + ([[]] if item.quantifier else [])
        else:
            return None
        found = [f + c for f in found for c in choices]
        if len(found) > MAX_EXPANSIONS:
            return None
    return found


def _escaped(char: str) -> str:
    return "\\" + char if char in _SPECIAL or char == "#" or char.isspace() else char


def _units(seq: list) -> list[tuple[str, object]]:
    """An alternative as units: ("char", c) for a literal character, ("anchor", text) for a
    zero-width anchor like \\b, ("item", item) for anything else."""
    units = []
    for item in seq:
        if isinstance(item, _Atom) and not item.quantifier and item.char is not None:
            units.append(("char", item.char))
        elif isinstance(item, _Atom) and not item.quantifier and item.text in _ANCHORS:
            units.append(("anchor", item.text))
        else:
            units.append(("item", item))
    return units


def _lead(units: list[tuple[str, object]]) -> str | None:
    """The character every match of the alternative starts with, lower-cased, if known
    (not for letters outside ASCII, whose case variants lower() does not give)."""
    for kind, value in units:
        if kind == "anchor":
            continue
        if kind == "char" and (value.isascii() or value.lower() == value.upper()):
            return value.lower()
        return None
    return None


def _emit_unit(unit: tuple[str, object]) -> str:
    kind, value = unit
    return _escaped(value) if kind == "char" else value if kind == "anchor" else _emit_item(value)


def _forward_trie(alternatives: list[list[tuple[str, object]]]) -> list[str]:
    """The alternatives in their order, except that those starting with the same character
    come together (one starting otherwise cannot match where they do) and share their
    common first character or anchor. One whose first character is unknown stays put."""
    out: list[str] = []
    run: list[list[tuple[str, object]]] = []
    for units in alternatives + [None]:
        if units is not None and _lead(units) is not None:
            run.append(units)
            continue
        groups: dict[str, list[list[tuple[str, object]]]] = {}
        for u in run:
            groups.setdefault(_lead(u), []).append(u)
        for group in groups.values():
            first = group[0][0]
            if len(group) > 1 and first[0] != "item" and all(u[0] == first for u in group):
                rest = _forward_trie([u[1:] for u in group])
                out.append(_emit_unit(first) + (rest[0] if len(rest) == 1 else "(?:" + "|".join(rest) + ")"))
            else:
                out.extend("".join(map(_emit_unit, u)) for u in group)
        run = []
        if units is not None:
            out.append("".join(map(_emit_unit, units)))
    return out


def _backward_trie(words: list[list[str]]) -> list[str]:
    """Alternatives matching any of `words` (order free), grouped by their last character."""
    groups: dict[str, list[list[str]]] = {}
    for w in words:
        groups.setdefault(w[-1] if w else "", [])
        if w and w[:-1] not in groups[w[-1]]:
            groups[w[-1]].append(w[:-1])
    out = []
    for last, rests in groups.items():
        if last == "":
            continue
        inner = _backward_trie(rests)
        out.append((inner[0] if len(inner) == 1 else "(?:" + "|".join(inner) + ")") + _escaped(last))
    return out + ([""] if "" in groups else [])


def _factor(branches: list[list], context: str) -> list[list]:
    """The branches with their literal alternatives factored, nested groups first.

    `context`: "forward"; "backward" inside a lookbehind without captures (order is free);
    "frozen" inside a lookbehind with captures (the order of backward tries decides them).
    """
    for seq in branches:
        for item in seq:
            if isinstance(item, _Group):
                inner = context
                if item.lookbehind and context == "forward":
                    inner = "frozen" if _has_captures(item.branches) else "backward"
                item.branches = _factor(item.branches, inner)
    if len(branches) < 2 or context == "frozen":
        return branches
    words = [_words(seq) for seq in branches]
    if context == "backward":
        literal = [w for ws in words if ws is not None for w in ws]
        if len(literal) < 2 or not _foldable(literal):
            return branches
        return [[t] for t in _backward_trie(literal)] + [seq for seq, ws in zip(branches, words) if ws is None]
    alternatives = []
    for seq, ws in zip(branches, words):
        alternatives.extend([[("char", c) for c in w] for w in ws] if ws is not None else [_units(seq)])
    return [[t] for t in _forward_trie(alternatives)]


def _foldable(words: list[list[str]]) -> bool:
    """No letter outside ASCII, whose case variants the grouping by character would miss."""
    return all(c.isascii() or c.lower() == c.upper() for w in words for c in w)


def _has_captures(branches: list[list]) -> bool:
    return any(isinstance(x, _Group) and (x.captures or _has_captures(x.branches)) for seq in branches for x in seq)


def factored(source: str) -> str:
    """`source` with its literal alternations factored; as written when it cannot be read."""
    if "(?x" in source or "\\L<" in source:
        return source
    try:
        return _emit(_factor(_parse(source), "forward"))
    except (_Unreadable, RecursionError):
        return source
