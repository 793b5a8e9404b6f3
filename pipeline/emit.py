"""Emit: a record's data as block YAML text that PyYAML reads back as the same data.

Our own emitter for the record's data model (dicts with str keys, lists, str, int, float,
bool, None): PyYAML's representer spent more time per record than the schema check, the
write and the record's assembly together. Block style like PyYAML's, key order kept,
spans inline (`[12, 34]`); a string plain where YAML reads it back as the same string,
single-quoted when only its first character or look is the trouble, a `|` literal block
when it spans lines, double-quoted with escapes when nothing else is safe.
tests/test_records.py checks that any data of the model loads back equal with both of
PyYAML's loaders (pure Python and libyaml).
"""
from __future__ import annotations

import math
import re
from typing import Any

import yaml

# YAML 1.1 implicit types as PyYAML's loaders resolve them (bool, null, int, float,
# timestamp, merge `<<`, value `=`, and `!`, `&`, `*` alone): such a string is never plain.
_IMPLICIT = re.compile("|".join(sorted({f"(?:{regexp.pattern})" for resolvers in
                                        yaml.resolver.Resolver.yaml_implicit_resolvers.values()
                                        for _, regexp in resolvers})), re.X)
_IMPLICIT_FIRST = "".join(first for first in yaml.resolver.Resolver.yaml_implicit_resolvers if first)
# What a YAML stream may carry as is, less the line breaks other than \n (\r, NEL, LS, PS)
# and the byte-order mark: anything else is written as a double-quoted escape.
_SAFE = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_SAFE_LINE = re.compile(rf"[{_SAFE}]*")  # one line, nothing to escape
_NOT_FIRST = "-?:,[]{}#&*!|>'\"%@` "  # YAML's indicators and a space: no plain scalar starts so
_SAFE_LINES = re.compile(rf"[{_SAFE}\t\n]*")  # lines with nothing to escape: a | block if there are two
_ESCAPED = re.compile(rf"[^{_SAFE}]")
_ESCAPES = {"\x00": "\\0", "\x07": "\\a", "\x08": "\\b", "\t": "\\t", "\n": "\\n", "\x0b": "\\v", "\x0c": "\\f",
            "\r": "\\r", "\x1b": "\\e", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
_SIMPLE_KEY = 128  # longer keys are written as `? key` (YAML limits an implicit key's length)
_FLOW_NUMBERS = 12  # lists of at most this many numbers (spans) stay on one line: [12, 34]
_KEYS: dict[str, str] = {}  # key -> as written; shared by threads (a dict's get and set are atomic)
_KEYS_KEPT = 1024  # the record's field names are a few dozen; data with other keys must not grow it for ever
_NUMBERS = frozenset({int, float, bool})
_INT = {int}


def to_yaml(data: dict) -> str:
    """`data` as block YAML that safe_load reads back equal, key order kept."""
    if type(data) is not dict:
        raise TypeError(f"a record is a dict, not {type(data).__name__}")
    if not data:
        return "{}\n"
    out: list[str] = []
    # What keys and this document's strings were written as: records repeat them (field
    # names, rule names) and a look-up costs less than deciding again. Keys are the
    # schema's field names, the same in every record: they are kept across records.
    _mapping(out, data, "", "", _KEYS, {})
    return "".join(out)


def _mapping(out: list[str], data: dict, first: str, indent: str, keys: dict, strings: dict) -> None:
    """Append a non-empty mapping; its first line starts with `first`, the others with `indent`."""
    lead = first
    for key, value in data.items():
        k = keys.get(key) or _key(key, indent, keys)
        t = type(value)
        if t is str:
            out.append(f"{lead}{k}: {strings.get(value) or _string(value, indent, strings)}\n")
        elif t is int:
            out.append(f"{lead}{k}: {value}\n")
        elif value is None:
            out.append(f"{lead}{k}: null\n")
        elif t is list and value and (flow := _flow(value)) is None:
            out.append(f"{lead}{k}:\n")
            _sequence(out, value, indent, indent, keys, strings)
        elif t is list and value:
            out.append(f"{lead}{k}: {flow}\n")
        elif t is dict and value:
            out.append(f"{lead}{k}:\n")
            _mapping(out, value, indent + "  ", indent + "  ", keys, strings)
        else:
            out.append(f"{lead}{k}: {_inline(value)}\n")
        lead = indent


def _sequence(out: list[str], data: list, first: str, indent: str, keys: dict, strings: dict) -> None:
    """Append a non-empty block sequence; its first line starts with `first`, the others with `indent`."""
    lead = first
    inner = indent + "  "
    for value in data:
        t = type(value)
        if t is str:
            out.append(f"{lead}- {strings.get(value) or _string(value, indent, strings)}\n")
        elif t is dict and value:
            _mapping(out, value, lead + "- ", inner, keys, strings)
        elif t is list and value and (flow := _flow(value)) is None:
            _sequence(out, value, lead + "- ", inner, keys, strings)
        elif t is list and value:
            out.append(f"{lead}- {flow}\n")
        else:
            out.append(f"{lead}- {_inline(value)}\n")
        lead = indent


def _flow(data: list) -> str | None:
    """A short list of numbers on one line, `[12, 34]`; None for any other list."""
    if len(data) == 2 and type(data[0]) is int and type(data[1]) is int:  # a span, most lists
        return f"[{data[0]}, {data[1]}]"
    if len(data) > _FLOW_NUMBERS:
        return None
    types = set(map(type, data))
    if types == _INT:  # spans: str() is YAML's int
        return "[" + ", ".join(map(str, data)) + "]"
    return "[" + ", ".join(map(_inline, data)) + "]" if types <= _NUMBERS else None


def _inline(value: Any) -> str:
    """A scalar other than a string, or an empty list or mapping."""
    t = type(value)
    if t is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is float:
        return _float(value)
    if t is list and not value:
        return "[]"
    if t is dict and not value:
        return "{}"
    raise TypeError(f"cannot write {t.__name__} as YAML: {value!r}")


def _string(s: str, indent: str, strings: dict) -> str:
    """A string as it follows `key: ` or `- `, remembered in `strings` unless it is a block."""
    if _plain(s):
        text = s
    elif _one_line(s):
        text = "'" + s.replace("'", "''") + "'"
    elif "\n" in s and _SAFE_LINES.fullmatch(s) and s.strip(" \t\n"):  # (one pass: no backtracking)
        return _literal(s, indent + "  ")  # its lines depend on `indent`
    else:
        text = _double(s)
    strings[s] = text
    return text


def _plain(s: str) -> bool:
    """Does YAML read `s` back as this string when written as is (in block context)?
    Not when it starts with an indicator, starts or ends with a space, contains ": " or
    " #", ends with ":", starts with "..." (a document end at column 0), or is an
    implicit type."""
    return (s != "" and s[0] not in _NOT_FIRST and s[-1] not in " :" and _one_line(s)
            and ": " not in s and " #" not in s and not s.startswith("...")
            and not (s[0] in _IMPLICIT_FIRST and _IMPLICIT.match(s)))


def _one_line(s: str) -> bool:
    """One line with nothing to escape. isprintable() answers for most strings without a
    regex; it is stricter than YAML (a no-break space is not 'printable'), so a False is
    checked again."""
    return s.isprintable() or _SAFE_LINE.fullmatch(s) is not None


def _key(key: Any, indent: str, keys: dict) -> str:
    """A mapping key and what separates it from its value's `:`, remembered in `keys`
    unless it is an explicit `? key` (its `:` line depends on `indent`)."""
    if type(key) is not str:
        raise TypeError(f"cannot write a {type(key).__name__} key as YAML: {key!r}")
    if _plain(key):
        text = key
    elif _one_line(key):
        text = "'" + key.replace("'", "''") + "'"
    else:
        text = _double(key)
    if len(text) > _SIMPLE_KEY:
        return f"? {text}\n{indent}"
    if len(keys) < _KEYS_KEPT:
        keys[key] = text
    return text


def _literal(s: str, indent: str) -> str:
    """`|` block: strip (`-`), clip or keep (`+`) the final line breaks; an explicit
    indentation when the first line starts with a space or tab, or is empty."""
    chomp = "-" if s[-1] != "\n" else "+" if s.endswith("\n\n") else ""
    lines = (s[:-1] if s[-1] == "\n" else s).split("\n")
    head = "|2" + chomp if s[0] in " \t\n" else "|" + chomp
    return head + "".join(f"\n{indent}{line}" if line else "\n" for line in lines)


def _double(s: str) -> str:
    return '"' + _ESCAPED.sub(_escape, s.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:  # not text: UTF-8 cannot carry it, nor libyaml read it back
        raise ValueError(f"cannot write a lone surrogate (U+{code:04X}) as YAML")
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def _float(value: float) -> str:
    """As PyYAML writes a float: YAML 1.1 wants a '.' in it, and .inf / .nan spelt so."""
    if value != value:
        return ".nan"
    if value in (math.inf, -math.inf):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
