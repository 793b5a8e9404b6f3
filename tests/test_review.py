"""`foi-extract review --html`: a page per document with every extraction highlighted.

The browser test needs Debian's chromium (`apt-get install -y chromium`) and skips
without it; the screenshot it takes is kept as `review-000.png` in pytest's temp dir.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.review import Mark, highlight

from conftest import RAW
from rule_edits import add_rule, copy_rules

runner = CliRunner()
SEED_000 = RAW / "000_c1bb0fef92aed2d7.txt"

LETTER = """\
Dear Ms Okafor,

Re: your request <ref> ABC/INF/1234/24 & "school transport"

Please quote ABC/INF/1234/24 in any reply.
"""


def strip_tags(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# --------------------------------------------------------------------------- highlighting
def test_a_count_inside_a_table_nests_inside_it():
    text = "Year | Requests\n2016 | 31\n"
    marks = [Mark(0, 25, "tables", "tables-0", "tables"), Mark(23, 25, "counts", "counts-0", "31 requests")]
    out = highlight(text, marks)
    assert ('<span class="hl tables" data-item="tables-0" title="tables">'
            '<span class="hl counts" data-item="counts-0" title="31 requests">31</span></span>') in out
    assert strip_tags(out) == text


def test_source_text_is_escaped_not_interpreted():
    out = highlight('<script>alert("x")</script> & more', [Mark(0, 8, "dates", "dates-0", 'a "title"')])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'title="a &quot;title&quot;"' in out


@given(st.text(alphabet="ab<&\n ", max_size=40),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.sampled_from(["dates", "counts"])),
                max_size=6))
def test_any_marks_give_balanced_html_around_the_exact_text(text, raw_marks):
    marks = [Mark(min(a, b, len(text)), min(max(a, b), len(text)), c, f"{c}-{i}", c)
             for i, (a, b, c) in enumerate(raw_marks)]
    out = str(highlight(text, [m for m in marks if m.end > m.start]))
    assert strip_tags(out) == text
    assert out.count("<span") == out.count("</span>")


# --------------------------------------------------------------------------- pages
@pytest.fixture
def reviewed(tmp_path):
    rules = copy_rules(tmp_path)
    add_rule(rules, "references.yaml", """
        - id: refs.abc_case
          description: Case numbers of the (invented) ABC council.
          regex: '\\bABC/INF/\\d{4}/\\d\\d\\b'
          set: {kind: foi_case}
          examples:
            match: ['logged as <reference kind="foi_case">ABC/INF/1234/24</reference>.']
        """)
    raw = tmp_path / "raw"
    (raw / "letters").mkdir(parents=True)
    (raw / "letters" / "abc.txt").write_text(LETTER)
    (raw / "empty.txt").write_text("")
    result = runner.invoke(app, ["review", str(raw), "--html", str(tmp_path / "html"), "--rules", str(rules)])
    return tmp_path / "html", result


def test_a_page_highlights_each_item_with_its_rule_and_value(reviewed):
    out, _ = reviewed
    page = (out / "letters" / "abc.html").read_text()
    assert ('<span class="hl references" data-item="references-0" '
            'title="references · refs.abc_case\nABC/INF/1234/24 (kind foi_case)">ABC/INF/1234/24</span>') in page
    assert 'class="hl references mention" data-item="references-0"' in page  # the second mention
    assert "&lt;ref&gt; " in page and "&amp; &quot;school transport&quot;" in page
    assert '<section class="item references" id="references-0">' in page
    assert "Case numbers of the (invented) ABC council." in page
    assert re.search(r"rules/references\.yaml:\d+", page)
    assert '<a href="../index.html">All documents</a>' in page


def test_pages_are_self_contained(reviewed):
    out, _ = reviewed
    for page in out.rglob("*.html"):
        markup = page.read_text()
        assert not re.search(r"<(link|img|iframe)\b|<script [^>]*src=|url\(", markup), page


def test_the_index_lists_documents_their_counts_and_failures(reviewed):
    out, result = reviewed
    index = (out / "index.html").read_text()
    assert '<a href="letters/abc.html">letters/abc.txt</a>' in index
    assert re.search(r'<tr class="failed"><td class="name">empty.txt</td><td class="name" colspan="\d+">'
                     r"failed: empty file</td></tr>", index)
    assert result.exit_code == 1
    assert "failed empty.txt: empty file" in result.output


# --------------------------------------------------------------------------- in a browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
COLOURS = {"dates": (0xfc, 0xd3, 0x4d), "references": (0x93, 0xc5, 0xfd), "counts": (0x86, 0xef, 0xac),
           "exemptions": (0xfc, 0xa5, 0xa5), "field_lists": (0xf5, 0xed, 0xff), "tables": (0xee, 0xf2, 0xf6)}
PAGE_SIZE = (1400, 6000)  # tall enough for all of seed 000 (its table and field lists are far down)


def screenshot(page: Path, png: Path, size: tuple[int, int] = PAGE_SIZE) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
                        f"--screenshot={png}", "--window-size={},{}".format(*size), page.as_uri()],
                       check=True, capture_output=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_seed_000_renders_with_its_highlights_in_a_real_browser(tmp_path_factory):
    Image = pytest.importorskip("PIL.Image")
    out = tmp_path_factory.mktemp("review")
    result = runner.invoke(app, ["review", str(SEED_000), "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out / "000_c1bb0fef92aed2d7.html"
    markup = page.read_text()
    png = out / "review-000.png"
    screenshot(page, png)
    pixels = Image.open(png).convert("RGB")
    assert pixels.size == PAGE_SIZE
    seen = {colour for _, colour in pixels.getcolors(maxcolors=1 << 24)}
    for category, colour in COLOURS.items():  # every category the page has items of shows its colour
        if f'class="hl {category}"' in markup:
            assert colour in seen, f"{category} highlights do not show in {png}"
