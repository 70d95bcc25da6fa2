"""The Key findings block: pasted numbers formatted as myst-nb formats them, README kept in step."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from causalxai.compendium import book
from causalxai.compendium.book import BookError
from causalxai.compendium.paths import Layout

PAGE = """# Key findings

Intro text.

<!-- key-findings:start -->
1. **SHAP misleads.** Off by {glue:text}`../executed/20_synthetic/07_scorecard.ipynb::err:.0%`
   with signs right in {glue:text}`../executed/20_synthetic/07_scorecard.ipynb::n_right` cases,
   \\${glue:text}`../executed/30_real_data/04_lalonde.ipynb::gain:,.0f` for trainees
   ({doc}`scorecard <../executed/20_synthetic/07_scorecard>`, {doc}`guide <reading_guide>`).
<!-- key-findings:end -->

Outro.
"""

VALUES = {"20_synthetic/07_scorecard.ipynb": {"err": "0.2468", "n_right": "12"},
          "30_real_data/04_lalonde.ipynb": {"gain": "1794.3421"}}


def test_findings_refs_lists_notebook_key_and_spec():
    assert book.findings_refs(PAGE) == [
        ("20_synthetic/07_scorecard.ipynb", "err", ".0%"),
        ("20_synthetic/07_scorecard.ipynb", "n_right", ""),
        ("30_real_data/04_lalonde.ipynb", "gain", ",.0f"),
    ]


def test_render_formats_like_myst_nb_and_links_the_sources():
    text = book.render_findings(PAGE, VALUES)
    assert "Off by 25%" in text and "in 12 cases" in text and "$1,794 for trainees" in text
    assert "[scorecard](notebooks/20_synthetic/07_scorecard.ipynb)" in text
    assert "[guide](book/reading_guide.md)" in text
    assert "Intro text" not in text and "Outro" not in text and "glue" not in text


def test_render_pastes_a_quoted_text_as_it_is():
    # causalxai.glue stores the formatted text as a quoted string; no spec then.
    values = {**VALUES, "20_synthetic/07_scorecard.ipynb": {"err": "'25 %'", "n_right": "12"}}
    page = PAGE.replace("::err:.0%`", "::err`")
    assert "Off by 25 %" in book.render_findings(page, values)


def test_render_names_a_missing_key():
    values = {**VALUES, "30_real_data/04_lalonde.ipynb": {}}
    with pytest.raises(BookError, match=r"'gain' from 30_real_data/04_lalonde\.ipynb"):
        book.render_findings(PAGE, values)


def test_a_page_without_the_markers_is_refused():
    with pytest.raises(BookError, match="key-findings:start"):
        book.render_findings("# Key findings\n\nNo block.\n", VALUES)


def _glued_notebook(path, values):
    nb = new_notebook()
    cell = new_code_cell("glue(...)")
    for key, text in values.items():
        out = new_output("display_data", data={"application/papermill.record/text/plain": text},
                         metadata={"scrapbook": {"name": key,
                                                 "mime_prefix": "application/papermill.record/"}})
        cell.outputs.append(out)
    nb.cells = [cell]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


class _Job:
    def __init__(self, rel, output):
        self.rel, self.output = rel, output


def test_update_readme_rewrites_only_the_block(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / book.FINDINGS_PAGE).write_text(PAGE)
    readme = "# Title\n\nFirst.\n\n<!-- key-findings:start -->\nold\n<!-- key-findings:end -->\n\nRest.\n"
    (tmp_path / "README.md").write_text(readme)
    chapters = [book.Chapter(_Job(rel, _glued_notebook(tmp_path / "runs" / rel, vals)))
                for rel, vals in VALUES.items()]
    assert book.pasted_text(chapters[0].job.output) == VALUES["20_synthetic/07_scorecard.ipynb"]
    assert book.update_readme(Layout(tmp_path), chapters) is True
    text = (tmp_path / "README.md").read_text()
    assert text.startswith("# Title\n\nFirst.\n\n<!-- key-findings:start -->\n1. **SHAP")
    assert "old" not in text and text.endswith("<!-- key-findings:end -->\n\nRest.\n")
    assert "Off by 25%" in text
    assert book.update_readme(Layout(tmp_path), chapters) is False  # already in step


def test_readme_findings_never_split_a_number_from_its_unit():
    """'44 %' at the end of a line was wrapped as '44' then '   %' in README."""
    from causalxai.compendium.book import _reflow

    item = "1. **Finding.** " + "word " * 14 + "sits at 44\xa0% of the SHAP importance " + \
        "and more words follow here " * 3
    for width in range(60, 100):
        text = _reflow(item, width=width)
        assert "44 %" in text and "\xa0" not in text, (width, text)
        assert all(len(line) <= width for line in text.splitlines())
