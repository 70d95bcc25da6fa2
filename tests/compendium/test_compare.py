"""The glue comparison between two runs: what moved, what appeared, what disappeared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causalxai.compendium.cli import main
from causalxai.compendium.compare import compare_runs, differences_table


def _executed(path: Path, values: dict[str, str]) -> None:
    """Write an executed notebook that glued ``values`` the way myst-nb does."""
    outputs = [{"output_type": "display_data",
                "data": {"application/papermill.record/text/plain": text},
                "metadata": {"scrapbook": {"name": name,
                                           "mime_prefix": "application/papermill.record/"}}}
               for name, text in values.items()]
    nb = {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs,
                     "execution_count": 1}], "metadata": {}, "nbformat": 4,
          "nbformat_minor": 5}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))


def test_identical_runs_have_no_difference(tmp_path):
    for side in ("old", "new"):
        _executed(tmp_path / side / "p/a.ipynb", {"x": "1.5", "label": "'symptom'"})
    assert compare_runs(tmp_path / "old", tmp_path / "new") == []


def test_changed_added_removed_and_timings_left_out(tmp_path):
    _executed(tmp_path / "old/p/a.ipynb", {"x": "1.5", "gone": "2", "runtime_total": "10.0",
                                           "fit_seconds": "3"})
    _executed(tmp_path / "new/p/a.ipynb", {"x": "1.6", "new": "3", "runtime_total": "12.0",
                                           "fit_seconds": "4"})
    table = differences_table(compare_runs(tmp_path / "old", tmp_path / "new"))
    assert table.set_index("name")["kind"].to_dict() == {"gone": "removed", "new": "added",
                                                         "x": "changed"}


def test_relative_tolerance_and_nan(tmp_path):
    _executed(tmp_path / "old/a.ipynb", {"x": "1.0", "y": "nan"})
    _executed(tmp_path / "new/a.ipynb", {"x": "1.0000000001", "y": "nan"})
    assert [d.name for d in compare_runs(tmp_path / "old", tmp_path / "new")] == ["x"]
    assert compare_runs(tmp_path / "old", tmp_path / "new", rtol=1e-9) == []


def test_a_notebook_in_one_run_only(tmp_path):
    _executed(tmp_path / "old/a.ipynb", {"x": "1"})
    _executed(tmp_path / "new/a.ipynb", {"x": "1"})
    _executed(tmp_path / "new/b.ipynb", {"y": "2"})
    (diff,) = compare_runs(tmp_path / "old", tmp_path / "new")
    assert (diff.notebook, diff.kind) == ("b.ipynb", "added")


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="run folder not found"):
        compare_runs(tmp_path / "nope", tmp_path)


def test_command_line_exit_codes(tmp_path, capsys):
    _executed(tmp_path / "old/a.ipynb", {"x": "1"})
    _executed(tmp_path / "new/a.ipynb", {"x": "2"})
    assert main(["compare", str(tmp_path / "old"), str(tmp_path / "old")]) == 0
    assert main(["compare", str(tmp_path / "old"), str(tmp_path / "new")]) == 1
    assert "changed  a.ipynb x: 1 -> 2" in capsys.readouterr().out
