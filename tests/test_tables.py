"""Tables for readers: display names, formats by quantity, no meaningless index, no empty column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalxai.tables import ReaderTable, meaningful_index, reader_table

NB = "\u00a0"


def board():
    return pd.DataFrame(
        {"median_rel_error": [0.0213, 0.2468], "sign_rate": [0.99, 0.79],
         "coverage": [np.nan, np.nan], "n_rows": [1452.0, 3.0]},
        index=pd.Index(["GraphDML[linear]", "ShapSlope"], name="method"))


def test_reader_table_shows_names_formats_and_no_empty_column():
    table = reader_table(board(), first=["n_rows"])
    assert isinstance(table, ReaderTable)
    assert list(table.text.columns) == ["Method", "Rows", "Median relative error", "Right sign"]
    assert table.text.values.tolist() == [
        ["Graph double ML (linear)", "1,452", f"2.1{NB}%", f"99{NB}%"],
        ["SHAP slope", "3", f"25{NB}%", f"79{NB}%"]]
    assert "coverage" not in table.data.columns  # all NaN: left out
    assert list(table.data.columns) == ["n_rows", "median_rel_error", "sign_rate"]


def test_html_has_no_index_column_keeps_every_column_and_cell_and_is_deterministic():
    wide = pd.DataFrame({f"col_{i}": [i + 0.5] for i in range(30)})
    wide["text"] = ["a" * 200]
    html = reader_table(wide).to_html()
    assert html == reader_table(wide).to_html()  # no random ids
    assert html.count("<th ") == 31  # one header per column, no index header
    assert "a" * 200 in html and "..." not in html and "…" not in html
    assert 'class="dataframe reader-table"' in html
    assert "text-align: right" in html
    assert reader_table(wide)._repr_html_() == html


def test_meaningless_index_is_dropped_meaningful_one_shown():
    assert not meaningful_index(pd.RangeIndex(5))
    assert not meaningful_index(pd.Index([0, 1, 2]))
    assert meaningful_index(pd.Index([3, 6, 12]))
    assert meaningful_index(pd.Index(["a", "b"]))
    assert meaningful_index(pd.RangeIndex(3, name="seed"))
    sweep = pd.DataFrame({"n_samples": [200, 2000], "median_rel_error": [0.1, 0.02]})
    assert list(reader_table(sweep).text.columns) == ["Sample size", "Median relative error"]
    horizons = pd.DataFrame({"roc_auc": [0.81234, 0.7]},
                            index=pd.Index([3, 12], name="horizon"))
    shown = reader_table(horizons).text
    assert list(shown.columns) == ["Horizon", "ROC-AUC"]
    assert shown.values.tolist() == [["3", "0.812"], ["12", "0.700"]]
    assert list(reader_table(horizons, index=False).text.columns) == ["ROC-AUC"]


def test_multiindex_context_overrides_and_caption():
    idx = pd.MultiIndex.from_tuples([("ShapSlope", "economy"), ("GraphDML[forest]", "economy")],
                                    names=["method", "feature"])
    frame = pd.DataFrame({"mean": [0.12345, -0.5]}, index=idx)
    table = reader_table(frame, context="subscriber_retention",
                         overrides={"mean": "Mean effect (renewal probability)"},
                         caption="Estimates")
    assert list(table.text.columns) == ["Method", "Feature", "Mean effect (renewal probability)"]
    assert table.text.values.tolist() == [["SHAP slope", "Economy (index)", "0.123"],
                                          ["Graph double ML (forest)", "Economy (index)", "-0.500"]]
    assert repr(table).splitlines()[0] == "Estimates"
    assert "<caption>Estimates</caption>" in table.to_html()


def test_glue_prefix_glues_what_the_table_shows(monkeypatch):
    sent = []
    monkeypatch.setattr("causalxai.glue.ipy_display",
                        lambda bundle, raw, metadata: sent.append((metadata, bundle)))
    table = reader_table(board(), glue="family")
    shown = {m["scrapbook"]["name"]: b["application/papermill.record/text/markdown"]
             for m, b in sent}
    assert table.glued["family_shapslope_median_rel_error"] == 0.2468
    assert shown["family_shapslope_median_rel_error"] == table.text.loc[1, "Median relative error"]
    assert shown["family_graphdml_linear_n_rows"] == table.text.loc[0, "Rows"] == "1,452"
    assert not any("coverage" in name for name in shown)  # nothing to quote


def test_reader_table_errors_name_the_column():
    with pytest.raises(ValueError, match=r"first names column\(s\) 'seconds'"):
        reader_table(board(), first=["seconds"])
    with pytest.raises(ValueError, match=r"quantities names column\(s\) 'auc'"):
        reader_table(board(), {"auc": "auc"})
    with pytest.raises(ValueError, match="frame must be a pandas DataFrame or Series, got list"):
        reader_table([1, 2])
    series = reader_table(pd.Series([0.5], index=["cash_buffer"], name="truth"))
    assert series.text.values.tolist() == [["Cash buffer", "0.500"]]


def test_headers_that_read_the_same_are_made_distinct_and_the_table_renders():
    frame = pd.DataFrame({"missing": [3.0], "missing_share": [0.2]})
    nested = pd.concat({"1-year": frame})  # two unnamed index levels
    for table in (reader_table(frame), reader_table(nested)):
        assert table.text.columns.is_unique
        assert "<table" in table._repr_html_()
