"""What every match of a rule's regex must hold, read from the regex itself.

`(?m)^[ \\t]*(?:Yours|Kind)[ \\t]+regards` can only match where a line starts with
"yours" or "kind" (compared lower-cased). A regex's shape lists such `options`, sets of
anchors one of which every match holds, each anchor saying where its literal stands
from the match's start (an offset range, a number of newlines down, first on its line);
and whether a match can span lines at all (`one_line`). pipeline/prefilter.py uses the
shape to try a rule only where it can match.

The regex is read with Python's own parser (`re._parser`), which reads the syntax the
rules use the same way as the `regex` module (VERSION0). A regex it cannot read, or
reads as something else (fuzzy braces, nested sets), or that can match the empty
string gets no shape and is scanned whole.
"""
from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

UNBOUNDED = 1 << 30  # widths at least this large are unbounded (`*`, `+`)
MAX_SPREAD = 8  # an anchor at most this far from a fixed start places the match
MAX_REPEATED_CHARS = 16  # `-{10,}` anchors on ten dashes; more add nothing
# A brace that is no counted repeat is the `regex` module's fuzzy matching, which
# Python's parser would read as a literal brace.
_NOT_A_REPEAT = re.compile(r"\{(?!\d*(?:,\d*)?\})")
_LINE_STARTS = {sre.AT_BEGINNING, sre.AT_BEGINNING_STRING, sre.AT_BEGINNING_LINE}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_NEWLINE_CATEGORIES = {sre.CATEGORY_SPACE, sre.CATEGORY_NOT_DIGIT, sre.CATEGORY_NOT_WORD,
                       sre.CATEGORY_LINEBREAK, sre.CATEGORY_UNI_SPACE, sre.CATEGORY_UNI_NOT_DIGIT,
                       sre.CATEGORY_UNI_NOT_WORD, sre.CATEGORY_UNI_LINEBREAK}
# rough shares of characters in English prose (the rest: letters and digits 0.02, marks 0.003)
_CHAR_SHARES = {" ": 0.15, "e": 0.1, **dict.fromkeys("taoinshr", 0.06), **dict.fromkeys(",.\n", 0.015)}


@dataclass(frozen=True)
class Anchor:
    literal: str  # lower-cased
    lo: int  # least offset of the literal from the match's start
    hi: int | None  # greatest offset (None: unbounded)
    lines: int | None  # newlines between the match's start and the literal (None: not fixed)
    line_start: bool  # the match starts where a line starts
    head: frozenset[str] | None = None  # the literal is first on its line after these blanks

    @property
    def placed(self) -> bool:
        """Whether the match's possible starts follow from where the literal stands."""
        return (self.line_start and self.lines is not None) or (
            self.hi is not None and self.hi - self.lo <= MAX_SPREAD)


Option = tuple  # of Anchor: every match holds one of them


@dataclass(frozen=True)
class Shape:
    options: tuple[Option, ...]
    one_line: bool  # nothing in the regex, look-arounds included, can match a newline


class Unreadable(Exception):
    """A regex Python's own parser cannot read the way the `regex` module reads it."""


def parse(source: str, ignore_case: bool) -> sre_parse.SubPattern:
    """A rule's regex as Python's own parser reads it; raises Unreadable where that parser
    would read it otherwise than the `regex` module, or not at all."""
    if _NOT_A_REPEAT.search(source):
        raise Unreadable("fuzzy matching (the regex module's {e<=1}), which Python reads as a brace")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "possible nested set": the `regex` module reads it otherwise
        try:
            return sre_parse.parse(source, re.IGNORECASE if ignore_case else 0)
        except (re.error, Warning, RecursionError, OverflowError) as e:
            raise Unreadable(str(e)) from None


@lru_cache(maxsize=None)
def shape_of(source: str, ignore_case: bool) -> Shape | None:
    """The shape of a regex, or None when it cannot be read or may match the empty string."""
    try:
        parsed = parse(source, ignore_case)
    except Unreadable:
        return None
    if parsed.getwidth()[0] == 0:
        return None
    flags = parsed.state.flags
    options = tuple(tuple(o) for o in _options(parsed, flags))
    return Shape(options, not reaches_newline(parsed, flags)) if options else None


