"""The multi-pattern gate: a rule run only where its loose pattern matched finds exactly
what a scan of the whole text finds."""
from __future__ import annotations

import pickle
import threading
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import gate as gate_module
from pipeline.examples import parse
from pipeline.gate import Gate, loose_pattern, readable
from pipeline.rules import Rule, _one_line, load_rules

from conftest import RAW, RULES

ALL_RULES = load_rules(RULES)
REGEX_RULES = [r for r in ALL_RULES.all_rules() if r.compiled is not None]
for _rule in REGEX_RULES:
    _rule.gate.wait()  # the gate from the first document on (it builds in a thread of its own)
needs_engine = pytest.mark.skipif(not gate_module.engine_trusted(), reason="no trusted hyperscan here")


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FOI_EXTRACT_GATE_CACHE", str(tmp_path / "gate-cache"))


def spans(matches) -> list[tuple[int, int, tuple]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]


def same_as_scan(text: str, rules=REGEX_RULES, start: int = 0, end: int | None = None) -> None:
    end = len(text) if end is None else end
    for rule in rules:
        assert spans(rule.finditer(text, start, end)) == spans(rule.compiled.finditer(text, start, end)), rule.id


def one_rule(source: str) -> Rule:
    """A rule as a rule file would give it, alone in its category."""
    rule = Rule(id="test.rule", category="test", file=Path("rules/test.yaml"), line=1, regex=source,
                compiled=regex.compile(source, regex.VERSION0), one_line=_one_line(source, False))
    rule.gate = Gate([rule])
    rule.gate.wait()
    return rule


def gated(rule: Rule, text: str) -> bool:
    return rule.gate.spans(rule, text, 0, len(text)) is not None


# --------------------------------------------------------------------------- same matches
@needs_engine
@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name)
def test_every_rule_finds_on_real_documents_what_a_scan_finds(path):
    text = path.read_text()
    same_as_scan(text)
    third = len(text) // 3
    same_as_scan(text, start=third, end=third + 3000)  # a window that cuts lines
    same_as_scan(text, start=third, end=text.find("\n", third) + 1)  # one ending at a line's end


@needs_engine
def test_a_rule_on_one_line_is_scanned_only_in_the_blocks_where_it_can_match():
    rule = one_rule(r"(?m)^Our ref: (\d+)$")
    text = "Dear Sir,\n" + "Thank you for your letter.\n" * 200 + "Our ref: 1234\n" + "More.\n" * 200
    (start, end), = rule.gate.spans(rule, text, 0, len(text))
    assert end - start < len(text) // 4
    assert [m.group(1) for m in rule.finditer(text)] == ["1234"]


@needs_engine
def test_a_rule_whose_loose_pattern_is_nowhere_is_not_run():
    rule = one_rule(r"(?i)\bsection\s+40\b")
    assert rule.gate.spans(rule, "We hold no information.\n" * 50, 0, 1200) == []


@needs_engine
def test_a_look_behind_before_the_match_counts_as_text_it_reads():
    rule = one_rule(r"(?<=\bapproximately\s)\d+")
    assert rule.gate.spans(rule, "We received 40 requests.\n", 0, 25) == []
    assert [m.group() for m in rule.finditer("We received approximately 40 requests.\n")] == ["40"]


def test_look_behinds_at_one_place_are_not_read_one_after_the_other():
    # both end where the match starts: " x y" is not what the text needs to hold
    assert loose_pattern(r"(?<= )(?<=x )y", False) == "x\\x{20}y"
    rule = one_rule(r"(?<= )(?<=x )y")
    assert [m.span() for m in rule.finditer("x y\n")] == [(2, 3)]


@needs_engine
def test_an_anchor_after_a_group_stays_before_the_look_ahead_closing_the_group():
    rule = one_rule(r"\b(?:quoting|citing(?=\s+sect))\b")  # the \b stands before "sect", not after
    assert [m.group() for m in rule.finditer("citing sections 40 and 41")] == ["citing"]


@needs_engine
def test_a_scan_cut_short_is_gated_by_what_the_text_holds_up_to_its_end():
    rule = one_rule(r"applies\s+to\s+\d+\b")  # \s: not one-line
    filler = "We considered your request under the Act.\n" * 20
    text = filler + "This exemption applies to 40x of them.\n" + filler
    cut = text.index("40x") + 2  # "... applies to 40" ends there: \b holds at the end
    assert rule.gate.spans(rule, text, 0, len(text)) == []  # nowhere in the whole text
    assert rule.gate.spans(rule, text, 0, cut) == [(0, cut)]
    assert [m.group() for m in rule.finditer(text, 0, cut)] == ["applies to 40"]
    assert rule.gate.spans(rule, text, 0, len(filler)) == []  # not in the filler alone
    assert rule.gate.spans(rule, text, cut - 100, cut) is None  # short scans: the exact way


