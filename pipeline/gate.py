"""Scan a document once for all of a category's rules, then run each rule only where it can match.

Each rule's regex is rewritten as a looser pattern for hyperscan, which matches a whole
set of patterns in one pass over a text at hundreds of MB/s: look-arounds are dropped,
a back-reference stands for any text, `^` and `$` match at every line, long counted
repeats lose their upper bound. Wherever the regex matches, its loose pattern matches.
One scan of a document tells, for each rule, which blocks of lines its loose pattern
matched in (rules whose matches stay on one line: `Rule.one_line`), or whether it matched
anywhere (the other rules). `Rule.finditer` then runs the rule's own regex over just
those blocks, or not at all, and finds exactly what a scan of the whole text finds.
A scan of one of the other rules cut short at `end` reads text[:end] as a text that ends
there (a look-ahead sees the end): it is gated by a scan of text[:end] instead, shared by
the category's rules asked about the same end.

The loose pattern only matches more if hyperscan reads the text's characters as the
`regex` module does. The rewrite spells every character class out as the characters of
`SAFE` the `regex` module puts in it, case variants included; a text holding a character
outside `SAFE` (a letter beyond ASCII, say) is scanned the exact way. So is every text
when hyperscan is not installed (it builds for x86-64 only), is not an engine the tests
vouch for (TRUSTED_ENGINES), or FOI_EXTRACT_GATE=0.

Compiling takes a few seconds for all categories, in a thread of its own (until it is
done, rules scan the exact way); the compiled databases are kept on disk, named by a hash
of what went in: FOI_EXTRACT_GATE_CACHE (default $XDG_CACHE_HOME/foi-extract/gate, or
~/.cache/...; "0": none) holds the newest few.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import re
import re._constants as sre
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from pipeline.literals import Unreadable, parse

try:
    import hyperscan
except ImportError:  # not built for this platform: every rule scans the exact way
    hyperscan = None

# Engines whose scans the tests vouch for: vectorscan 5.4.12 (hyperscan wheels 0.7.23 on)
# misses matches on AVX-512 machines (`:[ \t]*\n` after 15 characters, for one).
TRUSTED_ENGINES = ("5.4.11",)
MAX_COUNT = 16  # a counted repeat above this keeps its lower bound only (cheaper to compile)
BLOCK = 1024  # characters of whole lines scanned as one block for the one-line rules
CUT = 512  # a scan cut short at its end, of at least this many characters, is gated by a scan up to there
KEEP_DATABASES = 32  # compiled databases kept on disk
_FLAGS = ("PREFILTER", "UTF8", "SINGLEMATCH", "ALLOWEMPTY", "MULTILINE")  # MULTILINE: `^` `$` at every line
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_FLAGS_READ = re.IGNORECASE | re.DOTALL | re.MULTILINE | re.VERBOSE | re.UNICODE
_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
               sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}
_START = re.compile(rb"(?<!\[)\^")  # a `^` anchor in a loose pattern (`[^` negates a class)
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P?<(?![=!])\w+>")


def _safe_characters() -> str:
    """ASCII, and the punctuation, symbols and spaces beyond it that are neither word
    characters nor cased, so that `\\b` and case read them alike in both engines."""
    ranges = [(0x80, 0x100), (0x2000, 0x2070), (0x20A0, 0x20D0), (0x2100, 0x2200), (0x2190, 0x2800),
              (0x3000, 0x3001), (0xFEFF, 0xFF00)]
    wide = "".join(chr(c) for lo, hi in ranges for c in range(lo, hi))
    word = regex.compile(r"[\w\d]")
    return "".join(map(chr, range(0x80))) + "".join(
        sorted({c for c in wide if not word.match(c) and c.lower() == c == c.upper() == c.casefold()}))


SAFE = _safe_characters()
_UNSAFE = re.compile("[^" + "".join(f"\\U{ord(c):08x}" for c in SAFE) + "]")


@lru_cache(maxsize=1)
def engine_trusted() -> bool:
    """Whether hyperscan is installed, and an engine the tests vouch for."""
    if hyperscan is None:
        return False
    probe = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    probe.compile(expressions=[b"x"])
    return re.search(rb"Version: ([\d.]+)", probe.info()).group(1).decode() in TRUSTED_ENGINES


def readable(text: str) -> bool:
    """Whether every character of `text` is one the loose patterns read as the regex does."""
    return text.isascii() or _UNSAFE.search(text) is None


class Untranslatable(Exception):
    """The regex uses something the loose pattern cannot stand for."""


# --------------------------------------------------------------------------- loose patterns
def loose_pattern(source: str, ignore_case: bool) -> str:
    """A hyperscan pattern (case-sensitive, UTF-8) matching at least wherever `source`
    matches in a text of SAFE characters. Raises Untranslatable."""
    if "\\L<" in source:
        raise Untranslatable("named lists")
    parsed = _parse(source, ignore_case)
    if parsed.getwidth()[0] == 0:
        raise Untranslatable("can match the empty string")
    flags = parsed.state.flags
    if flags & ~_FLAGS_READ:
        raise Untranslatable("flags")
    return _sequence(parsed, flags, lead=True, tail=True)


def _parse(source: str, ignore_case: bool):
    try:
        return parse(source, ignore_case)
    except Unreadable as e:
        # the regex module allows one name on several groups; without back-references
        # the loose pattern needs no names
        if "redefinition of group name" not in str(e) or re.search(r"\(\?P=|\\\d", source):
            raise Untranslatable(str(e)) from None
    try:
        return parse(_NAMED_GROUP.sub("(?:", source), ignore_case)
    except Unreadable as e:
        raise Untranslatable(str(e)) from None


def _sequence(items, flags: int, lead: bool = False, tail: bool = False) -> str:
    """`items` loosened. `lead`: they start where the match does, so one look-behind before
    their first character can stand as the text it reads there, ahead of the anchors at
    that place (the widest look-behind; the others read that same place and are dropped);
    inside the first item only when nothing stands before it. `tail`: likewise one
    look-ahead after their last character."""
    items = list(items)
    consuming = [i for i, (op, _) in enumerate(items) if op not in _ZERO_WIDTH]
    first, last = (consuming[0], consuming[-1]) if consuming else (len(items), -1)
    behind = _widest(av[1] for op, av in items[:first] if op is sre.ASSERT and av[0] < 0) if lead else None
    ahead = _widest(av[1] for op, av in items[last + 1:] if op is sre.ASSERT and av[0] > 0) if tail else None
    return ((_sequence(behind, flags, lead=True) if behind is not None else "")
            + "".join(_item(op, av, flags, lead and behind is None and i == 0,
                            tail and ahead is None and i == len(items) - 1) for i, (op, av) in enumerate(items))
            + (_sequence(ahead, flags, tail=True) if ahead is not None else ""))


def _widest(looks):
    return max(looks, key=lambda look: look.getwidth()[0], default=None)


def _item(op, av, flags: int, lead: bool, tail: bool) -> str:
    if op is sre.LITERAL and not flags & re.IGNORECASE:
        return _char(av)
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN):
        return _characters(_class_source(op, av), bool(flags & re.IGNORECASE))
    if op is sre.ANY:
        return "(?s:.)" if flags & re.DOTALL else "[^\\n]"
    if op is sre.AT:
        return _at(av)
    if op is sre.SUBPATTERN:
        _, add, remove, inner = av
        if (add | remove) & ~_FLAGS_READ:
            raise Untranslatable("flags")
        return "(?:" + _sequence(inner, (flags | add) & ~remove, lead, tail) + ")"
    if op in _REPEATS:
        lo, hi, inner = av
        if not (len(inner) == 1 and inner[0][0] in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)):
            lo, hi = min(lo, 1), hi if hi <= 1 else sre.MAXREPEAT  # hyperscan unrolls counted groups
        if lo > MAX_COUNT:
            lo, hi = MAX_COUNT, sre.MAXREPEAT
        if hi > MAX_COUNT:
            hi = sre.MAXREPEAT
        count = "{%d,}" % lo if hi == sre.MAXREPEAT else "{%d,%d}" % (lo, hi)
        return "(?:" + _sequence(inner, flags) + ")" + count
    if op is sre.ATOMIC_GROUP:
        return "(?:" + _sequence(av, flags, lead, tail) + ")"
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(alt, flags, lead, tail) for alt in av[1]) + ")"
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return ""  # a look-around only narrows where the regex matches (the lead's and tail's: above)
    if op is sre.GROUPREF:
        return "(?s:.)*"  # the text a group matched: some text
    if op is sre.GROUPREF_EXISTS:
        _, yes, no = av
        return "(?:" + _sequence(yes, flags) + "|" + (_sequence(no, flags) if no else "") + ")"
    raise Untranslatable(f"{op}")


def _at(code) -> str:
    if code in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING):
        return "^"  # (compiled MULTILINE) every line's start: more places than the regex's
    if code in (sre.AT_END, sre.AT_END_STRING):
        return "$"
    if code is sre.AT_BOUNDARY:  # word characters are ASCII ones in SAFE text, in both engines
        return "\\b"
    if code is sre.AT_NON_BOUNDARY:
        return "\\B"
    raise Untranslatable(f"{code}")


def _char(code: int) -> str:
    c = chr(code)
    return c if c.isascii() and c.isalnum() else "\\x{%x}" % code


def _class_source(op, av) -> str:
    """A `regex` class for one element matching one character (a literal or a set)."""
    if op is sre.LITERAL:
        return "[" + _escaped(av) + "]"
    if op is sre.NOT_LITERAL:
        return "[^" + _escaped(av) + "]"
    out = []
    for member, value in av:
        if member is sre.NEGATE:
            out.append("^")
        elif member is sre.LITERAL:
            out.append(_escaped(value))
        elif member is sre.RANGE:
            out.append(_escaped(value[0]) + "-" + _escaped(value[1]))
        elif member is sre.CATEGORY and value in _CATEGORIES:
            out.append(_CATEGORIES[value])
        else:
            raise Untranslatable(f"class member {member}")
    return "[" + "".join(out) + "]"


def _escaped(code: int) -> str:
    return "\\U%08x" % code


@lru_cache(maxsize=4096)
def _characters(class_source: str, ignore_case: bool) -> str:
    """The SAFE characters the `regex` module matches with one class, as a hyperscan class."""
    pattern = regex.compile(class_source, regex.VERSION0 | (regex.IGNORECASE if ignore_case else 0))
    codes = [ord(c) for c in pattern.findall(SAFE)]
    if not codes:
        return "\\x{10ffff}"  # a character no SAFE text holds
    ranges, start = [], codes[0]
    for prev, code in zip(codes, codes[1:] + [-1]):
        if code != prev + 1:
            ranges.append(_char(start) if start == prev else _char(start) + "-" + _char(prev))
            start = code
    return "[" + "".join(ranges) + "]"


# --------------------------------------------------------------------------- one category's gate
@dataclass
class Layout:
    """A text cut into blocks of whole lines and encoded for hyperscan, once for every category."""

    bounds: list[int]  # the blocks' starts, then the text's end
    pieces: list[bytes]  # each block in UTF-8
    whole: bytes  # the text in UTF-8

    @classmethod
    def of(cls, text: str) -> Layout:
        bounds = _blocks(text)
        if text.isascii():
            whole = text.encode()
            return cls(bounds, [whole[a:b] for a, b in zip(bounds, bounds[1:])], whole)
        pieces = [text[a:b].encode() for a, b in zip(bounds, bounds[1:])]
        return cls(bounds, pieces, b"".join(pieces))

    def up_to(self, text: str, end: int) -> bytes:
        """text[:end] in UTF-8."""
        return self.whole[:end] if len(self.whole) == len(text) else text[:end].encode()


@dataclass
class Fired:
    """Where a category's loose patterns matched in one text."""

    layout: Layout
    blocks: dict[int, list[int]]  # one-line rule -> the blocks its loose pattern matched in
    anywhere: set[int]  # other rules whose loose pattern matched somewhere
    up_to: dict[int, set[int]] = field(default_factory=dict)  # end -> the others matched in text[:end]


