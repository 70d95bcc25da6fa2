"""Glue for readers and machines: formatted text for ``{glue:text}``, the raw value for ``compare``."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import base64
import json
import struct

import matplotlib.pyplot as plt
import myst_nb.ext.glue as myst_glue
import nbformat
import numpy as np
import pandas as pd
import pytest
from myst_nb.core.variables import format_plain_text

import causalxai.glue
from causalxai.compendium.book import glued
from causalxai.compendium.compare import compare_runs
from causalxai.glue import (
    DPI,
    MAX_WIDTH,
    RAW_MIME,
    Glued,
    glue,
    glue_figure,
    glue_table,
    key,
)

NB = "\u00a0"
PREFIX = "application/papermill.record/"


@pytest.fixture
def outputs(monkeypatch):
    """What myst-nb's ``glue`` sends to the notebook, as display_data outputs."""
    sent = []

    def display(bundle, raw, metadata):
        assert raw
        sent.append({"output_type": "display_data", "data": bundle, "metadata": metadata})

    monkeypatch.setattr(myst_glue, "ipy_display", display)
    monkeypatch.setattr(causalxai.glue, "ipy_display", display)
    return sent


def write_notebook(path, outputs):
    nb = {"cells": [{"cell_type": "code", "id": "c0", "source": "", "metadata": {}, "outputs": outputs,
                     "execution_count": 1}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, allow_nan=False))  # valid JSON: no NaN may slip in
    nbformat.validate(nbformat.reads(path.read_text(), as_version=4))  # a valid notebook


def test_glued_text_is_what_glue_text_prints_and_the_raw_value_travels_along(outputs):
    cases = [("a", 0.1, "effect", "0.100"), ("b", 1452.0, "count", "1,452"),
             ("c", 0.0213, "percent", f"2.1{NB}%"), ("d", 0.0, "pvalue", "< 0.001"),
             ("e", -3.2e-15, "effect", "0"), ("f", float("nan"), "effect", "—"),
             ("g", "yes", "text", "yes"), ("h", np.float64(-0.825), "effect", "-0.825")]
    for name, value, quantity, _ in cases:
        out = glue(name, value, quantity)
        assert isinstance(out, Glued)
    assert [o["metadata"]["scrapbook"] for o in outputs] == [
        {"name": n, "mime_prefix": PREFIX} for n, *_ in cases]  # hidden (display=False)
    for (_, value, quantity, text), output in zip(cases, outputs, strict=True):
        data = {k.removeprefix(PREFIX): v for k, v in output["data"].items()}
        # {glue:text}`name` (no format spec) prints exactly the formatted text
        assert format_plain_text(data["text/plain"], "s") == text
        assert data["text/markdown"] == text
        payload = data[RAW_MIME]
        assert payload["text"] == text and payload["quantity"] == quantity
        if isinstance(value, float) and np.isnan(value):
            assert payload["value"] is None and payload["repr"] == "nan"
        else:
            assert payload["value"] == value and type(payload["value"]) is type(
                value.item() if isinstance(value, np.generic) else value)
            assert payload["repr"] == repr(payload["value"])


def test_compare_reads_the_raw_value_so_a_new_format_is_not_a_change(outputs, tmp_path,
                                                                    monkeypatch):
    old_outputs = []
    monkeypatch.setattr(myst_glue, "ipy_display",
                        lambda b, raw, metadata: old_outputs.append(
                            {"output_type": "display_data", "data": b, "metadata": metadata}))
    myst_glue.glue("effect", -0.8249999, display=False)  # how chapters glued before
    myst_glue.glue("label", "yes", display=False)
    myst_glue.glue("n", 1452, display=False)
    write_notebook(tmp_path / "old" / "nb.ipynb", old_outputs)

    new_outputs = []
    monkeypatch.setattr(causalxai.glue, "ipy_display",
                        lambda b, raw, metadata: new_outputs.append(
                            {"output_type": "display_data", "data": b, "metadata": metadata}))
    glue("effect", -0.8249999, "effect")
    glue("label", "yes", "text")
    glue("n", 1452, "count")
    write_notebook(tmp_path / "new" / "nb.ipynb", new_outputs)

    assert glued(tmp_path / "new" / "nb.ipynb") == {"effect": "-0.8249999", "label": "'yes'",
                                                    "n": "1452"}
    assert glued(tmp_path / "new" / "nb.ipynb") == glued(tmp_path / "old" / "nb.ipynb")
    assert compare_runs(tmp_path / "old", tmp_path / "new") == []
    # ...and a moved value is seen even when its text does not move
    new_outputs.clear()
    glue("effect", -0.8250001, "effect")
    write_notebook(tmp_path / "moved" / "nb.ipynb", new_outputs)
    (diff,) = [d for d in compare_runs(tmp_path / "old", tmp_path / "moved")
               if d.name == "effect"]
    assert (diff.old, diff.new) == ("-0.8249999", "-0.8250001")


def test_glue_errors_are_clear():
    with pytest.raises(ValueError, match="glue name must be a non-empty string, got ''"):
        glue("", 1.0)
    with pytest.raises(ValueError, match="unknown quantity 'usd'"):
        glue("x", 1.0, "usd")


