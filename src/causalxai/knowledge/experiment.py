"""The experiment of the chapter "From domain knowledge to a causal graph".

On scenarios of :mod:`causalxai.synthetic.scenarios` whose graph is known, with Gaussian noise and
with a non-Gaussian variant of the same linear model (:func:`with_noise`), each of PC,
FCI, GES and DirectLiNGAM is run on the observed variables with and without the
knowledge compiled from the ontology; the discovered graph is scored against the true
DAG (:func:`~causalxai.knowledge.graphs.edge_scores`) and used to estimate the effect of
each feature on the outcome (:func:`~causalxai.knowledge.discovery.effect_from_graph`),
compared with the truth of :func:`causalxai.synthetic.scenarios.true_effects`. Two *oracles* give
the floor of each setting: the true CPDAG (what perfect independence tests can tell,
without knowledge) and the true CPDAG closed under the knowledge.

:func:`knowledge_variants` builds ontologies with one piece of knowledge missing or
wrong, and :func:`ablation` measures what each does to the graph and to the effects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import rdflib
from joblib import Parallel, delayed

from causalxai.causal.scm import SCM, Node, laplace, normal, uniform
from causalxai.knowledge.discovery import (
    ALGORITHMS,
    apply_knowledge,
    discover,
    effects_from_graph,
    violations,
)
from causalxai.knowledge.graphs import MixedGraph, cpdag, edge_scores
from causalxai.knowledge.ontology import compile_knowledge, edit_ontology, load_ontology
from causalxai.plots import ROLE_COLOURS
from causalxai.synthetic.library import make_scenario
from causalxai.synthetic.scenarios import Scenario, true_effects

__all__ = [
    "LINEAR_SCENARIOS",
    "NOISES",
    "ORACLE",
    "Benchmark",
    "ablation",
    "ablation_mean",
    "ablation_table",
    "benchmark",
    "draw_discovered",
    "effect_summary",
    "headline",
    "knowledge_variants",
    "plot_ablation",
    "plot_effect_errors",
    "plot_shd",
    "shd_summary",
    "summary_value",
    "with_noise",
]

#: Noise families of :func:`with_noise`.
NOISES = ("gaussian", "laplace", "uniform")
#: Name of the oracle rows (the true CPDAG, without or with the knowledge).
ORACLE = "true CPDAG (oracle)"
#: Scenarios of the library that are linear (their noise can be swapped).
LINEAR_SCENARIOS = (
    "firm_distress_toy", "observed_confounding", "unobserved_confounding", "mediator",
    "symptom", "collider", "non_actionable_correlated", "redundant_features",
)


# Scenarios with another noise --------------------------------------------------------------------
def _linear_mechanism(
    coefficients: dict[str, float],
) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    def f(parents: dict[str, np.ndarray]) -> np.ndarray:
        return sum(w * parents[p] for p, w in coefficients.items())  # type: ignore[return-value]

    return f


def with_noise(scenario: Scenario, kind: str) -> Scenario:
    """The same linear scenario with every Gaussian noise replaced by a centred noise of
    the same variance from family ``kind``.

    Laplace noise of standard deviation ``s`` has diversity ``s / sqrt(2)``; uniform
    noise is ``U(-s sqrt(3), s sqrt(3))``. The weights, hence every true effect of a
    shift, are unchanged; DirectLiNGAM needs such non-Gaussian noise to orient edges.

    Parameters
    ----------
    scenario : Scenario
        A linear-Gaussian scenario (built by ``SCM.linear_gaussian``).
    kind : {"gaussian", "laplace", "uniform"}
        "gaussian" returns the scenario unchanged.

    Raises
    ------
    ValueError
        For an unknown kind or a scenario that is not linear-Gaussian.
    """
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; use one of {NOISES}")
    weights = scenario.scm.weights
    if weights is None:
        raise ValueError(f"scenario {scenario.name!r} is not linear: its noise cannot be "
                         f"swapped (linear ones: {', '.join(LINEAR_SCENARIOS)})")
    if kind == "gaussian":
        return scenario
    nodes = []
    for name, node in scenario.scm.nodes.items():
        if node.noise.kind != "normal":
            raise ValueError(f"node {name!r} of {scenario.name!r} has {node.noise.kind} noise")
        s = node.noise.scale
        noise = laplace(s / np.sqrt(2)) if kind == "laplace" else \
            uniform(-s * np.sqrt(3), s * np.sqrt(3)) if s > 0 else normal(0.0)
        coefficients = {p: weights[(p, name)] for p in node.parents}
        f = _linear_mechanism(coefficients) if coefficients else None
        nodes.append(Node(name, node.parents, f, noise, latent=node.latent))
    return dataclasses.replace(scenario, scm=SCM(nodes))


# The benchmark -----------------------------------------------------------------------------------
@dataclasses.dataclass
class Benchmark:
    """Raw results of :func:`benchmark`.

    Attributes
    ----------
    graphs : pandas.DataFrame
        One row per (scenario, noise, n, seed, algorithm, knowledge): the scores of
        :func:`~causalxai.knowledge.graphs.edge_scores`, ``seconds``, ``violations`` of
        the knowledge, ``post_hoc_edits``.
    effects : pandas.DataFrame
        One row per (scenario, noise, n, seed, algorithm, knowledge, feature): the
        :class:`~causalxai.knowledge.discovery.EffectReading` fields, ``truth`` and
        ``abs_error``; ``algorithm == "true graph"`` rows use the true DAG (latent
        nodes included).
    truth : pandas.DataFrame
        True effect per (scenario, feature).
    """

    graphs: pd.DataFrame
    effects: pd.DataFrame
    truth: pd.DataFrame


def _task(
    name: str, noise: str, n: int, seed: int, algorithms: Sequence[str], alpha: float,
    ontology_text: str, require_asserted: bool, oracle: bool,
) -> tuple[list[dict], list[dict]]:
    scenario = with_noise(make_scenario(name), noise)
    data = scenario.scm.sample(n, seed=seed)
    rng = np.random.default_rng([seed, n, len(name)])
    data = data[list(rng.permutation(data.columns))]  # no hint from the topological order
    onto = load_ontology(ontology_text)
    knowledge = compile_knowledge(onto, list(data.columns), require_asserted=require_asserted)
    true_dag = scenario.causal_graph
    base = {"scenario": name, "noise": noise, "n": n, "seed": seed}
    graph_rows, effect_rows = [], []

    def record(algorithm: str, with_k: bool, graph: MixedGraph, seconds: float,
               edits: int) -> None:
        graph_rows.append({**base, "algorithm": algorithm, "knowledge": with_k,
                           **edge_scores(graph, true_dag), "seconds": seconds,
                           "violations": len(violations(graph, knowledge)),
                           "post_hoc_edits": edits})
        for r in effects_from_graph(data, graph, scenario.features, scenario.outcome):
            effect_rows.append({**base, "algorithm": algorithm, "knowledge": with_k,
                                **dataclasses.asdict(r)})

    for algorithm in algorithms:
        for with_k in (False, True):
            d = discover(data, algorithm, knowledge if with_k else None, alpha=alpha, seed=seed)
            record(algorithm, with_k, d.graph, d.seconds, len(d.changes))
    if oracle:
        truth_cpdag = cpdag(true_dag, data.columns)
        record(ORACLE, False, truth_cpdag, 0.0, 0)
        record(ORACLE, True, apply_knowledge(truth_cpdag, knowledge)[0], 0.0, 0)
    for r in effects_from_graph(data, true_dag, scenario.features, scenario.outcome):
        effect_rows.append({**base, "algorithm": "true graph", "knowledge": False,
                            **dataclasses.asdict(r)})
    return graph_rows, effect_rows


def benchmark(
    scenarios: Sequence[str],
    *,
    sample_sizes: Sequence[int],
    seeds: Sequence[int],
    noises: Sequence[str] = ("gaussian", "laplace"),
    algorithms: Sequence[str] = ALGORITHMS,
    ontology: rdflib.Graph | None = None,
    alpha: float = 0.01,
    require_asserted: bool = False,
    n_truth: int = 20_000,
    n_jobs: int = 1,
) -> Benchmark:
    """Run every algorithm with and without knowledge on every setting.

    Parameters
    ----------
    scenarios : sequence of str
        Names in :data:`LINEAR_SCENARIOS`.
    sample_sizes, seeds : sequence of int
        Each setting draws a fresh sample of each size with each seed.
    noises : sequence of str
        Noise families (:data:`NOISES`).
    algorithms : sequence of str
        A subset of :data:`~causalxai.knowledge.discovery.ALGORITHMS`.
    ontology : rdflib.Graph, optional
        Default: the compendium's ontology.
    alpha : float
        Level of the independence tests.
    require_asserted : bool
        Compile asserted influences into required edges.
    n_truth : int
        Monte-Carlo size of the true effects (exact for these linear models).
    n_jobs : int
        Settings run in parallel (processes).

    Returns
    -------
    Benchmark

    Raises
    ------
    ValueError
        For an unknown scenario, noise or algorithm, or empty lists.
    """
    for name in scenarios:
        if name not in LINEAR_SCENARIOS:
            raise ValueError(f"scenario {name!r} is not one of the linear scenarios "
                             f"{LINEAR_SCENARIOS}")
    for noise in noises:
        if noise not in NOISES:
            raise ValueError(f"unknown noise {noise!r}; use one of {NOISES}")
    for algorithm in algorithms:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {algorithm!r}; use one of {ALGORITHMS}")
    if not (scenarios and sample_sizes and seeds and noises and algorithms):
        raise ValueError("scenarios, sample_sizes, seeds, noises and algorithms must be "
                         "non-empty")
    text = (ontology if ontology is not None else load_ontology()).serialize(format="turtle")
    tasks = [(s, z, int(n), int(seed)) for s in scenarios for z in noises
             for n in sample_sizes for seed in seeds]
    first_seed = int(seeds[0])
    results = Parallel(n_jobs=n_jobs)(
        delayed(_task)(s, z, n, seed, tuple(algorithms), alpha, text, require_asserted,
                       seed == first_seed)
        for s, z, n, seed in tasks
    )
    graphs = pd.DataFrame([row for g, _ in results for row in g])
    effects = pd.DataFrame([row for _, e in results for row in e])
    truth = pd.concat({s: true_effects(make_scenario(s), n=n_truth)["effect"]
                       for s in scenarios}, names=["scenario", "feature"]).rename("truth")
    effects = effects.rename(columns={"treatment": "feature"}).join(
        truth, on=["scenario", "feature"])
    effects["abs_error"] = (effects["estimate"] - effects["truth"]).abs()
    return Benchmark(graphs, effects, truth.reset_index())


# Summaries ---------------------------------------------------------------------------------------
def shd_summary(graphs: pd.DataFrame) -> pd.DataFrame:
    """SHD summed over the scenarios, per (noise, algorithm, knowledge, n): its mean and
    range over seeds, with the mean precision and recall of the edges.

    Oracle rows (one seed) are reported with a zero-width range.
    """
    keys = ["noise", "algorithm", "knowledge", "n"]
    total = graphs.groupby([*keys, "seed"])["shd"].sum()
    out = total.groupby(keys).agg(shd_mean="mean", shd_min="min", shd_max="max")
    rates = graphs.groupby(keys)[["skeleton_precision", "skeleton_recall",
                                  "directed_precision", "directed_recall"]].mean()
    return out.join(rates)


def effect_summary(effects: pd.DataFrame, *, identifiable_only: bool = True) -> pd.DataFrame:
    """Effect errors per (noise, algorithm, knowledge, n).

    Parameters
    ----------
    effects : pandas.DataFrame
        :attr:`Benchmark.effects`.
    identifiable_only : bool
        Keep the (scenario, feature) pairs whose effect the *true* graph identifies
        (drops the levers confounded by a latent variable, which no graph over the
        observed variables can fix).

    Returns
    -------
    pandas.DataFrame
        ``mean_abs_error`` and ``median_abs_error`` over the estimates made,
        ``share_identified`` (all DAG extensions agree), ``share_no_estimate``, and the
        spread of the mean error over seeds (``error_min``, ``error_max``).
    """
    e = effects
    if identifiable_only:
        ok = e[(e["algorithm"] == "true graph") & e["estimate"].notna()]
        pairs = set(zip(ok["scenario"], ok["feature"], strict=True))
        e = e[[(s, f) in pairs for s, f in zip(e["scenario"], e["feature"], strict=True)]]
    keys = ["noise", "algorithm", "knowledge", "n"]
    g = e.groupby(keys)
    out = pd.DataFrame({
        "mean_abs_error": g["abs_error"].mean(),
        "median_abs_error": g["abs_error"].median(),
        "share_identified": g["identified"].mean(),
        "share_no_estimate": g["estimate"].apply(lambda s: float(s.isna().mean())),
    })
    per_seed = e.groupby([*keys, "seed"])["abs_error"].mean().groupby(keys)
    return out.join(per_seed.agg(error_min="min", error_max="max"))


# Missing and wrong knowledge ---------------------------------------------------------------------
def knowledge_variants(ontology: rdflib.Graph | None = None) -> dict[str, rdflib.Graph | None]:
    """The ontology and variants with one piece of knowledge missing or wrong.

    Returns
    -------
    dict
        ``"no knowledge"`` (None), ``"correct ontology"``, ``"missing: stage of firm
        age"`` (firm age no longer placed in the first stage), ``"wrong: late payments
        a cause"`` (the symptom moved to the balance-sheet stage, its consequence
        statement dropped and an influence on distress asserted), ``"wrong: interest
        before debt"`` (the interest burden moved to the first stage and the asserted
        ``debt_ratio influences interest_burden`` dropped, which would otherwise be a
        contradiction).
    """
    onto = ontology if ontology is not None else load_ontology()
    return {
        "no knowledge": None,
        "correct ontology": onto,
        "missing: stage of firm age": edit_ontology(
            onto, remove="cx:firm_age cx:inStage cx:Context ."),
        "wrong: late payments a cause": edit_ontology(
            onto,
            remove="cx:late_payments cx:inStage cx:Symptoms ; "
                   "cx:isConsequenceOf cx:distress .",
            add="cx:late_payments cx:inStage cx:FinancialPosition ; "
                "cx:influences cx:distress ."),
        "wrong: interest before debt": edit_ontology(
            onto,
            remove="cx:interest_burden cx:inStage cx:FinancingCost . "
                   "cx:debt_ratio cx:influences cx:interest_burden .",
            add="cx:interest_burden cx:inStage cx:Context ."),
    }


def ablation(
    variants: Mapping[str, rdflib.Graph | None],
    *,
    scenario: str = "firm_distress_toy",
    algorithms: Sequence[str] = ("PC", "GES"),
    n: int = 8000,
    seeds: Iterable[int] = range(5),
    noise: str = "gaussian",
    alpha: float = 0.01,
    n_truth: int = 20_000,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Discovery and effects with each ontology variant.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Graph scores per (variant, algorithm, seed); effect readings per (variant,
        algorithm, seed, feature) with ``truth`` and ``abs_error``.
    """
    sc = with_noise(make_scenario(scenario), noise)
    truth = true_effects(make_scenario(scenario), n=n_truth)["effect"]
    graph_rows, effect_rows = [], []
    for seed in seeds:
        data = sc.scm.sample(n, seed=seed)
        data = data[list(np.random.default_rng([seed, n, len(scenario)]).permutation(
            data.columns))]
        for label, onto in variants.items():
            knowledge = None if onto is None else compile_knowledge(onto, list(data.columns))
            for algorithm in algorithms:
                d = discover(data, algorithm, knowledge, alpha=alpha, seed=seed)
                graph_rows.append({"variant": label, "algorithm": algorithm, "seed": seed,
                                   **edge_scores(d.graph, sc.causal_graph)})
                for r in effects_from_graph(data, d.graph, sc.features, sc.outcome):
                    effect_rows.append({"variant": label, "algorithm": algorithm,
                                        "seed": seed, **dataclasses.asdict(r)})
    effects = pd.DataFrame(effect_rows).rename(columns={"treatment": "feature"})
    effects["truth"] = effects["feature"].map(truth)
    effects["abs_error"] = (effects["estimate"] - effects["truth"]).abs()
    return pd.DataFrame(graph_rows), effects