class Gate:
    """The loose patterns of a category's rules, translated and compiled on first use, in
    a thread of its own: until they are ready, rules scan the exact way (the same matches),
    so nobody waits for a compile."""

    def __init__(self, rules: list) -> None:
        self.enabled = os.environ.get("FOI_EXTRACT_GATE", "1") != "0" and engine_trusted()
        self.sources = [(r.id, r.regex, r.ignore_case, r.one_line) for r in rules if r.regex is not None]
        self.__setstate__(self.__getstate__())

    def __getstate__(self) -> dict:  # pickled to other processes without what hyperscan built
        return {"enabled": self.enabled, "sources": self.sources}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._builder: tuple[int, threading.Thread] | None = None  # (process, thread) building
        self._databases: tuple[Any, Any] | None = None
        self._places: dict[str, tuple[int, bool]] = {}  # rule id -> (place, one_line), if compiled
        self._scratch = threading.local()

    def spans(self, rule, text: str, pos: int, end: int) -> list[tuple[int, int]] | None:
        """The parts of text[pos:end] to scan with `rule` (None: all of it, the exact way)."""
        known = self._places.get(rule.id) if self.enabled else None
        if known is None:
            if self.enabled and self._databases is None:
                self.ready()  # the first text read starts the build
            return None
        place, one_line = known
        cut = not one_line and end < len(text)  # the regex reads text[:end], whose end may add matches
        if cut and end - pos < CUT:
            return None
        fired = _fired(self, text)
        if fired is None:
            return None
        if not one_line:
            return [(pos, end)] if place in (self._up_to(text, fired, end) if cut else fired.anywhere) else []
        blocks = fired.blocks.get(place)
        if blocks is None and (end >= len(text) or text[end - 1] == "\n"):
            return []  # nowhere, and no line cut short by `end`
        return _line_spans(text, fired, blocks or [], pos, end)

    def scan(self, text: str, layout: Layout | None = None) -> Fired:
        lines, anywhere = self._databases
        scratch = self._scratches()
        layout = layout or Layout.of(text)
        blocks: dict[int, list[int]] = {}
        if lines is not None:
            def on_line(place, _from, _to, _flags, block):
                blocks.setdefault(place, []).append(block)
            for block, piece in enumerate(layout.pieces):
                lines.scan(piece, on_line, context=block, scratch=scratch[0])
        found: set[int] = set()
        if anywhere is not None:
            anywhere.scan(layout.whole, lambda place, *_: found.add(place), scratch=scratch[1])
        return Fired(layout, blocks, found)

    def _up_to(self, text: str, fired: Fired, end: int) -> set[int]:
        """The rules not one-line whose loose pattern matches in text[:end] (a text of its own,
        which ends there), kept for the other rules asked about the same end."""
        found = fired.up_to.get(end)
        if found is None:
            found = fired.up_to[end] = set()
            _, anywhere = self._databases
            if anywhere is not None:
                anywhere.scan(fired.layout.up_to(text, end), lambda place, *_: found.add(place),
                              scratch=self._scratches()[1])
        return found

    def ready(self) -> bool:
        """Whether the databases are built; starts building them if nobody has."""
        if self._databases is None and (self._builder is None or self._builder[0] != os.getpid()):
            with self._lock:  # held only to start one builder per process (a fork has none running)
                if self._builder is None or self._builder[0] != os.getpid():
                    self._builder = (os.getpid(), threading.Thread(target=self._build, daemon=True,
                                                                   name="foi-extract gate"))
                    self._builder[1].start()
        return self._databases is not None

    def wait(self) -> None:
        """Build the databases now (tests and benchmarks want the gate from the start)."""
        if self.enabled and not self.ready():
            self._builder[1].join()

    def _build(self) -> None:
        try:  # Linux: this thread only, so documents go first while it compiles
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except (AttributeError, OSError):
            pass
        patterns: tuple[dict[int, str], dict[int, str]] = ({}, {})  # one-line rules', the others'
        try:
            for place, (_, source, ignore_case, one_line) in enumerate(self.sources):
                try:
                    patterns[not one_line][place] = loose_pattern(source, ignore_case)
                except Untranslatable:
                    continue
            built = [_database(p) for p in patterns]
        except Exception:  # noqa: BLE001 - a regex too deep to read, no memory: the exact way is always right
            return
        self._places = {rule_id: (place, one_line) for place, (rule_id, _, _, one_line) in enumerate(self.sources)
                        if place in built[0][1] | built[1][1]}
        self._databases = (built[0][0], built[1][0])

    def _scratches(self) -> tuple[Any, Any]:
        kept = getattr(self._scratch, "pair", None)
        if kept is None:
            kept = self._scratch.pair = tuple(db and hyperscan.Scratch(db) for db in self._databases)
        return kept