# glue_table -----------------------------------------------------------------------------------
def test_glue_table_formats_each_column_by_its_quantity(outputs):
    board = pd.DataFrame({"median_rel_error": [0.0213, 0.2468], "coverage": [0.95, np.nan],
                          "rank": [1.0, 2.0], "note": ["a", "b"]},
                         index=pd.Index(["GraphDML[linear]", "ShapSlope"], name="method"))
    values = glue_table(board, "family", {"rank": "count"})
    assert values == {"family_graphdml_linear_median_rel_error": 0.0213,
                      "family_graphdml_linear_coverage": 0.95,
                      "family_graphdml_linear_rank": 1.0,
                      "family_shapslope_median_rel_error": 0.2468,
                      "family_shapslope_rank": 2.0}  # no NaN, no text
    texts = {o["metadata"]["scrapbook"]["name"]: o["data"][PREFIX + "text/markdown"]
             for o in outputs}
    assert texts == {"family_graphdml_linear_median_rel_error": f"2.1{NB}%",
                     "family_graphdml_linear_coverage": f"95{NB}%",  # names: a share
                     "family_graphdml_linear_rank": "1",
                     "family_shapslope_median_rel_error": f"25{NB}%",
                     "family_shapslope_rank": "2"}


def test_glue_table_raw_mode_glues_plain_floats(monkeypatch):
    calls = {}
    monkeypatch.setattr("causalxai.glue.myst_glue",
                        lambda name, value, display=True: calls.update({name: value}))
    table = pd.DataFrame({"coverage": [0.9, np.nan]}, index=["GraphDML[linear]", "ShapSlope"])
    assert glue_table(table, "f", formatted=False) == calls == {"f_graphdml_linear_coverage": 0.9}


def test_glue_table_errors_name_the_column():
    table = pd.DataFrame({"a": [1.0]})
    with pytest.raises(ValueError, match=r"quantities names column\(s\) 'b' .*\(columns: a\)"):
        glue_table(table, "t", {"b": "count"})
    with pytest.raises(ValueError, match="table must be a pandas DataFrame, got Series"):
        glue_table(table["a"], "t")


def test_key_is_shared_with_the_report_module():
    from causalxai.synthetic import report

    assert report.key is key
    assert key("family", "GraphDML[linear]", "median_rel_error") == (
        "family_graphdml_linear_median_rel_error")


# glue_figure ----------------------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_glue_figure_renders_at_the_column_width_and_closes_the_figure(outputs):
    fig, ax = plt.subplots(figsize=(MAX_WIDTH, 3.0))
    ax.plot([0, 1], [0, 1])
    ax.legend(["a line"], loc="upper center", bbox_to_anchor=(0.5, -0.2))  # outside the axes
    glue_figure("fig_line", fig, alt="A rising line")
    assert not plt.fignum_exists(fig.number)
    (output,) = outputs
    assert output["metadata"]["scrapbook"] == {"name": "fig_line", "mime_prefix": PREFIX}
    png = base64.b64decode(output["data"][PREFIX + "image/png"])
    assert png_size(png) == (round(MAX_WIDTH * DPI), round(3.0 * DPI)) == (700, 300)
    assert output["metadata"]["image/png"] == {"width": 700, "height": 300}
    assert output["data"][PREFIX + "text/plain"] == "A rising line"


def test_glue_figure_refuses_a_figure_wider_than_the_column():
    fig = plt.figure(figsize=(17, 4))
    try:
        with pytest.raises(ValueError, match=r"figure 'wide' is 17.0 in wide; .* at most 7 in"):
            glue_figure("wide", fig)
        with pytest.raises(ValueError, match="fig must be a matplotlib Figure, got str"):
            glue_figure("x", "figure.png")
        with pytest.raises(ValueError, match="glue name must be a non-empty string"):
            glue_figure("", fig)
    finally:
        plt.close(fig)


def test_the_book_reader_and_the_glue_agree_on_the_raw_mime_type():
    from causalxai.compendium import book

    assert book._RAW_MIME == RAW_MIME


@pytest.mark.parametrize("value", [0.25, "yes", 1452, Glued(-0.8249999, "effect"),
                                   pd.DataFrame({"a": [1.0, 2.0]})])
@pytest.mark.parametrize("display", [False, True])
def test_myst_glue_sends_what_myst_nb_glue_sends(monkeypatch, value, display):
    """The package's glue writes myst-nb's own bundle and metadata, without importing it."""
    sent: dict[str, list] = {"myst": [], "ours": []}
    monkeypatch.setattr(myst_glue, "ipy_display", lambda bundle, raw, metadata:
                        sent["myst"].append((bundle, raw, metadata)))
    monkeypatch.setattr(causalxai.glue, "ipy_display", lambda bundle, raw, metadata:
                        sent["ours"].append((bundle, raw, metadata)))
    myst_glue.glue("x", value, display=display)
    causalxai.glue.myst_glue("x", value, display=display)
    assert sent["ours"] == sent["myst"] and len(sent["ours"]) == 1
    (bundle, raw, metadata), = sent["ours"]
    assert raw and metadata["scrapbook"] == {"name": "x", "mime_prefix": "" if display else PREFIX}
    assert all(k.startswith(metadata["scrapbook"]["mime_prefix"]) for k in bundle)


def test_glue_replaces_the_chapters_own_wrappers():
    """Issue 9: 3.1, 3.2, 3.4 and 3.5 defined ``g``/``gl`` to unwrap numpy scalars before
    myst-nb's glue, and 4.3 a ``key`` for its approach names; ``Glued`` unwraps and
    :func:`causalxai.glue.key` gives the same names."""
    from causalxai.glue import Glued, key

    for value, plain in ((np.int64(3), 3), (np.float64(0.25), 0.25), (np.bool_(True), True)):
        glued = Glued(value, "number")
        assert type(glued.value) is type(plain) and glued.value == plain
    old = {"naive": "naive", "re-expressed + register": "re_expressed_register",
           "causal graph + recalibration": "causal_graph_recalibration", "drop": "drop"}
    assert {name: key(name) for name in old} == old
