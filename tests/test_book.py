"""The book builds strictly (warnings as errors) from the smoke outputs."""

from __future__ import annotations

import re

import pytest

from causalxai.compendium import book
from causalxai.compendium.book import glued
from causalxai.compendium.paths import Layout
from causalxai.fmt import fmt
from tests.conftest import REPO


@pytest.mark.book
def test_book_builds_strictly_from_smoke_outputs(smoke_outputs):
    layout = Layout(REPO)
    index = book.build(layout, "smoke", strict=True)
    assert index.is_file()
    html = (index.parent / "executed/20_synthetic/01_shap_is_not_causal.html").read_text()
    # Glued numbers reached the prose: no unresolved glue roles remain.
    assert "glue:text" not in html
    r2 = float(glued(smoke_outputs["20_synthetic/01_shap_is_not_causal.ipynb"])["r2"])
    assert re.search(rf'of <span class="pasted-text">{fmt(r2, "score")}</span>', html)
    # The rerun box (collapsed) with the set, the values and the command; no boilerplate.
    assert "Rerun this chapter" in html and "dropdown" in html
    text = re.sub(r"<[^>]+>", "", html)  # the command is syntax-highlighted span by span
    assert "This page shows the parameter set smoke, run on" in " ".join(text.split())
    assert ("python -m causalxai run notebooks/20_synthetic/01_shap_is_not_causal.ipynb "
            "-p n_samples=2000") in text
    assert "# Parameters" not in html  # papermill's injected cell
    assert "firms sampled to train each model" not in html  # the parameters cell
    bib = (index.parent / "book/bibliography.html").read_text()
    assert "Lundberg" in bib and "Pearl" in bib
