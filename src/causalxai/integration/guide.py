"""The decision guide: from "I have a model and SHAP values" to what one may do with them.

:data:`GUIDE` is the flowchart as data: each :class:`Step` asks one question and sends a
"yes" and a "no" either to another step or to an outcome (:data:`OUTCOMES`);
:func:`guide_paths` lists every path from the start to an outcome (the tests check that
each question is reached and each path ends), and :func:`decision_guide` draws it under
the book's style, at most :data:`causalxai.plots.BOOK_WIDTH` wide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from causalxai.plots import BOOK_WIDTH, PALETTE

__all__ = ["GUIDE", "OUTCOMES", "START", "Step", "decision_guide", "guide_paths"]


@dataclass(frozen=True)
class Step:
    """One question of the guide and where each answer leads (a step or an outcome)."""

    question: str
    yes: str
    no: str
    where: str = ""


#: The start of the guide.
START = "I have a model and its SHAP values"

#: Outcome -> its text in the figure.
OUTCOMES: Mapping[str, str] = {
    "describe": "Explain the model only:\nSHAP shows where to look",
    "not_lever": "Not a lever: changing it\nchanges nothing (symptom)",
    "build_graph": "Build the graph: ontology\n+ discovery with knowledge",
    "experiment": "I must abstain, or run an\nexperiment (randomised pilot)",
    "rule": "Apply a rule, evaluate it by\nroll-out; abstain from targeting",
    "prescribe": "I must adjust for the back-door\nset (DML, sensitivity); then I\n"
                 "can prescribe (recourse, CATE)",
}

#: The questions, in reading order; ``yes``/``no`` name a step or an outcome.
GUIDE: Mapping[str, Step] = {
    "actionable": Step("Can the user change\nthe feature?", "graph", "describe",
                       "actionability schema"),
    "graph": Step("Is there a causal graph\nof the features?", "symptom", "build_graph",
                  "ontology, discovery"),
    "symptom": Step("Is the feature caused by\nthe outcome (a symptom)?", "not_lever",
                    "identified", "validity labels"),
    "identified": Step("Does an observed set block\nevery back-door path?", "overlap",
                       "experiment", "identification"),
    "overlap": Step("Did comparable units\ntake both values?", "prescribe", "rule",
                    "positivity"),
}


def guide_paths(guide: Mapping[str, Step] = GUIDE, first: str = "actionable"
                ) -> list[list[tuple[str, str]]]:
    """Every path from ``first`` to an outcome, as (step, answer) pairs then the outcome.

    Raises
    ------
    ValueError
        If a step points at a name that is neither a step nor an outcome, or a path
        visits a step twice (a cycle).
    """
    paths: list[list[tuple[str, str]]] = []

    def walk(name: str, path: list[tuple[str, str]]) -> None:
        if name in OUTCOMES:
            paths.append([*path, (name, "")])
            return
        if name not in guide:
            raise ValueError(f"the guide points at {name!r}, neither a step nor an outcome")
        if any(step == name for step, _ in path):
            raise ValueError(f"the guide has a cycle through {name!r}")
        for answer in ("yes", "no"):
            walk(getattr(guide[name], answer), [*path, (name, answer)])

    walk(first, [])
    return paths


def decision_guide(ax=None):
    """Draw :data:`GUIDE`: questions down the left, outcomes on the right.

    Returns
    -------
    matplotlib.figure.Figure
        :data:`causalxai.plots.BOOK_WIDTH` wide (a new figure unless ``ax`` is given).
    """
    import matplotlib.pyplot as plt

    guide_paths()  # fails early on a malformed guide
    if ax is None:
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 7.2))
    else:
        fig = ax.figure
    ax.set_xlim(0, 1)
    ax.set_ylim(0.02, 1)
    ax.axis("off")
    steps = list(GUIDE)
    top, gap = 0.95, 0.15
    pos = {name: (0.27, top - (i + 0.7) * gap) for i, name in enumerate(steps)}
    ends: dict[str, tuple[float, float]] = {}
    for i, name in enumerate(steps):
        step = GUIDE[name]
        for answer in ("yes", "no"):
            target = getattr(step, answer)
            if target in OUTCOMES and target not in ends:
                # The outcome beside the question that leads to it (the last one: below).
                below = i == len(steps) - 1 and answer == "yes"
                ends[target] = ((0.27, pos[name][1] - gap) if below
                                else (0.78, pos[name][1]))
    box = dict(boxstyle="round,pad=0.45", linewidth=1.0)
    ax.text(0.27, top, START, ha="center", va="center", fontsize=10, weight="bold",
            bbox={**box, "facecolor": "white", "edgecolor": "black"})
    ax.annotate("", xy=(0.27, pos[steps[0]][1] + 0.055), xytext=(0.27, top - 0.025),
                arrowprops=dict(arrowstyle="->", color="black"))
    good = {"prescribe"}
    for name in steps:
        x, y = pos[name]
        step = GUIDE[name]
        text = f"{step.question}\n[{step.where}]" if step.where else step.question
        ax.text(x, y, text, ha="center", va="center", fontsize=9,
                bbox={**box, "facecolor": "#f2f2f2", "edgecolor": "#666666"})
        for answer in ("yes", "no"):
            target = getattr(step, answer)
            tx, ty = pos[target] if target in GUIDE else ends[target]
            if tx == x:  # down the column
                start, end = (x, y - 0.055), (tx, ty + 0.055)
                label_at = (x + 0.02, (y + ty) / 2)
            else:  # to the right
                start, end = (x + 0.17, y), (tx - 0.17, ty)
                label_at = ((x + tx) / 2, y + 0.015)
            ax.annotate("", xy=end, xytext=start,
                        arrowprops=dict(arrowstyle="->", color="black", linewidth=0.9))
            ax.text(*label_at, answer, fontsize=8.5, ha="left" if tx == x else "center",
                    va="center" if tx == x else "bottom")
    for name, (x, y) in ends.items():
        colour = PALETTE[2] if name in good else (PALETTE[1] if name in ("experiment", "rule")
                                                   else PALETTE[5])
        ax.text(x, y, OUTCOMES[name], ha="center", va="center", fontsize=9,
                bbox={**box, "facecolor": colour, "edgecolor": colour, "alpha": 0.35})
    return fig