@pytest.mark.parametrize("text", ["Dear Sir,\n" + "We hold 12 files.\n" * 200,
                                  "Dear Sir,\n" + "We hold 12 files \u2013 all \u00a340\u2019s.\n" * 200])
def test_a_text_is_cut_into_blocks_and_encoded_once_for_every_category(text):
    layout = gate_module.Layout.of(text)
    assert len(layout.pieces) > 1 and layout.whole == b"".join(layout.pieces) == text.encode()
    assert [piece.decode() for piece in layout.pieces] == [text[a:b] for a, b in zip(layout.bounds, layout.bounds[1:])]
    assert all(layout.up_to(text, end) == text[:end].encode() for end in (0, 1, 777, len(text)))


CUT_RULES = [r"applies\s+to\s+\d+\b", r"(?i)section\s+\d+(?!\s*\()", r"\bno\s+information\s*$", r"held\s*\.(?=\s*\Z)"]
CUT_PHRASES = ["applies to 40x", "applies  to\n40", "section 40 (2)", "Section\n12 (a)", "no information",
               "no information held", "held .", "held. More", "40x", "(2)"]
FILLER = ["We", "considered", "your", "request", "under", "the", "Act", "and", "thank", "you"]
GAPS = st.sampled_from([" ", "  ", "\n", " \n "])


@needs_engine
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(FILLER), GAPS), min_size=120, max_size=200),
       st.lists(st.tuples(st.sampled_from(CUT_PHRASES), GAPS), min_size=1, max_size=6),
       st.lists(st.tuples(st.sampled_from(FILLER), GAPS), max_size=40), st.data())
def test_scans_cut_short_find_what_a_scan_of_the_text_up_to_their_end_finds(before, phrases, after, data):
    # the rules' words stand in one place, and a scan cut short there often finds the only
    # match, one the whole text does not hold ("applies to 40" of "applies to 40x")
    head = "".join(w + gap for w, gap in before)
    text = head + "".join(w + gap for w, gap in phrases + after)
    ends = [m.end() for m in regex.finditer(r"\S+", text, pos=len(head))]
    end = data.draw(st.one_of(st.sampled_from(ends), st.integers(len(head), len(text))))
    start = data.draw(st.integers(0, max(0, end - gate_module.CUT)))
    same_as_scan(text, [one_rule(source) for source in CUT_RULES], start, end)


# --------------------------------------------------------------------------- where the engines differ
@pytest.mark.parametrize("text", [
    "The café received 12 requests\n",  # a letter beyond ASCII: \w and \b differ without UCP
    "KELVIN \u212a and the long \u017f\n",  # characters that fold to ASCII letters
    "a combining e\u0301 mark\n",  # \w in the regex module, not in hyperscan
    "lone \ud800 surrogate\n",  # no UTF-8 for it
])
def test_text_the_engines_could_read_differently_is_scanned_the_exact_way(text):
    assert not readable(text)
    rule = one_rule(r"\b\w+\b")
    assert not gated(rule, text)
    assert spans(rule.finditer(text)) == spans(rule.compiled.finditer(text))


@needs_engine
@pytest.mark.parametrize("regex, text", [
    (r"\d+\s+requests", "40\u00a0requests\n"),  # a no-break space is \s to the regex module
    (r"\d+\s+requests", "40\u2009requests\n"),  # so is a thin space
    (r"(?i)\u017fection 40", "Section 40\n"),  # the long s folds to s
    (r"(?i)\u212aeep", "keep\n"),  # the Kelvin sign folds to k
    (r"[^\S\n]+40", "section\u00a040\n"),  # white space but a newline
    (r"\W40\b", "section\u201840\u2019\n"),  # curly quotes are no word characters
])
def test_punctuation_spaces_and_case_beyond_ascii_read_alike(regex, text):
    assert readable(text)
    rule = one_rule(regex)
    assert gated(rule, text)
    assert spans(rule.finditer(text)) == spans(rule.compiled.finditer(text)) != []


@needs_engine
def test_the_engine_finds_a_colon_at_the_end_of_a_line():
    rule = one_rule(r"(?m):[ \t]*$")  # vectorscan 5.4.12 misses it after 15 characters
    text = "a" * 16 + ":\n"
    assert gated(rule, text)
    assert [m.span() for m in rule.finditer(text)] == [(16, 17)]


@needs_engine
def test_a_window_that_cuts_a_word_is_scanned_where_it_ends():
    rule = one_rule(r"\b\d+\b")
    text = "line one\nref 12345 here\nline three\n"
    cut = text.index("345")
    assert [m.group() for m in rule.finditer(text, 0, cut)] == ["12"]


