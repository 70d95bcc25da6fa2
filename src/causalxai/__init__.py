"""causalxai: from SHAP explanations to causal prescriptions.

The helper package of the causalxai compendium. Its folders follow the pipeline of the
book, from the ground up; a module imports only from the layers below its own (checked
by ``lint-imports``, contracts in ``pyproject.toml``):

- shared utilities, for readers: :mod:`~causalxai.fmt` (one number format per quantity),
  :mod:`~causalxai.months` (calendar months as integers, one helper for every chapter),
  :mod:`~causalxai.names` (human names of methods, features and columns),
  :mod:`~causalxai.glue` (glued numbers and figures: formatted text plus the raw value),
  :mod:`~causalxai.tables` (tables as a reader sees them), :mod:`~causalxai.plots` (the
  book's figure style and shared figures); and :mod:`~causalxai.data` (registry of real
  data files, verified loaders), :mod:`~causalxai.scorecard` (estimates against the
  truth);
- :mod:`causalxai.causal` -- the causal ground: structural causal models and
  interventions (``scm``), what can be changed (``actionability``), back-door
  identification (``identification``), causal validity labels of SHAP summaries
  (``validity``), and the one causal-problem object they all take (``problem``: graph with
  latent nodes, outcome, schema, validated once and bound to data);
- :mod:`causalxai.predict` -- models, explanations and their evaluation: the one LightGBM
  factory (``models``), SHAP values and their naive readings (``explain``), interventional
  TreeSHAP in numba (``treeshap``), exact marginal, conditional, asymmetric and causal
  Shapley values (``shapley``, on the coalition value functions of ``coalitions`` and the
  solvers of ``games``), weighted ROC-AUC, average precision, bootstrap weights and alerts at
  a budget (``metrics``), the clip transformer and repeated cross-validation (``protocol``);
- :mod:`causalxai.estimate` -- effect estimation: every method behind one interface
  (``effects``), refutations in numpy with DoWhy's semantics (``refute``),
  binary-treatment estimators (``observational``), sensitivity analysis (``sensitivity``)
  and the libraries' own estimators (``libraries``);
- :mod:`causalxai.prescribe` -- per-unit prescriptions: actions from the actionability
  schema (``actions``), strategies from SHAP-greedy to causal recourse (``strategies``,
  ``structural``), scored by do() in the true SCM against an oracle (``oracle``);
- the parts of the book, each in its own folder: Part II :mod:`causalxai.synthetic`
  (scenarios with known truth, the benchmark and its report), Part I
  :mod:`causalxai.knowledge` (ontology to background knowledge, causal discovery; builds on
  Part II's scenarios), Part III :mod:`causalxai.realdata` (one module per data set), Part
  IV's world :mod:`causalxai.firms` (the firm-panel simulator and its ground truth) and
  service :mod:`causalxai.earlywarning` (horizons, robustness, support; builds on the
  simulator and on Part III's calibration);
- Part V :mod:`causalxai.integration` -- the applied comparison of every technique
  (``comparison``, recomputed with small calls into the parts) and the decision guide
  (``guide``); builds on all the parts;
- :mod:`causalxai.compendium` -- the book machinery (``python -m causalxai``: notebook
  runner, parameters, book build); never imported by the science.
"""

__version__ = "0.1.0"

from causalxai._lazy import lazy_exports

#: Top-level re-exports, imported on first access (``causalxai.Prescriber``).
_EXPORTS = {"Prescriber": "prescribe.prescriber"}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


def _text_progress_bars_in_kernels() -> None:
    """Let ``tqdm.auto`` fall back to its text bars in a kernel without a warning.

    shap and dowhy import ``tqdm.auto``; inside a Jupyter kernel it tries the notebook
    bars, which need ``ipywidgets`` (not installed: a widget has no place in a static
    book), warns ``TqdmWarning: IProgress not found`` on stderr with the machine's path,
    and falls back to the text bars. Choosing that fallback once, before those libraries
    are imported, keeps the behaviour and drops the warning; with ``ipywidgets``
    installed nothing changes.
    """
    import sys

    if "ipykernel.zmqshell" not in sys.modules or "tqdm.autonotebook" in sys.modules:
        return
    import warnings

    try:
        from tqdm import TqdmWarning
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found", category=TqdmWarning)
        import tqdm.autonotebook  # noqa: F401


_text_progress_bars_in_kernels()
