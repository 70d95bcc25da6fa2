"""Read the built book in a real browser: every page in headless Chromium, checked as a
reader would meet it.

:func:`check_book` serves ``_build/html`` on loopback, opens every page in Debian's
``chromium`` driven by Selenium through the system ``chromedriver`` (install both with
``bash .ci/install-browser``), saves a screenshot of each page, and reports, page by page:

- ``console`` — an error in the browser console (a script error, a resource that failed
  to load, such as a CDN the machine cannot reach);
- ``math`` — math left untypeset (a ``.math`` element MathJax did not render);
- ``image`` — an image of the content column wider than the column at its natural size
  (the browser shrinks it, and its text with it);
- ``stderr`` — a stderr output block;
- ``table`` — a table wider than the column without a horizontal scroll container.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CHECKS", "CHROMIUM_FLAGS", "BrowserError", "PageReport", "Problem", "book_pages",
           "check_book", "check_page", "open_browser", "serve"]

#: The checks, in the order they are reported.
CHECKS = ("console", "math", "image", "stderr", "table")

#: Chromium flags: headless, no sandbox (root in CI), nothing fetched behind the page's back.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage", "--window-size=1280,1000", "--hide-scrollbars",
)

#: Pages that are not reading pages (Sphinx's search and index pages).
SKIP_PAGES = ("search.html", "genindex.html", "py-modindex.html")

_WAIT_MATH = """
const done = arguments[arguments.length - 1];
const settle = () => setTimeout(() => done(true), 50);
if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
  MathJax.startup.promise.then(settle, settle);
} else { settle(); }
"""

# Returns {check: [details]} for the page in the browser.
_CHECK_JS = r"""
const column = document.querySelector('article.bd-article') ||
               document.querySelector('main') || document.body;
const width = column.clientWidth;
const out = {math: [], image: [], stderr: [], table: []};
const short = (s) => s.replace(/\s+/g, ' ').trim().slice(0, 80);
for (const el of column.querySelectorAll('.math')) {
  if (!el.querySelector('mjx-container') && !el.closest('mjx-container')) {
    out.math.push(short(el.textContent));
  }
}
for (const img of column.querySelectorAll('img')) {
  if (img.naturalWidth > width + 1) {
    out.image.push(`${img.getAttribute('src').slice(0, 60)}: ${img.naturalWidth} px ` +
                   `in a ${width} px column`);
  }
}
for (const el of column.querySelectorAll('.stderr, .output.stderr')) {
  out.stderr.push(short(el.textContent));
}
for (const table of column.querySelectorAll('table')) {
  if (table.scrollWidth <= width + 1) continue;
  let el = table.parentElement, scrolls = false;
  while (el && el !== column.parentElement) {
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowX) && el.clientWidth <= width + 1) {
      scrolls = true; break;
    }
    el = el.parentElement;
  }
  if (!scrolls) out.table.push(`${table.scrollWidth} px in a ${width} px column`);
}
return out;
"""


class BrowserError(RuntimeError):
    """The browser or its driver is missing or does not start."""


@dataclass(frozen=True)
class Problem:
    """One failed check on one page."""

    page: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.check}: {self.detail}"


@dataclass
class PageReport:
    """What one page gave: its problems (and those tolerated as known), its load and check
    time, its screenshot."""

    page: str
    seconds: float
    screenshot: Path | None
    problems: list[Problem] = field(default_factory=list)
    known: list[Problem] = field(default_factory=list)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 (a free port) while the block runs; yields
    the base URL (ending with ``/``)."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"root must be a folder to serve, got {root}")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _which(names: Sequence[str]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def open_browser(chromium: str | None = None, chromedriver: str | None = None) -> Iterator[Any]:
    """A headless Chromium (Selenium WebDriver) with a fresh profile, closed afterwards.

    Raises
    ------
    BrowserError
        If ``chromium`` or ``chromedriver`` is not found (install them with
        ``bash .ci/install-browser``), or the browser does not start.
    """
    chromium = chromium or _which(("chromium", "chromium-browser"))
    chromedriver = chromedriver or _which(("chromedriver",))
    if not (chromium and Path(chromium).is_file() and chromedriver
            and Path(chromedriver).is_file()):
        raise BrowserError("the browser check needs Debian's chromium and chromedriver on PATH; "
                           "install them with `bash .ci/install-browser`")
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="causalxai-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    except WebDriverException as exc:
        shutil.rmtree(profile, ignore_errors=True)
        raise BrowserError(f"chromium did not start: {exc.msg}") from exc
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def check_page(driver: Any, url: str, page: str, screenshot: Path | None = None) -> list[Problem]:
    """Open ``url``, wait for MathJax, run every check; save a screenshot if asked."""
    driver.get_log("browser")  # drop what earlier pages left
    driver.get(url)
    driver.execute_async_script(_WAIT_MATH)
    found: dict[str, list[str]] = driver.execute_script(_CHECK_JS)
    # The browser's own request for /favicon.ico is not the page's doing.
    problems = [Problem(page, "console", entry["message"][:300])
                for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"
                and "/favicon.ico" not in entry.get("message", "")]
    problems += [Problem(page, check, detail) for check in CHECKS[1:]
                 for detail in found.get(check, [])]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
    return problems


def book_pages(html: Path) -> list[str]:
    """Every reading page of a built book (relative paths), in a stable order."""
    html = Path(html)
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if not any(part.startswith("_") for part in p.relative_to(html).parts)
                  and p.name not in SKIP_PAGES)


def check_book(html: Path, screenshots: Path | None = None,
               pages: Sequence[str] | None = None,
               known: Mapping[str, Sequence[str]] | None = None) -> list[PageReport]:
    """Check every page of a built book in headless Chromium.

    Parameters
    ----------
    html : Path
        The built book (``_build/html``).
    screenshots : Path, optional
        Folder for one PNG per page (``executed/a/b.html`` -> ``executed__a__b.png``).
    pages : sequence of str, optional
        Pages to check (default: :func:`book_pages`).
    known : mapping, optional
        Page -> checks whose failures are known and tolerated there (reported apart, in
        :attr:`PageReport.known`).

    Returns
    -------
    list of PageReport
        One per page, in order.

    Raises
    ------
    ValueError
        If ``html`` has no ``index.html`` or a page does not exist.
    BrowserError
        If the browser cannot start.
    """
    html = Path(html)
    if not (html / "index.html").is_file():
        raise ValueError(f"html must be a built book (with index.html), got {html}")
    pages = list(pages) if pages is not None else book_pages(html)
    missing = [p for p in pages if not (html / p).is_file()]
    if missing:
        raise ValueError(f"pages not in {html}: {', '.join(missing)}")
    known = known or {}
    reports = []
    with serve(html) as base, open_browser() as driver:
        for page in pages:
            start = time.perf_counter()
            shot = (screenshots / (page.removesuffix(".html").replace("/", "__") + ".png")
                    if screenshots is not None else None)
            problems = check_page(driver, base + page, page, shot)
            tolerated = set(known.get(page, ()))
            reports.append(PageReport(page, time.perf_counter() - start, shot,
                                      [p for p in problems if p.check not in tolerated],
                                      [p for p in problems if p.check in tolerated]))
    return reports
