"""Whatever a document is called, its output lands inside the output folder or not at all."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.incremental import output_path
from pipeline.ingest import IngestError


@pytest.mark.parametrize("rel, expected", [
    ("dfe/000.txt", "dfe/000.yaml"),
    ("FOI reply (final) v2.txt", "FOI reply (final) v2.yaml"),
    ("a..b.txt", "a..b.yaml"),
    ("..txt", "..yaml"),
    ("R\u00e9ponse \u2116 5.md", "R\u00e9ponse \u2116 5.yaml"),
    ("./dfe/./000.txt", "dfe/000.yaml"),
])
def test_ordinary_and_odd_names_map_under_the_output_folder(tmp_path, rel, expected):
    assert output_path(rel, tmp_path) == tmp_path / expected


@pytest.mark.parametrize("rel", ["../escape.txt", "dfe/../../escape.txt", "/etc/cron.d/job.txt", "..", "", "."])
def test_names_that_climb_out_or_name_nothing_are_refused(tmp_path, rel):
    with pytest.raises(IngestError, match="outside the output folder"):
        output_path(rel, tmp_path)


def test_a_symbolic_link_inside_the_output_folder_cannot_lead_out(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "dfe").symlink_to(elsewhere)
    with pytest.raises(IngestError, match="through a symbolic link"):
        output_path("dfe/000.txt", out)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "", "a", "b.txt", " ", "\u00e9", "/", "x/..", "...", "~"]), max_size=6)
       .map("/".join) | st.text(max_size=40))
def test_any_name_maps_inside_the_output_folder_or_is_refused(rel):
    out = Path("/tmp/foi-out-root")
    try:
        target = output_path(rel, out)
    except (IngestError, ValueError):
        return
    assert target.resolve().is_relative_to(out.resolve())
    assert target.suffix == ".yaml"