def frequency(literal: str) -> float:
    """A rough share of text positions where `literal` starts (lower-cased English text)."""
    share = 1.0
    for c in literal[:6]:
        share *= _CHAR_SHARES.get(c, 0.02 if c.isalnum() else 0.003)
    return share


def rarest(options: list, keep: Callable[[Anchor], bool] = lambda a: True) -> list | None:
    """The option expected to occur least among those whose anchors all pass `keep`."""
    kept = [o for o in options if all(keep(a) for a in o)]
    return min(kept, key=lambda o: sum(frequency(a.literal) for a in o), default=None)


# --------------------------------------------------------------------------- options
def _options(items: Any, flags: int) -> list[list[Anchor]]:
    """Anchor sets of a sequence, relative to its start."""
    items = list(items)
    options: list[list[Anchor]] = []
    run, run_start = "", 0

    def flush() -> None:
        if run:
            options.append([_seen_after(Anchor(run, 0, 0, 0, False), items[:run_start], flags)])

    for i, (op, av) in enumerate(items):
        char = _one_char(op, av, flags)
        if char is not None:
            run, run_start = (run + char, run_start) if run else (char, i)
            continue
        repeated = _repeated_char(op, av, flags)
        if repeated is not None:
            run, run_start = (run + repeated, run_start) if run else (repeated, i)
            if av[0] == av[1]:
                continue
        elif run and op is sre.BRANCH:  # "w(?:ould|ill)": the run goes on into each alternative
            leads = [_lead(alternative, flags) for alternative in av[1]]
            if all(leads):
                options.append([_seen_after(Anchor(run + lead, 0, 0, 0, False), items[:run_start], flags)
                                for lead in leads])
        flush()
        run = ""
        options += [[_seen_after(a, items[:i], flags) for a in option] for option in _inner(op, av, flags)]
    flush()
    return options


def _inner(op: Any, av: Any, flags: int) -> list[list[Anchor]]:
    """Anchor sets inside one compound element, relative to its start."""
    if op is sre.SUBPATTERN:
        return _options(av[3], (flags | av[1]) & ~av[2])
    if op is sre.ATOMIC_GROUP:
        return _options(av, flags)
    if op in _REPEATS and av[0] >= 1:
        return _options(av[2], flags)
    if op is sre.ASSERT and av[0] == 1:  # a lookahead's text starts where it stands
        return _options(av[1], flags)
    if op is sre.BRANCH:  # one set per alternative, joined: the rarest, the rarest placing, ...
        per_alternative = [_options(alternative, flags) for alternative in av[1]]
        joined = []
        for keep in (lambda a: True, lambda a: a.placed, lambda a: a.head is not None):
            chosen = [rarest(o, keep) for o in per_alternative]
            if all(chosen):
                joined.append([a for option in chosen for a in option])
        return joined
    return []


def _lead(items: Any, flags: int) -> str:
    """The literal an alternative starts with."""
    lead = ""
    for op, av in items:
        char = _one_char(op, av, flags)
        if char is None:
            break
        lead += char
    return lead


def _seen_after(anchor: Anchor, prefix: list, flags: int) -> Anchor:
    """`anchor` (found in an element) seen from the start of the sequence, `prefix` before it."""
    lo, hi = _width(prefix)
    newlines = _newlines(prefix, flags)
    at_start = anchor.lo == 0 and anchor.hi == 0  # nothing before the literal inside its element
    head = anchor.head
    if at_start and head is None:
        head = _blanks_before(prefix, flags)
        head = head if head is not None and anchor.literal[0] not in head else None
    line_start = bool(prefix) and prefix[0][0] is sre.AT and prefix[0][1] in _LINE_STARTS
    return Anchor(anchor.literal, anchor.lo + lo, None if hi is None or anchor.hi is None else anchor.hi + hi,
                  None if newlines is None or anchor.lines is None else anchor.lines + newlines,
                  line_start or (hi == 0 and anchor.line_start), head)