@pytest.mark.parametrize("source", [
    r"\p{Lu}\w+ Council",  # syntax Python's parser cannot read
    r"(?:request){e<=1}",  # fuzzy matching
    r"(?:Council)?",  # may match nothing
])
def test_regexes_it_cannot_loosen_are_scanned_the_exact_way(source):
    rule = one_rule(source)
    text = "Leeds City Council received the reqest.\n"
    assert not gated(rule, text)
    assert spans(rule.finditer(text)) == spans(rule.compiled.finditer(text))


# --------------------------------------------------------------------------- without the gate
@needs_engine
def test_until_the_databases_are_built_rules_scan_the_exact_way(monkeypatch):
    started, release = threading.Event(), threading.Event()
    compile_now = gate_module._database

    def slow_database(*args, **kwargs):
        started.set()
        release.wait()
        return compile_now(*args, **kwargs)

    monkeypatch.setattr(gate_module, "_database", slow_database)
    rule = Rule(id="test.rule", category="test", file=Path("rules/test.yaml"), line=1, regex=r"\d+",
                compiled=regex.compile(r"\d+", regex.VERSION0), one_line=True)
    rule.gate = Gate([rule])
    assert [m.group() for m in rule.finditer("12 requests\n")] == ["12"]  # starts the build
    started.wait()
    assert not gated(rule, "12 requests\n")
    release.set()
    rule.gate.wait()
    assert gated(rule, "13 requests\n")



def test_without_hyperscan_every_rule_scans_the_exact_way(monkeypatch):
    monkeypatch.setattr(gate_module, "hyperscan", None)
    gate_module.engine_trusted.cache_clear()
    try:
        rule = one_rule(r"\d+")
        assert not rule.gate.enabled and not gated(rule, "12 requests\n")
        assert [m.group() for m in rule.finditer("12 requests\n")] == ["12"]
    finally:
        gate_module.engine_trusted.cache_clear()


def test_foi_extract_gate_0_turns_it_off(monkeypatch):
    monkeypatch.setenv("FOI_EXTRACT_GATE", "0")
    rules = load_rules(RULES)
    assert not any(r.gate.enabled for r in rules.all_rules())
    text = next(iter(sorted(RAW.glob("*.txt")))).read_text()
    for on, off in zip(REGEX_RULES, (r for r in rules.all_rules() if r.compiled is not None)):
        assert spans(on.finditer(text)) == spans(off.finditer(text)), on.id


# --------------------------------------------------------------------------- building
@needs_engine
def test_compiled_databases_are_kept_on_disk_and_read_back(tmp_path):
    rule = one_rule(r"\bsection\s+\d+")
    text = "under section 40\n"
    assert [m.group() for m in rule.finditer(text)] == ["section 40"]
    kept = list((tmp_path / "gate-cache").glob("*.hsdb"))
    assert len(kept) == 1
    again = one_rule(r"\bsection\s+\d+")
    assert [m.group() for m in again.finditer(text)] == ["section 40"]
    assert list((tmp_path / "gate-cache").glob("*.hsdb")) == kept


@needs_engine
def test_a_rule_set_travels_to_another_process_without_its_databases():
    rules = pickle.loads(pickle.dumps(ALL_RULES["references"]))
    rules.rules[0].gate.wait()
    text = next(iter(sorted(RAW.glob("*.txt")))).read_text()
    for rule, original in zip(rules.rules, ALL_RULES["references"].rules):
        if rule.compiled is not None:
            assert spans(rule.finditer(text)) == spans(original.compiled.finditer(text)), rule.id


@needs_engine
def test_threads_each_read_their_own_document():
    texts = [p.read_text() for p in sorted(RAW.glob("*.txt"))[:4]]
    rules = REGEX_RULES
    expected = {i: [spans(r.compiled.finditer(t)) for r in rules] for i, t in enumerate(texts)}
    found, failures = {}, []

    def read(i):
        try:
            for _ in range(3):
                found[i] = [spans(r.finditer(texts[i])) for r in rules]
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and found == expected


# --------------------------------------------------------------------------- property
CORPUS_LINES = sorted({ln for p in sorted(RAW.glob("*.txt")) for ln in p.read_text().splitlines()}
                      | {parse(ex)[0] for r in REGEX_RULES for kind in ("match", "no_match")
                         for _, ex in r.examples.get(kind, [])})
ODD = ["\u00a0", "\u2009", "’", "“", "–", "£", "é", "\u017f", "\u212a", "\u0301", "İ", "\t", "  ", "\n", ":", "0"]


@needs_engine
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(CORPUS_LINES), st.sampled_from(ODD),
                          st.text(alphabet=st.sampled_from("ab1 :\n’\u00a0-/(s"), max_size=12)),
                min_size=1, max_size=40),
       st.data())
def test_gated_matches_are_exactly_the_scans_on_mixed_lines_and_odd_characters(pieces, data):
    text = "".join(p + ("\n" if i % 3 == 0 else " ") for i, p in enumerate(pieces))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    same_as_scan(text)
    same_as_scan(text, start=start, end=end)