def _blocks(text: str) -> list[int]:
    bounds, start = [0], 0
    while start < len(text):
        cut = text.find("\n", start + BLOCK) + 1
        start = cut if cut > 0 else len(text)
        bounds.append(start)
    return bounds


def _line_spans(text: str, fired: Fired, blocks: list[int], pos: int, end: int) -> list[tuple[int, int]]:
    """The fired blocks within [pos, end), joined where they touch, and the line `end` cuts
    (its regex reads a shorter line than the loose pattern did)."""
    bounds, spans = fired.layout.bounds, []
    first = bisect.bisect_right(bounds, pos) - 1
    for block in blocks[bisect.bisect_left(blocks, first):]:
        a, b = max(bounds[block], pos), min(bounds[block + 1], end)
        if a >= end:
            break
        if spans and spans[-1][1] == a:
            spans[-1] = (spans[-1][0], b)
        elif a < b:
            spans.append((a, b))
    if end < len(text) and text[end - 1] != "\n":
        a = max(text.rfind("\n", 0, end - 1) + 1, pos)
        if spans and spans[-1][1] >= a:
            spans[-1] = (spans[-1][0], end)
        elif a < end:
            spans.append((a, end))
    return spans


@dataclass
class _Reading:
    """The text a thread reads, as the gates see it."""

    text: str
    readable: bool
    fired: dict[Gate, Fired]
    layout: Layout | None = None  # every category's gate reads the same blocks


