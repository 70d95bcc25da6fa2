"""A simulated monthly panel of firms with a COVID regime, and its ground truth.

The data of a real early-warning service (such as the French "Signaux Faibles" service)
are confidential; this package simulates a panel with the same structure — monthly
social-contribution data, short-time work, payment behaviour, yearly financial
statements published with a lag, failures as openings of collective proceedings — and
with everything a real panel hides: latent health, monthly failure hazards, sector shocks
and who they hit, and the effect on each firm's hazard of each COVID support measure
(short-time work, state-guaranteed loans, deferred social contributions) and of the freeze
of collective proceedings by the courts, a mechanism of its own that is not the firms'.
The measures and the freeze reproduce most of the fall in failures of 2020-2021; the
residual yearly shift the calibration solves is small (``Panel.calibration``).

Modules: :mod:`~causalxai.firms.config` (validated parameters),
:mod:`~causalxai.firms.mechanism` (the monthly SCM and the causal graph with roles),
:mod:`~causalxai.firms.panel` (the :class:`Panel` and its calendar, below the next two),
:mod:`~causalxai.firms.simulate` (worlds with common random numbers, calibration),
:mod:`~causalxai.firms.assemble` (frames), :mod:`~causalxai.firms.targets` (failure
targets, survival times, history features without look-ahead).

The default panel (20,000 firms, 2015-01 to 2023-12) takes about 7 s of CPU time and
1.25 GB at its peak (see :mod:`~causalxai.firms.simulate`); ``Config.small()`` 0.8 s.

Typical use::

    from causalxai.firms import Config, FirmSimulator, failure_within, history_features
    panel = FirmSimulator(Config.small()).simulate(seed=0)
    y = failure_within(panel, months=(12,))
    X = panel.features.join(history_features(panel))
"""

from causalxai.firms.config import (
    DEFAULT_COURT_PROFILE,
    DEFAULT_SECTORS,
    ENERGY_SHOCK_2022,
    PLACEHOLDER_TARGET_RATIOS,
    Coefficients,
    Config,
    Covid,
    Sector,
    SectorEvent,
)
from causalxai.firms.mechanism import (
    FEATURE_NODES,
    ROLES,
    firm_actionability,
    firm_graph,
    monthly_scm,
)
from causalxai.firms.panel import Panel
from causalxai.firms.simulate import COURTS, MEASURES, WORLDS, FirmSimulator
from causalxai.firms.targets import (
    failure_targets,
    failure_within,
    history_features,
    survival_targets,
    time_to_event,
)

__all__ = [
    "COURTS",
    "DEFAULT_COURT_PROFILE",
    "DEFAULT_SECTORS",
    "ENERGY_SHOCK_2022",
    "FEATURE_NODES",
    "MEASURES",
    "PLACEHOLDER_TARGET_RATIOS",
    "ROLES",
    "WORLDS",
    "Coefficients",
    "Config",
    "Covid",
    "FirmSimulator",
    "Panel",
    "Sector",
    "SectorEvent",
    "failure_targets",
    "failure_within",
    "firm_actionability",
    "firm_graph",
    "history_features",
    "monthly_scm",
    "survival_targets",
    "time_to_event",
]
