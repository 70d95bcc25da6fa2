"""Figures of the explanations and support study (:mod:`causalxai.earlywarning.support`):
theme importance, explanation cards, estimated effects against the simulator's truth.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from causalxai.causal.validity import LABEL_COLOURS, LABELS

__all__ = [
    "plot_effects_vs_truth",
    "plot_explanation_cards",
    "plot_sector_effects",
    "plot_theme_importance",
]


def plot_theme_importance(shares: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked bars: each theme's importance split by the validity label of its features.

    ``shares`` is :func:`label_shares` (themes x labels). The longest bar on top.
    """
    table = shares.loc[shares.sum(axis=1).sort_values(ascending=True).index]
    ax = ax or plt.subplots(figsize=(7, 0.6 * len(table) + 1.5))[1]
    ax.set_xlim(0, 1.08 * max(float(table.sum(axis=1).max()), ax.get_xlim()[1]))
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for label in table.columns:
        values = table[label].to_numpy()
        ax.barh(y, values, left=left, color=LABEL_COLOURS[label], height=0.6,
                label=LABELS[label].split(" (")[0].split(" —")[0])
        left += values
    ax.set_yticks(y, table.index)
    ax.set_xlabel("mean |SHAP value| summed over the theme's features (log-odds)")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return ax


def plot_explanation_cards(cards: Sequence[pd.DataFrame], titles: Sequence[str],
                           labels: pd.DataFrame, axes: Sequence[plt.Axes] | None = None
                           ) -> Sequence[plt.Axes]:
    """One panel per firm: its theme contributions (red pushes towards failure), with the
    top feature of each theme and the validity label of that feature written beside it."""
    if len(cards) != len(titles):
        raise ValueError("give one title per card")
    if axes is None:
        _, axes = plt.subplots(len(cards), 1, figsize=(7, 2.1 * len(cards)), squeeze=False)
        axes = list(np.ravel(axes))
    for ax, card, title in zip(axes, cards, titles, strict=True):
        order = card.iloc[::-1]
        values = order["contribution"].to_numpy()
        y = np.arange(len(order))
        ax.barh(y, values, color=np.where(values > 0, "#d62728", "#1f77b4"), height=0.6)
        ax.set_yticks(y, order.index, fontsize=8)
        span = max(float(np.abs(values).max()), 1e-9)
        for yi, text in zip(y, order["features"], strict=True):
            first = text.split(" | ")[0]
            ax.text(span * 1.05, yi, first, va="center", fontsize=7)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(-span * 1.05, span * 3.2)
        ax.set_title(title, fontsize=9, loc="left")
    axes[-1].set_xlabel("theme contribution to the failure score (SHAP, log-odds)")
    return axes


def plot_sector_effects(estimates: pd.DataFrame, truth: pd.DataFrame,
                        methods: Sequence[str], *, scale: float = 100.0,
                        axes: Sequence[plt.Axes] | None = None) -> Sequence[plt.Axes]:
    """One panel per treatment: per sector, the true effect on the takers (black bar) and
    each method's estimate with its 95 % interval (a cross where it abstained or positivity
    failed)."""
    treatments = list(dict.fromkeys(truth["treatment"]))
    groups = [g for g in dict.fromkeys(truth["group"])]
    if axes is None:
        _, axes = plt.subplots(1, len(treatments), figsize=(min(7.0, 3.5 * len(treatments)),
                                                             0.55 * len(groups) + 1.6),
                               sharey=True, squeeze=False)
        axes = list(np.ravel(axes))
    colours = plt.get_cmap("tab10")
    step = 0.8 / max(len(methods), 1)
    for ax, treatment in zip(axes, treatments, strict=True):
        for i, group in enumerate(groups):
            base = len(groups) - 1 - i
            true = truth[(truth["group"] == group) & (truth["treatment"] == treatment)]["att"]
            value = scale * float(true.iloc[0])
            ax.plot([value, value], [base - 0.42, base + 0.42], color="black", linewidth=2.5,
                    label="true effect on takers" if i == 0 else None, zorder=3)
            for j, method in enumerate(methods):
                y = base + 0.4 - step * (j + 0.5)
                row = estimates[(estimates["group"] == group) & (estimates["feature"] == treatment)
                                & (estimates["method"] == method)]
                label = method if i == 0 else None
                if row.empty or bool(row["abstained"].iloc[0]):
                    ax.plot([value], [y], marker="x", color=colours(j), linestyle="",
                            label=label)
                    continue
                est = scale * float(row["estimate"].iloc[0])
                low, high = (scale * float(row[c].iloc[0]) for c in ("low", "high"))
                err = None if np.isnan(low) else [[est - low], [high - est]]
                ax.errorbar(est, y, xerr=err, fmt="o", color=colours(j), markersize=4,
                            capsize=2, label=label)
        ax.axvline(0, color="#999999", linewidth=0.8)
        ax.set_yticks(range(len(groups)), groups[::-1])
        ax.set_title(treatment, fontsize=10)
        ax.set_xlabel("effect on failure probability (points)")
    axes[-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return axes


def plot_effects_vs_truth(scored: pd.DataFrame, features: Sequence[str], limit: float,
                          ax: plt.Axes | None = None) -> plt.Axes:
    """:func:`causalxai.plots.methods_vs_truth` on a frame ``[-limit, limit]``.

    An estimate outside the frame (a method that extrapolates wildly) is drawn at the edge
    with its value written beside it; intervals are cut at the frame.
    """
    from causalxai.plots import methods_vs_truth

    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit!r}")
    shown = scored.copy()
    outside = shown["mean"].abs() > limit
    edge = np.sign(shown.loc[outside, "mean"]) * 0.97 * limit
    for column in ("mean", "q025", "q975"):
        shown.loc[outside, column] = edge
        shown[column] = shown[column].clip(-limit, limit)
    ax = methods_vs_truth(shown, features=list(features), ax=ax)
    ax.set_xlim(-limit, limit)
    legend = ax.get_legend()
    for text in legend.get_texts() if legend is not None else ():
        if text.get_text() == "true effect (do)":
            text.set_text("true effect on the takers")
    methods = list(dict.fromkeys(scored.index.get_level_values(0)))
    step = 0.8 / max(len(methods), 1)
    for (method, feature), value in scored.loc[outside, "mean"].items():
        base = len(features) - 1 - list(features).index(feature)
        y = base + 0.4 - step * (methods.index(method) + 0.5)
        ax.annotate(f"{value:.3g} (off scale)", (float(np.sign(value)) * 0.97 * limit, y),
                    xytext=(-4 if value > 0 else 4, 0), textcoords="offset points",
                    ha="right" if value > 0 else "left", va="center", fontsize=7)
    return ax