def _blanks_before(prefix: list, flags: int) -> frozenset[str] | None:
    """The characters of the blank runs that end `prefix`, when a line start or a newline
    stands before them (so what follows is first on its line); else None."""
    blanks: set[str] = set()
    for i in range(len(prefix) - 1, -1, -1):
        op, av = prefix[i]
        if op is sre.LITERAL and av == 10:
            return frozenset(blanks)
        if op is sre.AT and av in _LINE_STARTS and i == 0:
            return frozenset(blanks)
        chars = _blank_chars(op, av, flags)
        if chars is None:
            return None
        blanks |= chars
    return None


def _blank_chars(op: Any, av: Any, flags: int) -> set[str] | None:
    """The characters of an optional or repeated run like `[ \\t]*`, if they can be listed
    (no newline, no letters that case could change)."""
    if op not in _REPEATS or len(av[2]) != 1:
        return None
    inner_op, inner = av[2][0]
    codes = [inner] if inner_op is sre.LITERAL else (
        [c for o, c in inner] if inner_op is sre.IN and all(o is sre.LITERAL for o, _ in inner) else None)
    if codes is None:
        return None
    chars = {chr(c) for c in codes}
    if "\n" in chars or any(c.lower() != c.upper() for c in chars):
        return None
    return chars


def _one_char(op: Any, av: Any, flags: int) -> str | None:
    """The lower-cased character an element matches, if it matches one only (up to case)."""
    if op is sre.LITERAL:
        return _folded(chr(av), flags)
    if op is sre.IN and all(o is sre.LITERAL for o, _ in av):
        chars = {_folded(chr(c), flags) for _, c in av}
        return chars.pop() if len(chars) == 1 else None
    return None


def _folded(char: str, flags: int) -> str | None:
    if flags & re.IGNORECASE and not char.isascii() and char.lower() != char.upper():
        return None  # non-ASCII case folding is not lower()
    return char.lower()


def _repeated_char(op: Any, av: Any, flags: int) -> str | None:
    if op not in _REPEATS or av[0] < 1 or len(av[2]) != 1:
        return None
    char = _one_char(*av[2][0], flags)
    return char * min(av[0], MAX_REPEATED_CHARS) if char is not None else None


def _width(items: list) -> tuple[int, int | None]:
    if not items:
        return 0, 0
    lo, hi = sre_parse.SubPattern(sre_parse.State(), list(items)).getwidth()
    return lo, None if hi >= UNBOUNDED else hi


def _newlines(items: list, flags: int) -> int | None:
    """How many newlines `items` always match, or None when that is not fixed."""
    count = 0
    for op, av in items:
        if op is sre.LITERAL and av == 10:
            count += 1
        elif reaches_newline([(op, av)], flags):
            return None
    return count


# --------------------------------------------------------------------------- newlines
def reaches_newline(items: Any, flags: int) -> bool:
    """Whether any element (look-arounds included) can match or look past a newline, or
    reads the text's end in a way a line scanned alone would change (`$` without (?m), \\Z)."""
    for op, av in items:
        if op is sre.LITERAL:
            hit = av == 10
        elif op is sre.NOT_LITERAL:
            hit = av != 10
        elif op is sre.ANY:
            hit = bool(flags & re.DOTALL)
        elif op is sre.IN:
            hit = _class_has_newline(av)
        elif op is sre.AT:
            hit = av is sre.AT_END_STRING or (av is sre.AT_END and not flags & re.MULTILINE)
        elif op is sre.SUBPATTERN:
            hit = reaches_newline(av[3], (flags | av[1]) & ~av[2])
        elif op in _REPEATS:
            hit = av[1] > 0 and reaches_newline(av[2], flags)
        elif op is sre.ATOMIC_GROUP:
            hit = reaches_newline(av, flags)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            hit = reaches_newline(av[1], flags)
        elif op is sre.BRANCH:
            hit = any(reaches_newline(alt, flags) for alt in av[1])
        else:  # group references and the like: assume the worst
            hit = True
        if hit:
            return True
    return False


def _class_has_newline(members: list) -> bool:
    negate = bool(members) and members[0][0] is sre.NEGATE
    has = any((op is sre.LITERAL and av == 10) or (op is sre.RANGE and av[0] <= 10 <= av[1])
              or (op is sre.CATEGORY and av in _NEWLINE_CATEGORIES)
              for op, av in (members[1:] if negate else members))
    return has != negate