_here = threading.local()  # the _Reading of the text being read, per thread


def _fired(gate: Gate, text: str) -> Fired | None:
    kept = getattr(_here, "kept", None)
    if kept is None or kept.text is not text:
        kept = _here.kept = _Reading(text, readable(text), {})
    if not kept.readable:
        return None
    fired = kept.fired.get(gate)
    if fired is None and gate.ready():
        kept.layout = kept.layout or Layout.of(text)
        fired = kept.fired[gate] = gate.scan(text, kept.layout)
    return fired


# --------------------------------------------------------------------------- compiling
def _database(patterns: dict[int, str]) -> tuple[Any, frozenset[int]]:
    """A block-mode database of `patterns` (by id) and the ids it holds (hyperscan refuses
    a few patterns), from the disk cache when it is there."""
    if not patterns:
        return None, frozenset()
    flags = 0
    for name in _FLAGS:
        flags |= getattr(hyperscan, f"HS_FLAG_{name}")
    key = hashlib.sha256(repr((hyperscan.__version__, flags, sorted(patterns.items()))).encode()).hexdigest()
    cache = _cache_dir()
    path = cache / f"{key}.hsdb" if cache is not None else None
    try:
        held, _, data = path.read_bytes().partition(b"\n")
        database = hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
        os.utime(path)  # recently used: pruned last
        return database, frozenset(int(i) for i in held.split())
    except (AttributeError, OSError, ValueError, hyperscan.error):
        pass  # no cache, not there yet, a torn file or another hyperscan's: compile anew
    database, held = _compile({place: p.encode() for place, p in patterns.items()}, flags)
    if path is not None and database is not None:
        _store(path, " ".join(map(str, sorted(held))).encode() + b"\n" + hyperscan.dumpb(database))
    return database, held


def _compile(patterns: dict[int, bytes], flags: int) -> tuple[Any, frozenset[int]]:
    def compiled(chosen: dict[int, bytes]) -> Any:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=list(chosen.values()), ids=list(chosen), flags=flags)
        return database

    try:
        return compiled(patterns), frozenset(patterns)
    except hyperscan.error:  # a pattern hyperscan refuses, as a whole or with `^` inside it
        pass
    kept = {}
    for place, pattern in patterns.items():
        for tried in (pattern, _START.sub(b"", pattern)):  # without `^`: more places
            try:
                compiled({place: tried})
            except hyperscan.error:
                continue
            kept[place] = tried
            break
    return (compiled(kept) if kept else None), frozenset(kept)


def _cache_dir() -> Path | None:
    where = os.environ.get("FOI_EXTRACT_GATE_CACHE")
    if where is not None:
        return Path(where) if where not in ("", "0") else None
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "foi-extract" / "gate"


def _store(path: Path, data: bytes) -> None:
    """Write atomically (other processes may read it), keeping the newest KEEP_DATABASES."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        part.write_bytes(data)
        os.replace(part, path)
        kept = sorted(path.parent.glob("*.hsdb"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP_DATABASES:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk: compile again next time
