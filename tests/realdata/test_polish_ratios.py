"""Tests of causalxai.realdata.polish_ratios: the published definitions read as items."""

from __future__ import annotations

import pytest

from causalxai.realdata import polish_ratios as pr


def test_every_polish_ratio_is_defined_and_parsed():
    assert list(pr.POLISH_RATIOS) == [f"Attr{i}" for i in range(1, 65)]
    table = pr.component_table()
    assert table["items"].map(len).min() >= 1


def test_parse_ratio_expands_composites_and_rejects_unknown_text():
    num, den = pr.parse_ratio(pr.POLISH_RATIOS["Attr3"], expand=True)
    assert num == {"current assets", "short-term liabilities"} and den == {"total assets"}
    with pytest.raises(ValueError, match="no accounting item"):
        pr.parse_ratio("number of employees / headcount")


def test_mechanical_groups_find_reciprocals_and_rescalings():
    groups = pr.mechanical_groups()
    for pair in (["Attr2", "Attr17"], ["Attr9", "Attr36"], ["Attr20", "Attr60"],
                 ["Attr44", "Attr61"], ["Attr62", "Attr63"], ["Attr15", "Attr16"]):
        assert pair in groups
    assert all(len(g) >= 2 for g in groups)
    assert not any({"Attr1", "Attr2"} <= set(g) for g in groups)
    toy = {"a": "net profit / total assets", "b": "total assets / net profit",
           "c": "sales / total assets", "d": "cash"}
    assert pr.mechanical_groups(toy) == [["a", "b"]]
    assert pr.mechanical_groups(toy, min_jaccard=0.3) == [["a", "b", "c"]]
    with pytest.raises(ValueError, match="min_jaccard"):
        pr.mechanical_groups(toy, min_jaccard=0)


def test_features_by_component_counts_shared_denominators():
    by = pr.features_by_component(where="denominator")
    assert next(iter(by)) == "total assets"  # the most shared denominator
    assert {"Attr1", "Attr2", "Attr9"} <= set(by["total assets"])
    assert "Attr17" in pr.features_by_component(where="numerator")["total assets"]


def test_ratio_label_cuts_long_definitions_and_names_unknown_ratios():
    from causalxai.realdata.polish_ratios import POLISH_RATIOS, ratio_label

    assert ratio_label("Attr1") == "Attr1: net profit / total assets"
    long = max(POLISH_RATIOS, key=lambda a: len(POLISH_RATIOS[a]))
    cut = ratio_label(long, width=20)
    assert cut.endswith("…") and len(cut) == len(f"{long}: ") + 20
    with pytest.raises(KeyError, match="'Attr65' is not a Polish ratio"):
        ratio_label("Attr65")
