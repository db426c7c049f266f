"""The site of ``make docs`` in a real browser (issue #17).

``test_every_page_in_headless_chromium`` builds the site as ``make docs`` does (Sphinx + MyST-NB,
every notebook executed during the build), serves it on localhost, opens each page in headless
Chromium and checks: no broken image or link, no console error, and each page holds its figures
(a notebook page every figure its executed notebook drew; a Markdown page every image its source
names). One screenshot per page is saved in the test's temporary folder.

``test_the_checks_can_fail`` plants a page with each fault and shows that each is reported. Where
Chromium is missing the tests fail with one line saying how to install it; they are never skipped.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_check import (INSTALL_HINT, LinkChecker, check_page, chromium, find_chromium,
                        serve)

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN_PAGES = ("docs/index", "README", "figures/README", "docs/equations", "docs/tensorflow")
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def _require_chromium():
    if find_chromium() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)


def build_site(out: Path) -> Path:
    """Run ``make docs``'s Sphinx command into ``out/html``; fail with its last lines if it fails."""
    html = out / "html"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", "docs", "-W", "--keep-going",
               "-q", "-d", str(out / "doctrees"), ".", str(html)]
    # as from a user's shell: TensorFlow tests in this process set TF_CPP_MIN_LOG_LEVEL, which
    # the notebooks' kernels would inherit (see notebooks/conftest.py)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3000,
                            env=env)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
        pytest.fail(f"sphinx-build failed (exit {result.returncode}):\n{tail}", pytrace=False)
    return html


def figures_drawn(executed: Path) -> int:
    """How many image outputs an executed notebook holds."""
    cells = json.loads(executed.read_text())["cells"]
    return sum(1 for cell in cells if cell["cell_type"] == "code"
               for output in cell.get("outputs", [])
               if {"image/png", "image/svg+xml", "image/jpeg"} & set(output.get("data", {})))


def markdown_figures(page: str) -> tuple[str, ...]:
    """File names of the images a Markdown source shows."""
    text = (ROOT / f"{page}.md").read_text()
    return tuple(Path(target).name for target in _MARKDOWN_IMAGE.findall(text))


def notebooks() -> list[str]:
    return sorted(f"notebooks/{path.stem}" for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.slow
def test_every_page_in_headless_chromium(tmp_path):
    """Every page of the built site passes :func:`check_page`; screenshots in ``tmp_path``."""
    _require_chromium()
    html = build_site(tmp_path / "build")
    executed = tmp_path / "build" / "jupyter_execute"
    shots = tmp_path / "screenshots"
    shots.mkdir()
    pages = {"index": {}}                                   # the redirect to docs/index.html
    pages.update({page: {"figure_names": markdown_figures(page)} for page in MARKDOWN_PAGES})
    pages.update({page: {"min_output_figures": figures_drawn(executed / f"{page}.ipynb")}
                  for page in notebooks()})
    assert len(notebooks()) == 8, notebooks()
    problems = []
    with serve(html) as base, chromium(tmp_path / "profile") as driver:
        links = LinkChecker(base)
        for page, expected in pages.items():
            assert (html / f"{page}.html").is_file(), f"{page}.html was not built"
            if page.startswith("notebooks/"):
                assert expected["min_output_figures"] >= 2, f"{page} draws fewer than 2 figures"
            report = check_page(driver, f"{base}{page}.html", links,
                                screenshot=shots / f"{page.replace('/', '__')}.png", **expected)
            problems += [f"{page}: {problem}" for problem in report.problems]
    print(f"screenshots: {shots}; external links (not followed offline): {len(links.external)}")
    assert not problems, "\n".join(problems)
    assert len(list(shots.glob("*.png"))) == len(pages)


_BROKEN_PAGE = """<!DOCTYPE html><html><head><title>planted</title></head><body>
<h1 id="top">planted faults</h1>
<img src="missing.png" alt="a missing image">
<a href="nowhere.html">a missing page</a>
<a href="ok.html#no-such-anchor">a missing anchor</a>
<a href="ok.html#here">a good link</a>
<a href="https://example.org/paper">an external link</a>
<p>Markdown broke this apart: $g = o / \\sqrt{G_\\sigma</p> <span class="math">\\(x\\)</span>
<script>throw new Error("planted script error");</script>
</body></html>"""


def test_the_checks_can_fail(tmp_path):
    """A page with a missing image, a dead link, a missing anchor, a script error, raw TeX in its
    text and maths left untypeset: each is reported, the good and external links are not, and an
    expected figure that is absent is."""
    _require_chromium()
    site = tmp_path / "site"
    site.mkdir()
    (site / "broken.html").write_text(_BROKEN_PAGE)
    (site / "ok.html").write_text('<html><body><p id="here">ok</p></body></html>')
    with serve(site) as base, chromium(tmp_path / "profile") as driver:
        links = LinkChecker(base)
        report = check_page(driver, f"{base}broken.html", links, min_output_figures=1,
                            figure_names=("lenet.png",), screenshot=tmp_path / "broken.png")
    text = "\n".join(report.problems)
    assert "broken image" in text and "missing.png" in text
    assert "nowhere.html" in text and "HTTP 404" in text
    assert "no element with id 'no-such-anchor'" in text
    assert "planted script error" in text
    assert "0 figure(s) in cell outputs, expected 1" in text
    assert "figure 'lenet.png' is not on the page" in text
    assert "raw TeX in the text: ...ink Markdown broke this apart: $g = o / \\sqrt{G_\\sigma" in text
    assert "1 maths element(s) not typeset by MathJax" in text
    assert "#here" not in text and "example.org" not in text
    assert links.external == {"https://example.org/paper"}
    assert (tmp_path / "broken.png").stat().st_size > 0


def test_missing_chromium_fails_with_the_install_line(monkeypatch):
    """No Chromium on PATH: one line naming the apt packages, as a failure (never a skip)."""
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_chromium() is None
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium chromium-driver"):
        _require_chromium()


def test_install_step_says_how_where_it_cannot_install(tmp_path):
    """``docs/install_chromium.sh`` (run by ``make test``/``make install``): silent when both
    programs are on PATH; without apt-get it warns with the install line and does not fail."""
    script = ROOT / "docs" / "install_chromium.sh"

    def run(path):
        return subprocess.run(["/bin/bash", str(script)], env={"PATH": str(path)},
                              capture_output=True, text=True, timeout=60)

    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(empty)
    assert result.returncode == 0
    assert "no apt-get" in result.stderr
    assert "sudo apt-get install chromium chromium-driver" in result.stderr
    found = tmp_path / "found"
    found.mkdir()
    for name in ("chromium", "chromedriver"):
        (found / name).write_text("#!/bin/sh\n")
        (found / name).chmod(0o755)
    result = run(found)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
