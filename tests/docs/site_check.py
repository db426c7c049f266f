r"""Check a built static site in headless Chromium, driven by Selenium (issue #17).

One page at a time, :func:`check_page` loads the page in a real browser and returns what is wrong
with it, as one readable line per problem:

- **images**: every ``<img>`` has finished loading and has a natural width > 0 (a missing file or a
  corrupt PNG fails);
- **links**: every ``<a href>`` on the site's own origin answers HTTP 200, and a ``#fragment``
  names an element ``id`` (or an ``<a name>``) of the page it points to; a link to another host
  cannot be followed on a machine without internet, so it is only checked to be a well-formed
  ``http(s)``/``mailto`` address and listed in the report;
- **console**: the browser's console holds no error (``SEVERE``: a script that threw, a resource
  that failed to load);
- **maths**: once MathJax has finished, every maths element of the page is typeset, MathJax
  reports no TeX error, and no TeX command is left in the prose (a ``$...$`` that Markdown broke
  apart, e.g. across a line that starts with ``*``, shows up as raw ``\sqrt{...}``);
- **figures**: each page holds the figures the caller expects of it (a count, and the file names
  a Markdown source refers to).

The browser is Debian's ``chromium`` with ``chromium-driver``: these machines cannot download a
browser build (Selenium Manager is never asked; both paths are given). Without them the caller
fails with :data:`INSTALL_HINT`.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

INSTALL_HINT = ("Chromium and ChromeDriver not found on PATH: install them with "
                "`sudo apt-get install chromium chromium-driver` (`make test` does this where "
                "apt-get exists)")

WINDOW_WIDTH = 1280
SCREENSHOT_MAX_HEIGHT = 8000   # px; a longer page is shot from its top


def find_chromium() -> tuple[str, str] | None:
    """``(browser, driver)`` paths from ``PATH``, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(profile_dir: Path) -> Iterator[object]:
    """A headless Chromium under Selenium, with the console log readable.

    The flags are those that work on a machine whose network is closed: without
    ``--disable-background-networking`` and friends Chromium keeps trying to reach Google.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = find_chromium()
    if paths is None:
        raise RuntimeError(INSTALL_HINT)
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run",
                 f"--window-size={WINDOW_WIDTH},900", f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=paths[1]))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


class _Anchors(HTMLParser):
    """Every ``id`` and ``<a name>`` of an HTML page."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


@dataclass
class LinkChecker:
    """Follows same-origin links over HTTP once each; remembers each page's anchors."""

    base_url: str
    external: set[str] = field(default_factory=set)
    _pages: dict[str, set[str] | str] = field(default_factory=dict)

    def problem(self, href: str) -> str | None:
        """None when ``href`` is fine, else a one-line description of what is broken."""
        parts = urllib.parse.urlsplit(href)
        if not href.startswith(self.base_url):
            if parts.scheme in ("http", "https") and parts.netloc or parts.scheme == "mailto":
                self.external.add(href)
                return None
            return f"link {href!r} is neither on the site nor a web address"
        page = urllib.parse.urlunsplit(parts._replace(fragment=""))
        anchors = self._fetch(page)
        if isinstance(anchors, str):
            return f"link {href!r}: {anchors}"
        fragment = urllib.parse.unquote(parts.fragment)
        if fragment and fragment not in anchors:
            return f"link {href!r}: no element with id {fragment!r} on that page"
        return None

    def _fetch(self, url: str) -> set[str] | str:
        if url not in self._pages:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    body = response.read()
                    kind = response.headers.get_content_type()
            except urllib.error.HTTPError as error:
                self._pages[url] = f"HTTP {error.code}"
            else:
                parser = _Anchors()
                if kind == "text/html":
                    parser.feed(body.decode("utf-8", "replace"))
                self._pages[url] = parser.ids
        return self._pages[url]


_IMAGES_JS = """return Array.from(document.images).map(i => ({
    src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth,
    in_output: !!i.closest('.cell_output')}));"""
_LINKS_JS = "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href);"
# Waits for MathJax (when the page loads it), then returns what maths checking needs.
_MATHS_JS = """const done = arguments[arguments.length - 1];
const report = () => {
    const root = document.querySelector('article') || document.body;
    const prose = root.cloneNode(true);
    prose.querySelectorAll('pre, code, script, style, mjx-container, .math').forEach(e => e.remove());
    done({untypeset: Array.from(root.querySelectorAll('.math'))
                          .filter(e => !e.querySelector('mjx-container')).length,
          errors: root.querySelectorAll('mjx-merror').length, prose: prose.textContent});
};
if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(report, report);
} else { report(); }"""
_RAW_TEX = re.compile(r"\\(?:frac|tfrac|sqrt|sigma|alpha|beta|delta|theta|lambda|mu|tau|partial"
                      r"|sum|int|cdot|left|right|mathrm|text|qquad|quad|exp|max|min)\b")


@dataclass
class PageReport:
    """What :func:`check_page` found on one page."""

    url: str
    problems: list[str]
    images: list[dict]


def check_page(driver, url: str, links: LinkChecker, *, min_output_figures: int = 0,
               figure_names: tuple[str, ...] = (), screenshot: Path | None = None) -> PageReport:
    """Load ``url`` and list its problems (images, links, maths, console errors, figures).

    ``min_output_figures``: the page must show at least this many images inside notebook cell
    outputs. ``figure_names``: file names (``activations.png``) that some loaded image of the page
    must carry (Sphinx copies Markdown images into ``_images/`` under their own name).
    ``screenshot``: where to save a PNG of the page (its top ``SCREENSHOT_MAX_HEIGHT`` px).
    """
    driver.get_log("browser")                      # drop what an earlier page logged
    driver.get(url)
    problems = []
    images = driver.execute_script(_IMAGES_JS)
    for image in images:
        if not image["complete"] or image["width"] == 0:
            problems.append(f"broken image {image['src']!r}")
    for href in driver.execute_script(_LINKS_JS):
        problem = links.problem(href)
        if problem:
            problems.append(problem)
    shown = [img for img in images if img["complete"] and img["width"] > 0]
    in_outputs = sum(img["in_output"] for img in shown)
    if in_outputs < min_output_figures:
        problems.append(f"{in_outputs} figure(s) in cell outputs, expected {min_output_figures}")
    names = {urllib.parse.urlsplit(img["src"]).path.rsplit("/", 1)[-1] for img in shown}
    problems += [f"figure {name!r} is not on the page" for name in figure_names
                 if name not in names]
    problems += _maths_problems(driver.execute_async_script(_MATHS_JS))
    problems += [f"console error: {entry['message']}" for entry in driver.get_log("browser")
                 if entry["level"] == "SEVERE"]
    if screenshot is not None:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(WINDOW_WIDTH, min(max(height, 600), SCREENSHOT_MAX_HEIGHT))
        driver.save_screenshot(str(screenshot))
        driver.set_window_size(WINDOW_WIDTH, 900)
    return PageReport(url, problems, images)


def _maths_problems(maths: dict) -> list[str]:
    problems = []
    if maths["untypeset"]:
        problems.append(f"{maths['untypeset']} maths element(s) not typeset by MathJax")
    if maths["errors"]:
        problems.append(f"{maths['errors']} TeX error(s) from MathJax")
    for match in _RAW_TEX.finditer(maths["prose"]):
        context = " ".join(maths["prose"][max(0, match.start() - 40):match.end() + 40].split())
        problems.append(f"raw TeX in the text: ...{context}...")
    return problems
