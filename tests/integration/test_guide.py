"""Tests for causalxai.integration.guide: the decision guide as data and as a figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest

from causalxai.integration.guide import GUIDE, OUTCOMES, Step, decision_guide, guide_paths
from causalxai.plots import BOOK_WIDTH


def test_every_path_ends_at_an_outcome_and_every_node_is_reached():
    paths = guide_paths()
    assert len(paths) == len(GUIDE) + 1  # a chain: one exit per question, two at the end
    assert all(path[-1][0] in OUTCOMES for path in paths)
    reached = {step for path in paths for step, _ in path}
    assert set(GUIDE) | set(OUTCOMES) == reached
    # The only way to a prescription answers every question the right way.
    (to_prescribe,) = [p for p in paths if p[-1][0] == "prescribe"]
    assert [s for s, _ in to_prescribe[:-1]] == list(GUIDE)
    assert dict(to_prescribe[:-1])["symptom"] == "no"


def test_a_symptom_or_an_unidentified_effect_never_leads_to_a_prescription():
    for path in guide_paths():
        answers = dict(path[:-1])
        if answers.get("symptom") == "yes" or answers.get("identified") == "no":
            assert path[-1][0] != "prescribe"


def test_malformed_guides_are_refused():
    with pytest.raises(ValueError, match="neither a step nor an outcome"):
        guide_paths({"a": Step("?", "nowhere", "describe")}, "a")
    with pytest.raises(ValueError, match="cycle"):
        guide_paths({"a": Step("?", "b", "describe"), "b": Step("?", "a", "describe")}, "a")


def test_the_figure_fits_the_column_and_shows_every_box():
    fig = decision_guide()
    assert fig.get_figwidth() <= BOOK_WIDTH
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for outcome in OUTCOMES.values():
        assert outcome in texts
    for step in GUIDE.values():
        assert step.question in texts
