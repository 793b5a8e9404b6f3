"""Properties that hold for any text at all: the extractors never raise, every span
slices to its `text`, every record follows the schema, and decoding is faithful."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import IngestError, normalise_newlines, read_source
from pipeline.record import validate

from hostile.hostile_kit import spans_with_text

# Pieces of real correspondence, so that generated texts reach the rules' interesting
# paths (dates, references, exemptions, counts, tables, quoted mail) and not only noise.
FRAGMENTS = [
    "Dear Ms Persson,\n", "Yours sincerely,\n", "19/12/2016", "19 December 2016", "Q4 2016", "December",
    "2016-0058280", "our ref FOI 40808", "IC-123456-A1B2", "section 40(2)", "s.36(2)(b)(ii)", "and (3)",
    "Freedom of Information Act 2000", "(Scotland) Act 2002", "regulation 12(4)(b)", "2,462 records",
    "three requests", "seven (7)", "| 2016 | 12 |\n", "+----+----+\n", "\t2015\t3\n", "> quoted line\n",
    "-----Original Message-----\n", "On 3 May 2019, J Smith wrote:\n", "[email address]", "https://x.org/a?b=1",
    "\n", "\n\n", " ", ":", "(", ")", "\u00a3450", "\u201c", "\u2019", "\u00e9", "\u2028", "\r", "\x00",
]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=40).map("".join)
EXTRACTION = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXTRACTION
@given(texts)
def test_any_text_extracts_to_a_valid_record_whose_spans_slice_to_their_text(extract_text, text):
    text = normalise_newlines(text.replace("\x00", ""))  # what ingest hands the extractors
    data = extract_text(text).to_dict()
    validate(data)
    for (start, end), item_text in spans_with_text(data):
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == item_text


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200).filter(lambda t: t.replace("\x00", "").strip()),
       st.sampled_from([("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                        ("utf-16-be", b"\xfe\xff")]),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_unicode_text_reads_back_as_itself_with_lf_newlines(text, encoding, newline):
    codec, bom = encoding
    data = bom + normalise_newlines(text).replace("\n", newline).encode(codec)
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "doc.txt").write_bytes(data)
        try:
            src = read_source(Path(d) / "doc.txt", Path(d))
        except IngestError as e:  # only text that looks binary (many control characters) may be refused
            assert str(e) == "binary file, not text"
            return
    expected = normalise_newlines(text.replace("\x00", ""))
    if not bom and text.startswith("\ufeff"):  # bytes EF BB BF at the start are read as a BOM
        expected = expected[1:]
    assert src.text == expected