# Figures -----------------------------------------------------------------------------------------
def plot_shd(summary: pd.DataFrame, *, algorithms: Sequence[str] = ALGORITHMS) -> plt.Figure:
    """SHD (summed over scenarios) against the sample size, one panel per (noise,
    algorithm): without and with knowledge, mean and range over seeds, with the oracle
    floors (true CPDAG without / with knowledge) as horizontal lines."""
    noises = list(dict.fromkeys(summary.index.get_level_values("noise")))
    # one row per algorithm, one column per noise: at most 7 inches wide (the book's column)
    fig, axes = plt.subplots(len(algorithms), len(noises), figsize=(7, 1.9 * len(algorithms) + 0.6),
                             sharex=True, sharey=True, squeeze=False, layout="constrained")
    styles = {False: ("#7f7f7f", "o", "without knowledge"),
              True: ("#d62728", "s", "with the ontology's knowledge")}
    for j, noise in enumerate(noises):
        for i, algorithm in enumerate(algorithms):
            ax = axes[i, j]
            for with_k, (colour, marker, label) in styles.items():
                try:
                    part = summary.loc[(noise, algorithm, with_k)]
                except KeyError:
                    continue
                x = part.index.to_numpy()
                ax.fill_between(x, part["shd_min"], part["shd_max"], color=colour, alpha=0.15)
                ax.plot(x, part["shd_mean"], marker=marker, color=colour, label=label)
                if (noise, ORACLE, with_k) in summary.index.droplevel("n"):
                    floor = float(summary.loc[(noise, ORACLE, with_k)]["shd_mean"].iloc[0])
                    ax.axhline(floor, color=colour, linestyle=":", linewidth=1.2,
                               label=f"true CPDAG {'+ knowledge' if with_k else '(no knowledge)'}")
            ax.set_xscale("log")
            sizes = sorted(set(summary.index.get_level_values("n")))
            ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
            ax.xaxis.set_minor_locator(plt.NullLocator())
            ax.set_title(f"{algorithm}, {noise} noise")
            ax.grid(alpha=0.3)
            if j == 0:
                ax.set_ylabel("SHD (sum)")
            if i == len(algorithms) - 1:
                ax.set_xlabel("Sample size")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
    return fig


