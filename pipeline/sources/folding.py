"""Fold away what a reply carries besides its own words: quoted earlier messages,
signature disclaimers and virus-scan notices, each replaced by a marker line.

The shapes are those WhatDoTheyKnow (Alaveteli) folds, checked against its own
examples (`email-folding-example-N.txt` -> `.expected` in the shared mail corpus):
- a quoted message to the end: "On <date>, <name>\\n<address> wrote:" (wrapped),
  Lotus-style ">>> Name <address> dd/mm/yyyy hh:mm >>>", "-----Original Message-----",
  "---- Forwarded message ----" and the like;
- quoted lines ("> ...") and a lone "On ... wrote:" line;
- a disclaimer framed by score lines (8 or more -, _, * or #) that names what
  disclaimers name (confidential, virus, intended recipient, monitored ...);
- the Government Secure Intranet notices.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex as re

MARKER = "FOLDED_QUOTED_SECTION"
# A score line thousands of characters long makes the disclaimer patterns slow (their
# cost grows with the square of a run's length): a fold that runs over this is skipped.
TIMEOUT = 1.0  # seconds per fold
_CUES = (r"disclaimer:\n|confidential|received\sthis\semail\sin\serror|virus|intended\s+recipient|"
         r"monitored\s+centrally|intended\s+(?:for\s+|only\s+for\s+use\s+by\s+)the\s+addressee|"
         r"routinely\s+monitored|MessageLabs|unauthorised\s+use")


@dataclass(frozen=True)
class Fold:
    name: str
    pattern: re.Pattern
    once: bool = False  # only the first such block (a disclaimer frame is folded once per score character)


def _score(char: str) -> str:
    return rf"(?:[{re.escape(char)}]\s*){{8,}}"


def _disclaimer(char: str) -> re.Pattern:
    score = _score(char)
    return re.compile(
        rf"(?:Disclaimer\s+)?\s*{score}\n(?:(?!{score}\n).)*?(?:{_CUES}).*?(?:{score}|\Z)",
        re.I | re.S | re.M)


FOLDS = [
    Fold("lotus_header_quote", re.compile(
        r"^>>>.* \d\d/\d\d/\d\d\d\d\s+\d\d:\d\d(?::\d\d)?\s*>>>\n.*", re.S | re.M)),
    Fold("wrapped_wrote_line", re.compile(r"^ On [^\n]+\n\s*<[^>\n]+> (?:wrote|said):\s*\n.*", re.S | re.M)),
    Fold("quoted_line", re.compile(r"^>.*\n", re.M)),
    Fold("wrote_line", re.compile(r"^On .+ (?:wrote|said):\n", re.M)),
    *[Fold(f"disclaimer_{c}", _disclaimer(c), once=True) for c in "-_*#"],
    Fold("gsi_scan_notice", re.compile(
        r"^[^\n]+Government\s+Secure\s+Intranet\s+virus\s+scanning.*?virus\sfree\.", re.I | re.S | re.M)),
    Fold("gsi_monitoring_notice", re.compile(
        r"^Communications\s+via\s+the\s+GSi\s+.*?legal\spurposes\.", re.I | re.S | re.M)),
    Fold("original_message", re.compile(
        r"(?:----* This is a copy of the message, including all the headers\. ----*|----*\s*Original Message\s*----*"
        r"|----*\s*Forwarded message.+----*|----*\s*Forwarded by.+----*)\n.*", re.I | re.S | re.M)),
]


def fold(text: str, marker: str = MARKER, skipped: list[str] | None = None) -> str:
    """`text` with each folded block replaced by `marker` on a line of its own. A fold
    that runs over its time is left undone and named in `skipped`."""
    replacement = f"\n{marker}\n"
    for f in FOLDS:
        try:
            text = f.pattern.sub(lambda _: replacement, text, count=1 if f.once else 0, timeout=TIMEOUT)
        except TimeoutError:
            if skipped is not None:
                skipped.append(f.name)
    return text
