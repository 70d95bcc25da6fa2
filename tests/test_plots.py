"""What the figures of :mod:`causalxai.plots` actually draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.container import ErrorbarContainer
from matplotlib.patches import Rectangle

from causalxai.causal.scm import SCM
from causalxai.names import feature_name, method_name
from causalxai.plots import (
    PALETTE,
    ROLE_COLOURS,
    _wrap,
    draw_graph,
    estimates_vs_truth,
    methods_vs_truth,
)
from causalxai.synthetic.scenarios import firm_distress_toy


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def node_collection(ax, n_nodes):
    """The collection holding one marker per node (the filled one, drawn first)."""
    candidates = [c for c in ax.collections if len(c.get_offsets()) == n_nodes]
    assert len(candidates) == 1
    return candidates[0]


def test_draw_graph_marks_every_node_once_and_colours_it_by_role():
    scenario = firm_distress_toy()
    graph = scenario.scm.graph
    ax = draw_graph(scenario.scm, scenario.roles, outcome=scenario.outcome)
    nodes = node_collection(ax, graph.number_of_nodes())
    offsets = np.asarray(nodes.get_offsets())
    assert len({tuple(p) for p in offsets}) == graph.number_of_nodes()  # no two nodes overlap
    expected = [
        "outcome"
        if v == scenario.outcome
        else "latent"
        if graph.nodes[v]["latent"]
        else scenario.roles[v]
        for v in graph.nodes
    ]
    np.testing.assert_allclose(nodes.get_facecolors(), [to_rgba(ROLE_COLOURS[r]) for r in expected])
    # each label drawn once, at its node; latent nodes say so
    texts = {t.get_text(): t.get_position() for t in ax.texts}
    assert len(texts) == graph.number_of_nodes()
    assert "Management\n(latent)" in texts
    assert "Cash buffer" in texts  # human names, wrapped at about 12 characters
    for v, point in zip(graph.nodes, offsets, strict=True):
        label = _wrap(feature_name(v)) + ("\n(latent)" if graph.nodes[v]["latent"] else "")
        np.testing.assert_allclose(texts[label], point)
    # causes sit left of their effects
    x = dict(zip(graph.nodes, offsets[:, 0], strict=True))
    assert all(x[u] < x[v] for u, v in graph.edges)
    # one extra dashed ring per latent node
    rings = [c for c in ax.collections if c is not nodes]
    assert sum(len(c.get_offsets()) for c in rings) == len(scenario.scm.latent)


def test_node_labels_wrap_between_words_never_inside_one():
    assert _wrap("Interactions") == "Interactions"  # 12 letters: overflows, is not cut
    assert _wrap("Months since last upgrade") == "Months\nsince last\nupgrade"
    assert _wrap("Short-time work") == "Short-time\nwork"


def test_draw_graph_legend_has_one_entry_per_role_present():
    scenario = firm_distress_toy()
    ax = draw_graph(scenario.scm, scenario.roles, outcome=scenario.outcome)
    entries = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(entries) == len(set(entries))
    assert set(entries) == {*scenario.roles.values(), "outcome", "latent"}
    colours = {
        t.get_text(): h.get_markerfacecolor()
        for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles, strict=True)
    }
    for role, colour in colours.items():
        assert to_rgba(colour) == to_rgba(ROLE_COLOURS[role])


def test_draw_graph_without_roles_calls_features_levers():
    model = SCM.linear_gaussian({("a", "y"): 1.0, ("b", "y"): 1.0})
    _, ax = plt.subplots()
    assert draw_graph(model, outcome="y", ax=ax) is ax
    entries = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(entries) == ["lever", "outcome"]
    assert len(node_collection(ax, 3).get_offsets()) == 3


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_estimates_vs_truth_draws_truth_and_estimate_per_feature():
    table = pd.DataFrame(
        {
            "truth": [-0.5, 0.54, 0.0],
            "mean": [-0.9, 0.5, 0.3],
            "q025": [-1.1, 0.4, 0.1],
            "q975": [-0.7, 0.6, 0.5],
        },
        index=["cash_buffer", "debt_ratio", "late_payments"],
    )
    ax = estimates_vs_truth(table, label="SHAP slope")
    rects = bars(ax)
    assert len(rects) == 2 * len(table)
    truth_bars, estimate_bars = rects[: len(table)], rects[len(table) :]
    np.testing.assert_allclose([r.get_width() for r in truth_bars], table["truth"])
    np.testing.assert_allclose([r.get_width() for r in estimate_bars], table["mean"])
    # the first feature is at the top; each truth bar sits just above its estimate
    centres = [r.get_y() + r.get_height() / 2 for r in rects]
    truth_y, est_y = np.array(centres[: len(table)]), np.array(centres[len(table) :])
    assert np.all(np.diff(truth_y) < 0)
    np.testing.assert_allclose(truth_y - est_y, 0.36)
    ticks = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks(), strict=True))
    for feature, yt, ye in zip(table.index, truth_y, est_y, strict=True):
        assert ye < ticks[feature_name(feature)] < yt
    # error bars from q025 to q975 around the estimate
    segments = [
        seg
        for coll in ax.collections
        for seg in coll.get_segments()
        if hasattr(coll, "get_segments")
    ]
    spans = sorted((min(s[:, 0]), max(s[:, 0])) for s in segments)
    assert spans == sorted(zip(table["q025"], table["q975"], strict=True))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["true effect (do)", "SHAP slope"]


def test_estimates_vs_truth_without_error_bars():
    table = pd.DataFrame({"truth": [1.0, -2.0], "slope": [0.5, -2.5]}, index=["a", "b"])
    _, ax = plt.subplots()
    assert estimates_vs_truth(table, estimate="slope", low=None, high=None, ax=ax) is ax
    rects = bars(ax)
    assert [r.get_width() for r in rects] == [1.0, -2.0, 0.5, -2.5]
    assert not [c for c in ax.collections if hasattr(c, "get_segments")]


def scored_table():
    """A hand-built score table: 3 methods x 2 features; "graph" abstains on "b"."""
    rows = {
        ("naive", "a"): (1.0, 1.5, 1.2, 1.9, 0.0),
        ("naive", "b"): (-0.5, 0.4, 0.1, 0.8, 0.0),
        ("all", "a"): (1.0, 0.9, 0.7, 1.0, 0.0),
        ("all", "b"): (-0.5, -0.6, -0.9, -0.2, 0.0),
        ("graph", "a"): (1.0, 1.05, 0.8, 1.3, 0.0),
        ("graph", "b"): (-0.5, np.nan, np.nan, np.nan, 1.0),
    }
    table = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["truth", "mean", "q025", "q975", "abstain_rate"])
    table.index = pd.MultiIndex.from_tuples(table.index, names=["method", "feature"])
    return table


def test_methods_vs_truth_draws_truth_estimates_and_abstentions():
    table = scored_table()
    features, methods = ["a", "b"], ["naive", "all", "graph"]
    _, ax = plt.subplots()
    assert methods_vs_truth(table, ax=ax) is ax
    # y tick labels: the features by their human names, first one on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "A"]
    np.testing.assert_allclose(ax.get_yticks(), [0, 1])
    base = {"a": 1, "b": 0}
    # one black truth segment per feature, vertical, at x = truth, spanning its row
    segments = [ln for ln in ax.lines if ln.get_linewidth() == 2.5]
    assert len(segments) == len(features)
    for feature, seg in zip(features, segments, strict=True):
        x, y = np.asarray(seg.get_xdata(), float), np.asarray(seg.get_ydata(), float)
        truth = table.loc[("naive", feature), "truth"]
        np.testing.assert_allclose(x, [truth, truth])
        np.testing.assert_allclose(sorted(y), [base[feature] - 0.45, base[feature] + 0.45])
        assert to_rgba(seg.get_color()) == to_rgba("black")
    # one error bar per non-abstaining (method, feature), at the mean, from q025 to q975
    bars_ = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    drawn = [(m, f) for f in features for m in methods if table.loc[(m, f), "abstain_rate"] < 0.5]
    assert len(bars_) == len(drawn) == 5
    step = 0.8 / len(methods)
    for (method, feature), bar in zip(drawn, bars_, strict=True):
        row = table.loc[(method, feature)]
        point, _, (span,) = bar.lines
        j = methods.index(method)
        y = base[feature] + 0.4 - step * (j + 0.5)
        np.testing.assert_allclose(np.asarray(point.get_xdata(), float), [row["mean"]])
        np.testing.assert_allclose(np.asarray(point.get_ydata(), float), [y])
        (seg,) = span.get_segments()
        np.testing.assert_allclose(sorted(seg[:, 0]), [row["q025"], row["q975"]])
        np.testing.assert_allclose(seg[:, 1], [y, y])
        assert base[feature] - 0.45 < y < base[feature] + 0.45  # inside its feature's row
        # each method keeps its colour across features
        assert to_rgba(point.get_color()) == to_rgba(PALETTE[j])
    # an "x" for the abstaining method, placed at the truth, in its own slot
    crosses = [ln for ln in ax.lines if ln.get_marker() == "x"]
    assert len(crosses) == 1
    cross_x = np.asarray(crosses[0].get_xdata(), float)
    np.testing.assert_allclose(cross_x, [table.loc[("graph", "b"), "truth"]])
    cross_y = np.asarray(crosses[0].get_ydata(), float)
    np.testing.assert_allclose(cross_y, [base["b"] + 0.4 - step * 2.5])
    assert to_rgba(crosses[0].get_color()) == to_rgba(PALETTE[2])
    # legend: the truth, then each method once
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["true effect (do)", *map(method_name, methods)]


def test_methods_vs_truth_follows_the_requested_order_and_subset():
    table = scored_table()
    _, ax = plt.subplots()
    methods_vs_truth(table, features=["b", "a"], methods=["all"], ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]  # "b" on top
    bars_ = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars_) == 2
    # one method: its slot is the middle of the row (0.4 - 0.8 * 0.5 = 0)
    points = [(float(b.lines[0].get_xdata()[0]), float(b.lines[0].get_ydata()[0]))
              for b in bars_]
    assert points == [(pytest.approx(-0.6), pytest.approx(1.0)),
                      (pytest.approx(0.9), pytest.approx(0.0))]
    assert not [ln for ln in ax.lines if ln.get_marker() == "x"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["true effect (do)", "All"]


def test_book_style_sets_the_column_width_fonts_and_palette_and_restores_them():
    import matplotlib as mpl

    from causalxai.plots import BOOK_WIDTH, STYLE, book_style

    before = dict(mpl.rcParams)
    with book_style():
        assert tuple(mpl.rcParams["figure.figsize"]) == (BOOK_WIDTH, 4.0) and BOOK_WIDTH <= 7
        assert mpl.rcParams["figure.dpi"] * BOOK_WIDTH <= 700  # natural size fits the column
        sizes = [mpl.rcParams[k] for k in ("font.size", "axes.titlesize", "axes.labelsize",
                                            "xtick.labelsize", "ytick.labelsize",
                                            "legend.fontsize")]
        assert all(9 <= s <= 11 for s in sizes)
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == [c for c in PALETTE]
        fig, ax = plt.subplots()
        assert tuple(fig.get_size_inches()) == (BOOK_WIDTH, 4.0)
        ax.plot([0, 1])
        assert ax.lines[0].get_color() == PALETTE[0]
    assert dict(mpl.rcParams) == before  # the block leaves nothing behind
    try:
        book_style()  # the statement form: applies until changed
        assert mpl.rcParams["font.size"] == STYLE["font.size"]
    finally:
        mpl.rcParams.update(before)


@pytest.mark.parametrize("width", [0, -1.0, 7.01, 17.0])
def test_check_width_refuses_a_figure_wider_than_the_column(width):
    from causalxai.plots import check_width

    with pytest.raises(ValueError, match=r"width must be in \(0, 7\] inches"):
        check_width(width)
    assert check_width(7.0) == 7.0 and check_width(3.5) == 3.5