def _layout(graph: nx.DiGraph) -> dict[str, np.ndarray]:
    depth: dict[str, int] = {}
    for node in nx.topological_sort(graph):
        preds = list(graph.predecessors(node))
        depth[node] = 1 + max(depth[p] for p in preds) if preds else 0
    pos = {}
    for d in sorted(set(depth.values())):
        column = sorted(v for v in depth if depth[v] == d)
        for i, v in enumerate(column):
            pos[v] = np.array([d, (len(column) - 1) / 2 - i], dtype=float)
    return pos


def draw_discovered(
    graph: MixedGraph,
    truth: nx.DiGraph,
    *,
    roles: Mapping[str, str] | None = None,
    outcome: str | None = None,
    title: str = "",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Draw a graph over the true graph's layout, each edge coloured by its agreement
    with the truth: black right, orange undirected (truth directed), red reversed or
    bidirected, dashed red extra, dotted grey missing."""
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    observed = [v for v in truth if not truth.nodes[v].get("latent")]
    sub = nx.DiGraph(truth.subgraph(observed))
    pos = _layout(sub)
    true = MixedGraph.from_dag(sub, graph.nodes)
    roles = dict(roles or {})
    for u, v in sorted(set(graph.marks) | set(true.marks)):
        est, tru = graph.kind(u, v), true.kind(u, v)
        a, b = (v, u) if est == "<-" or (est == "none" and tru == "<-") else (u, v)
        if est == "none":
            style, colour, arrow = ":", "#aaaaaa", "-|>"
        elif tru == "none":
            style, colour, arrow = "--", "#d62728", "-|>" if est in ("->", "<-") else "-"
        elif est == "--":
            style, colour, arrow = "-", "#ff7f0e", "-"
        elif est == "<->":
            style, colour, arrow = "-", "#d62728", "<|-|>"
        elif est == tru:
            style, colour, arrow = "-", "#222222", "-|>"
        else:
            style, colour, arrow = "-", "#d62728", "-|>"
        if est == "--" and tru == "none":
            arrow = "-"
        ax.annotate("", xy=pos[b], xytext=pos[a],
                    arrowprops={"arrowstyle": arrow, "color": colour, "linestyle": style,
                                "linewidth": 1.8, "shrinkA": 20, "shrinkB": 20,
                                "mutation_scale": 14})
    for node, xy in pos.items():
        role = "outcome" if node == outcome else roles.get(node, "lever")
        ax.scatter(*xy, s=1500, color=ROLE_COLOURS.get(role, "#cccccc"), edgecolors="#333333",
                   zorder=3)
        ax.text(*xy, node.replace("_", "\n"), ha="center", va="center", fontsize=8, zorder=4)
    xs = np.array(list(pos.values()))
    ax.set_xlim(xs[:, 0].min() - 0.6, xs[:, 0].max() + 0.6)
    ax.set_ylim(xs[:, 1].min() - 0.8, xs[:, 1].max() + 0.8)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
    return ax


def headline(shd: pd.DataFrame, effects: pd.DataFrame, n: int) -> pd.DataFrame:
    """One row per (noise, algorithm) at sample size ``n``: SHD (mean over seeds, summed
    over scenarios) and mean absolute effect error, without and with the knowledge,
    and the share of effects identified (every DAG extension agrees).

    Parameters
    ----------
    shd, effects : pandas.DataFrame
        :func:`shd_summary` and :func:`effect_summary` outputs.
    n : int
        A sample size present in both.
    """
    rows = {}
    for (noise, algorithm, with_k, size), row in shd.iterrows():
        if size != n:
            continue
        tag = "with" if with_k else "without"
        entry = rows.setdefault((noise, algorithm), {})
        entry[f"SHD {tag}"] = row["shd_mean"]
        entry[f"SHD range {tag}"] = f"{row['shd_min']:g}–{row['shd_max']:g}"
        key = (noise, algorithm, with_k, size)
        if key in effects.index:
            entry[f"effect error {tag}"] = effects.loc[key, "mean_abs_error"]
            entry[f"identified {tag}"] = effects.loc[key, "share_identified"]
    for (noise, algorithm, _, size), row in effects.iterrows():
        if size == n and algorithm == "true graph":
            rows.setdefault((noise, algorithm), {})["effect error without"] = \
                row["mean_abs_error"]
            rows[(noise, algorithm)]["identified without"] = row["share_identified"]
    order = ["SHD without", "SHD with", "SHD range without", "SHD range with",
             "effect error without", "effect error with", "identified without",
             "identified with"]
    out = pd.DataFrame.from_dict(rows, orient="index")
    rank = {name: i for i, name in enumerate([*ALGORITHMS, ORACLE, "true graph"])}
    noises = list(dict.fromkeys(k[0] for k in rows))
    out = out.loc[sorted(out.index, key=lambda k: (noises.index(k[0]), rank.get(k[1], 99)))]
    out.index = pd.MultiIndex.from_tuples(out.index, names=["noise", "algorithm"])
    return out[[c for c in order if c in out.columns]]


def plot_effect_errors(effects: pd.DataFrame, n: int,
                       algorithms: Sequence[str] = ALGORITHMS) -> plt.Figure:
    """Mean absolute effect error at sample size ``n`` per algorithm, without and with
    knowledge (bars, range over seeds as error bars), one panel per noise; the error
    with the true graph and with the oracle CPDAG + knowledge as vertical lines."""
    noises = list(dict.fromkeys(effects.index.get_level_values("noise")))
    fig, axes = plt.subplots(len(noises), 1, figsize=(7, 2.6 * len(noises) + 0.7), sharex=True,
                             squeeze=False, layout="constrained")
    for ax, noise in zip(axes[:, 0], noises, strict=True):
        y = np.arange(len(algorithms))[::-1]
        for offset, with_k, colour, label in ((0.18, False, "#7f7f7f", "without knowledge"),
                                              (-0.18, True, "#d62728", "with knowledge")):
            vals, lo, hi = [], [], []
            for a in algorithms:
                row = effects.loc[(noise, a, with_k, n)]
                vals.append(row["mean_abs_error"])
                lo.append(row["mean_abs_error"] - row["error_min"])
                hi.append(row["error_max"] - row["mean_abs_error"])
            ax.barh(y + offset, vals, height=0.34, color=colour, xerr=[lo, hi], capsize=2,
                    label=label)
        for name, style in (("true graph", "-"), (ORACLE, ":")):
            for with_k in (False, True):
                key = (noise, name, with_k, n)
                if key in effects.index and (name == "true graph" or with_k):
                    ax.axvline(effects.loc[key, "mean_abs_error"], color="black",
                               linestyle=style, linewidth=1,
                               label="true graph" if name == "true graph"
                               else "true CPDAG + knowledge")
        ax.set_yticks(y, algorithms)
        ax.set_title(f"{noise.capitalize()} noise, n = {n:,}")
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("Mean |estimated effect − true effect|")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
    return fig


def plot_ablation(effects: pd.DataFrame, features: Sequence[str],
                  algorithm: str = "PC") -> plt.Figure:
    """Each variant's estimates (one dot per seed) of the effect of each feature, beside
    the truth (black bar)."""
    e = effects[effects["algorithm"] == algorithm]
    variants = list(dict.fromkeys(e["variant"]))
    fig, axes = plt.subplots(len(features), 1, figsize=(7, (0.3 * len(variants) + 0.8)
                             * len(features)), squeeze=False, layout="constrained")
    colours = plt.get_cmap("tab10")
    for ax, feature in zip(axes[:, 0], features, strict=True):
        part = e[e["feature"] == feature]
        truth = float(part["truth"].iloc[0])
        for i, variant in enumerate(variants):
            y = len(variants) - 1 - i
            values = part.loc[part["variant"] == variant, "estimate"].to_numpy(dtype=float)
            jitter = np.linspace(-0.15, 0.15, max(len(values), 1))[: len(values)]
            ax.scatter(values, y + jitter, color=colours(i), s=22, zorder=3)
        ax.axvline(truth, color="black", linewidth=2.5, label="true effect")
        ax.set_yticks(range(len(variants)), variants[::-1])
        ax.set_title(f"Effect of {feature.replace('_', ' ')} ({algorithm})")
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].legend(loc="lower left")
    return fig


def ablation_table(graphs: pd.DataFrame, effects: pd.DataFrame,
                   features: Sequence[str]) -> pd.DataFrame:
    """Per (algorithm, variant): the mean SHD, the mean estimate of each feature's
    effect, the share of those effects identified, and the mean absolute error over all
    features (NaN estimates, where a graph reads latent confounding, are left out)."""
    keys = ["algorithm", "variant"]
    order = list(dict.fromkeys(graphs["variant"]))
    out = graphs.groupby(keys)["shd"].mean().rename("SHD").to_frame()
    sub = effects[effects["feature"].isin(features)]
    means = sub.pivot_table(index=keys, columns="feature", values="estimate", aggfunc="mean")
    out = out.join(means[list(features)].add_prefix("effect of "))
    ident = sub.groupby(keys)["identified"].mean().rename("identified")
    out = out.join(ident)
    out = out.join(effects.groupby(keys)["abs_error"].mean().rename("mean |error|, all features"))
    return out.reindex(pd.MultiIndex.from_product(
        [list(dict.fromkeys(graphs["algorithm"])), order], names=keys))


def summary_value(summary: pd.DataFrame, noise: str, algorithm: str, knowledge: bool, n: int,
                  column: str = "shd_mean") -> float:
    """One cell of :func:`shd_summary` or :func:`effect_summary`: the row of ``(noise,
    algorithm, knowledge, n)``, the column ``column``.

    Raises
    ------
    KeyError
        If the table has no such row or column (the message names what is missing).
    """
    if column not in summary.columns:
        raise KeyError(f"column {column!r} is not in the summary (it has "
                       f"{', '.join(map(str, summary.columns))})")
    key = (noise, algorithm, bool(knowledge), n)
    if key not in summary.index:
        raise KeyError(f"the summary has no row (noise, algorithm, knowledge, n) = {key!r}")
    return float(summary.loc[key, column])


def ablation_mean(effects: pd.DataFrame, variant: str, feature: str, column: str = "estimate",
                  algorithm: str = "PC") -> float:
    """Mean over seeds of ``column`` in :func:`ablation`'s effects, for one knowledge
    variant, feature and algorithm.

    Raises
    ------
    KeyError
        If no row has that variant, feature and algorithm, or ``column`` is not a column.
    """
    if column not in effects.columns:
        raise KeyError(f"column {column!r} is not in the ablation's effects")
    sel = ((effects["variant"] == variant) & (effects["feature"] == feature)
           & (effects["algorithm"] == algorithm))
    if not sel.any():
        raise KeyError(f"no ablation effect for variant {variant!r}, feature {feature!r} and "
                       f"algorithm {algorithm!r}")
    return float(effects.loc[sel, column].mean())
