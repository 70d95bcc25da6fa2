"""The real-browser checks: each one fails on a deliberately bad page and passes on a good one.

Needs Debian's chromium and chromedriver (``bash .ci/install-browser``; ``make test`` and
``make unit`` install them when missing).
"""

from __future__ import annotations

import urllib.request

import pytest

from causalxai.compendium import browser

pytestmark = pytest.mark.browser


COLUMN = 700
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>t</title>{head}</head>
<body style="margin:0"><article class="bd-article" style="width:{col}px">{body}</article>
</body></html>"""
WIDE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20">'
            '<rect width="{w}" height="20" fill="#369"/></svg>')
NARROW = '<p>A sentence.</p><img src="narrow.svg" alt="a narrow figure">'

BAD = {
    "console": '<script>console.error("something broke")</script>',
    "math": r'<p><span class="math notranslate nohighlight">\(x^2\)</span></p>',
    "image": '<img src="wide.svg" alt="a figure 1690 px wide" style="max-width:100%">',
    "stderr": '<div class="output stderr"><pre>TqdmWarning: IProgress not found</pre></div>',
    "table": '<table style="width:1500px"><tr><td>a</td><td>b</td></tr></table>',
}
GOOD_TABLE = ('<div style="overflow-x:auto;max-width:100%"><table style="width:1500px">'
              '<tr><td>a</td><td>b</td></tr></table></div>')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "wide.svg").write_text(WIDE_SVG.format(w=1690))
    (root / "narrow.svg").write_text(WIDE_SVG.format(w=600))
    (root / "index.html").write_text(PAGE.format(head="", col=COLUMN, body=NARROW + GOOD_TABLE))
    for check, body in BAD.items():
        (root / f"bad_{check}.html").write_text(PAGE.format(head="", col=COLUMN,
                                                            body=NARROW + body))
    # Math that MathJax did typeset (the container is what MathJax leaves).
    (root / "typeset.html").write_text(PAGE.format(
        head="", col=COLUMN,
        body='<span class="math"><mjx-container>x²</mjx-container></span>'))
    (root / "_static").mkdir()
    (root / "_static" / "skip.html").write_text("not a page")
    (root / "search.html").write_text("not a reading page")
    return root


def test_book_pages_lists_reading_pages_only(site):
    pages = browser.book_pages(site)
    assert "index.html" in pages and "bad_math.html" in pages
    assert "search.html" not in pages and not any(p.startswith("_static") for p in pages)


def test_serve_serves_the_folder_on_loopback(site):
    with browser.serve(site) as base:
        assert base.startswith("http://127.0.0.1:")
        assert b"bd-article" in urllib.request.urlopen(base + "index.html").read()


def test_serve_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="root must be a folder"), \
            browser.serve(tmp_path / "nope"):
        pass


def test_check_book_refuses_what_is_not_a_built_book(tmp_path):
    with pytest.raises(ValueError, match=r"index\.html"):
        browser.check_book(tmp_path)


@pytest.fixture(scope="module")
def reports(site, tmp_path_factory):
    shots = tmp_path_factory.mktemp("shots")
    return {r.page: r for r in browser.check_book(site, shots)}, shots


def test_a_good_page_passes_and_is_screenshot(reports):
    by_page, shots = reports
    assert by_page["index.html"].problems == []
    assert by_page["typeset.html"].problems == []
    png = shots / "index.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert by_page["index.html"].seconds > 0


@pytest.mark.parametrize("check", list(BAD))
def test_each_check_fails_on_its_bad_page(reports, check):
    by_page, _ = reports
    problems = by_page[f"bad_{check}.html"].problems
    assert [p.check for p in problems] == [check], problems


def test_details_say_what_is_wrong(reports):
    by_page, _ = reports
    assert "something broke" in by_page["bad_console.html"].problems[0].detail
    assert by_page["bad_math.html"].problems[0].detail == r"\(x^2\)"
    assert "1690 px in a 700 px column" in by_page["bad_image.html"].problems[0].detail
    assert "IProgress" in by_page["bad_stderr.html"].problems[0].detail
    assert "1500 px in a 700 px column" in by_page["bad_table.html"].problems[0].detail


def test_known_failures_are_reported_apart(site):
    [report] = browser.check_book(site, pages=["bad_stderr.html"],
                                  known={"bad_stderr.html": ["stderr"]})
    assert report.problems == [] and [p.check for p in report.known] == ["stderr"]
    assert report.screenshot is None


def test_a_missing_browser_is_a_clear_error():
    with pytest.raises(browser.BrowserError, match="install-browser"), \
            browser.open_browser(chromium="", chromedriver="/nonexistent/chromedriver") as _:
        pass
