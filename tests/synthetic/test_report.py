"""Report helpers: glue names, verdicts in words, the glued numbers and the study figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import causalxai.glue
from causalxai.estimate.effects import GraphDML, NaiveRegression
from causalxai.names import feature_name
from causalxai.plots import BOOK_WIDTH
from causalxai.synthetic.benchmark import study
from causalxai.synthetic.library import make_scenario
from causalxai.synthetic.report import glue_study, glue_table, key, study_figure, verdict

SUFFIXES = ("truth", "rank", "label")  # no "shap": a second computation of the slope


@pytest.fixture(scope="module")
def mediator_study():
    return study(make_scenario("mediator"), [NaiveRegression(), GraphDML("linear")],
                 n_samples=800, seeds=[0, 1], n_truth=2000, n_estimators=30)


@pytest.fixture
def glued(monkeypatch):
    """Capture the calls to ``myst_glue`` instead of displaying anything."""
    calls = []
    monkeypatch.setattr(causalxai.glue, "myst_glue",
                        lambda name, value, display=True: calls.append((name, value, display)))
    return calls


# key -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("parts", "expected"), [
    (("symptom", "late_payments", "GraphDML[linear]"), "symptom_late_payments_graphdml_linear"),
    (("Mediator", "Cash Buffer"), "mediator_cash_buffer"),
    (("a--b", "  c  "), "a_b_c"),  # runs of non-alphanumerics collapse to one underscore
    (("[x]", "y!"), "x_y"),  # and are stripped at both ends
    (("AllColumnsDML[linear]", "abstained"), "allcolumnsdml_linear_abstained"),
    (("v2", "3.5"), "v2_3_5"),  # digits are kept
    (("x", ""), "x"),  # an empty part leaves no trailing underscore
    (("café",), "caf"),  # only ASCII letters and digits survive
    (("already_fine",), "already_fine"),
])
def test_key_normalises_parts(parts, expected):
    assert key(*parts) == expected


def test_key_output_is_a_valid_glue_name():
    name = key("Ünusual ", "Feature (%)", "Method[a, b]")
    assert name == name.lower() and name.strip("_") == name
    assert all(c.isascii() and (c.isalnum() or c == "_") for c in name)
    assert "__" not in name
    assert key(name) == name  # idempotent


# verdict ---------------------------------------------------------------------------------------
def test_verdict_wrong_sign():
    assert verdict(0.1, -0.3) == "the wrong sign"
    assert verdict(-2.0, 0.5) == "the wrong sign"


def test_verdict_misses_an_effect():
    assert verdict(0.01, 0.3) == "no effect where there is one"
    assert verdict(-0.049, -0.3) == "no effect where there is one"


def test_verdict_sees_an_effect_that_is_not_there():
    assert verdict(0.3, 0.0) == "an effect where there is none"
    assert verdict(-0.06, 0.01) == "an effect where there is none"


def test_verdict_rightly_none():
    assert verdict(0.02, -0.01) == "no effect, as it should"
    assert verdict(0.0, 0.0) == "no effect, as it should"


def test_verdict_right_sign_with_relative_error():
    assert verdict(-0.27, -0.3) == "the right sign, 10% off"
    assert verdict(0.6, 0.4) == "the right sign, 50% off"
    assert verdict(1.0, 1.0) == "the right sign, 0% off"
    assert verdict(-3.0, -1.0) == "the right sign, 200% off"


def test_verdict_tolerance_sets_what_counts_as_no_effect():
    # |0.04| < 0.05: "no effect"; with a smaller tolerance it is an effect, 92 % off 0.5
    assert verdict(0.04, 0.5) == "no effect where there is one"
    assert verdict(0.04, 0.5, tolerance=0.01) == "the right sign, 92% off"
    # the truth is "no effect" only below the tolerance, strictly
    assert verdict(0.3, 0.05) == "the right sign, 500% off"
    assert verdict(0.3, 0.05, tolerance=0.1) == "an effect where there is none"
    assert verdict(0.05, 0.0) == "an effect where there is none"  # |0.05| is not < 0.05
    assert verdict(0.2, -0.2, tolerance=0.5) == "no effect, as it should"


# glue_study ------------------------------------------------------------------------------------
def test_glue_study_glues_every_number_of_the_study(mediator_study, glued):
    st = mediator_study
    values = glue_study(st)
    methods = ["NaiveRegression", "GraphDML[linear]"]
    features = st.scenario.features
    expected_names = {key("mediator", f, s) for f in features for s in SUFFIXES}
    expected_names |= {key("mediator", f, m, *extra) for f in features for m in methods
                       for extra in ((), ("abstained",))}
    assert set(values) == expected_names
    assert len(values) == len(features) * (len(SUFFIXES) + 2 * len(methods))
    # every value glued once, quietly, under the same name and value
    assert [(n, v) for n, v, _ in glued] == list(values.items())
    assert all(display is False for *_, display in glued)
    for f in features:
        assert values[key("mediator", f, "truth")] == st.truth(f)
        assert key("mediator", f, "shap") not in values
        assert values[key("mediator", f, "label")] == st.evaluation.labels.loc[f, "text"]
        for m in methods:
            assert values[key("mediator", f, m)] == pytest.approx(st.value(m, f))
            assert values[key("mediator", f, m, "abstained")] == "no"
    # ranks: a permutation of 1..k, 1 for the largest importance
    ranks = {f: values[key("mediator", f, "rank")] for f in features}
    assert sorted(ranks.values()) == list(range(1, len(features) + 1))
    assert all(isinstance(r, int) for r in ranks.values())
    by_importance = st.shap["importance"].sort_values(ascending=False).index
    assert [ranks[f] for f in by_importance] == list(range(1, len(features) + 1))
    # numbers are plain floats, ready for format specs such as :.2f
    assert all(isinstance(values[key("mediator", f, "truth")], float) for f in features)


def test_glue_study_prefix_and_abstention(mediator_study, glued):
    st = mediator_study
    scored = st.scored.copy()
    scored.loc[("GraphDML[linear]", "cash_buffer"), ["mean", "abstain_rate"]] = [np.nan, 1.0]
    scored.loc[("NaiveRegression", "debt_ratio"), "abstain_rate"] = 0.5  # half the runs
    values = glue_study(dataclasses.replace(st, scored=scored), prefix="Chapter 5")
    assert all(name.startswith("chapter_5_") for name in values)
    assert values["chapter_5_cash_buffer_graphdml_linear_abstained"] == "yes"
    # an abstention has no number: nothing is glued that prose could quote
    assert "chapter_5_cash_buffer_graphdml_linear" not in values
    assert "chapter_5_debt_ratio_naiveregression" not in values
    assert values["chapter_5_debt_ratio_naiveregression_abstained"] == "yes"
    assert values["chapter_5_cash_buffer_naiveregression_abstained"] == "no"
    assert {n for n, _, _ in glued} == set(values)


# study_figure ----------------------------------------------------------------------------------
def test_study_figure_stacks_graph_importance_and_methods_at_the_column_width(mediator_study):
    st = mediator_study
    n = len(st.scenario.features)
    fig = study_figure(st)
    try:
        assert isinstance(fig, plt.Figure)
        assert len(fig.axes) == 3
        width, height = fig.get_size_inches()
        assert width == pytest.approx(BOOK_WIDTH) and width <= 7.0
        assert height == pytest.approx(3.0 + (0.45 * n + 1.0) + (0.8 * n + 2.2))
        graph_ax, importance_ax, methods_ax = fig.axes
        # stacked top to bottom, each panel the figure's full width
        tops = [ax.get_position().y1 for ax in fig.axes]
        assert tops == sorted(tops, reverse=True)
        assert not graph_ax.axison  # the causal graph has no axes
        assert graph_ax.get_title(loc="left").startswith("(a) Causal graph")
        assert "SHAP" in importance_ax.get_title(loc="left")
        # third panel: one y tick per feature by its human name, first feature on top
        ticks = [t.get_text() for t in methods_ax.get_yticklabels()]
        assert ticks == [feature_name(f) for f in st.scenario.features[::-1]]
        np.testing.assert_allclose(methods_ax.get_yticks(), range(n))
        legend = [t.get_text() for t in methods_ax.get_legend().get_texts()]
        assert legend == ["true effect (do)", "Naive regression", "Graph double ML (linear)"]
        # fonts readable at the page's size
        sizes = {t.get_fontsize() for ax in fig.axes for t in
                 [*ax.get_yticklabels(), *ax.get_xticklabels(), ax.title, ax._left_title]}
        assert min(sizes) >= 9 and max(sizes) <= 11
        # nothing drawn outside the figure: the rendered canvas is the figure
        fig.canvas.draw()
        box = fig.get_tightbbox(fig.canvas.get_renderer())
        assert box.width <= width + 0.05
    finally:
        plt.close(fig)
    assert not plt.fignum_exists(fig.number)


def test_study_figure_draws_only_the_panels_asked_for(mediator_study):
    fig = study_figure(mediator_study, panels=["methods"])
    try:
        assert len(fig.axes) == 1
        assert fig.get_size_inches()[1] == pytest.approx(0.8 * 3 + 2.2)
        assert fig.axes[0].get_title(loc="left").startswith("Each method")  # no (a) alone
    finally:
        plt.close(fig)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"panels": ["graph", "shap"]}, "'shap'"),
    ({"panels": []}, "panels must be"),
    ({"panels": ["graph", "graph"]}, "distinct"),
    ({"width": 17.0}, r"width must be in \(0, 7\]"),
])
def test_study_figure_rejects_bad_panels_and_widths(mediator_study, kwargs, match):
    with pytest.raises(ValueError, match=match):
        study_figure(mediator_study, **kwargs)


def test_glue_table_glues_only_finite_numbers(monkeypatch):
    calls = {}
    monkeypatch.setattr("causalxai.glue.myst_glue",
                        lambda name, value, display=True: calls.update({name: value}))
    table = pd.DataFrame({"coverage": [0.9, np.nan], "rate": [1.0, 0.5]},
                         index=["GraphDML[linear]", "ShapSlope"])
    values = glue_table(table, "family")
    assert values == calls == {"family_graphdml_linear_coverage": 0.9,
                               "family_graphdml_linear_rate": 1.0,
                               "family_shapslope_rate": 0.5}


def test_estimate_table_is_what_glue_study_glues(mediator_study, glued):
    from causalxai.synthetic.report import estimate_table

    st = mediator_study
    table = estimate_table(st)
    assert list(table.index) == ["truth", "NaiveRegression", "GraphDML[linear]"]
    assert table.index.name == "method" and list(table.columns) == st.scenario.features
    values = glue_study(st, "m")
    for feature in st.scenario.features:
        assert table.loc["truth", feature] == values[key("m", feature, "truth")]
        for method in ["NaiveRegression", "GraphDML[linear]"]:
            name = key("m", feature, method)
            if values[name + "_abstained"] == "yes":
                assert np.isnan(table.loc[method, feature]) and name not in values
            else:
                assert table.loc[method, feature] == values[name]


def test_glue_study_formatted_glues_text_for_readers_and_the_same_raw_values(
        mediator_study, monkeypatch):
    sent = {}
    monkeypatch.setattr("causalxai.glue.ipy_display", lambda bundle, raw, metadata: sent.update(
        {metadata["scrapbook"]["name"]: bundle}))
    values = glue_study(mediator_study, "m", formatted=True)
    assert set(sent) == set(values)
    prefix = "application/papermill.record/"
    for name, value in values.items():
        payload = sent[name][prefix + "application/vnd.causalxai.glue+json"]
        assert payload["repr"] == repr(value)  # the raw value, as before
        text = sent[name][prefix + "text/markdown"]
        if name.endswith("_rank"):
            assert text == str(value) and payload["quantity"] == "count"
        elif isinstance(value, str):
            assert text == value
        else:
            assert payload["quantity"] == "effect" and "e" not in text


def test_show_study_glues_the_figure_and_the_numbers_the_table_shows(mediator_study,
                                                                     monkeypatch):
    """The prose quotes the table: each glued text equals the table's cell, as shown."""
    from causalxai.synthetic import report

    sent, shown = {}, []
    monkeypatch.setattr("causalxai.glue.ipy_display", lambda bundle, raw, metadata: sent.update(
        {metadata["scrapbook"]["name"]: bundle}))
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    st = mediator_study
    table = report.show_study(st, "m", alt="graph, importance and estimates")
    assert "m_figure" in sent and "image/png" in str(sent["m_figure"])
    assert len(shown) == 1 and st.scenario.story in shown[0].data
    text = sent  # name -> bundle
    raw = report.estimate_table(st)
    assert table.text.shape[0] == raw.shape[0]
    cells = table.text.iloc[:, -raw.shape[1]:]  # the method column first, then features
    for i, method in enumerate(raw.index):
        for j, feature in enumerate(raw.columns):
            shown_cell = cells.iloc[i, j]
            name = key("m", feature, method)
            if np.isnan(raw.loc[method, feature]):
                assert shown_cell == "—" and name not in text
            else:
                assert text[name]["application/papermill.record/text/markdown"] == shown_cell
    plt.close("all")


def test_show_study_needs_an_alt_text(mediator_study):
    from causalxai.synthetic.report import show_study

    with pytest.raises(ValueError, match="alt must describe the figure"):
        show_study(mediator_study, alt="  ")
