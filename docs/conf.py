"""Sphinx configuration of the neurosim site (``make docs``).

The site is built from the repository root (``sphinx-build -c docs . docs/_build/html``) so that
the README, ``figures/README.md`` and the notebooks are rendered where they live and their
relative links and images resolve as they do on a code host:

- ``docs/index.md``: the landing page and the table of contents;
- ``README.md``, ``figures/README.md``, ``docs/equations.md``, ``docs/tensorflow.md``: Markdown
  through MyST;
- ``notebooks/*.ipynb``: executed during the build by MyST-NB (``nb_execution_mode = "force"``);
  a notebook that raises fails the build.

``tests/docs/test_site.py`` builds this site and checks it in headless Chromium.
"""

import shutil
from pathlib import Path

import mathjax   # MathJax 3.2.2's files, from the django-static-mathjax wheel (no Django needed)

project = "neurosim"
author = "the neurosim developers"
copyright = "2026, the neurosim developers"

extensions = ["myst_nb"]

root_doc = "docs/index"
# Only these sources make the site; everything else under the repository root is ignored.
include_patterns = [
    "docs/index.md",
    "docs/equations.md",
    "docs/tensorflow.md",
    "README.md",
    "figures/README.md",
    "notebooks/[0-9][0-9]_*.ipynb",
]
exclude_patterns = [".venv*", "**/.ipynb_checkpoints", "docs/_build", "out", "runs"]

# MyST: $...$ maths, GitHub-style heading anchors (README links such as
# figures/README.md#15-the-phase-plane-...), and bare URLs as links.
myst_enable_extensions = ["dollarmath", "amsmath", "linkify"]
myst_heading_anchors = 4

# MyST-NB: run every notebook during the build; a cell that raises fails it.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600          # seconds per cell
nb_execution_show_tb = True
nb_merge_streams = True

html_theme = "furo"
html_title = "neurosim"
# /index.html of the built site forwards to the landing page (docs/index.html).
html_extra_path = ["site_root"]
html_show_sourcelink = False
html_favicon = "_static/favicon.svg"

# Maths is typeset by a MathJax served with the site, not from a CDN: the site works offline and
# the browser test sees no failed request. The build copies MathJax's es5 bundle (fonts
# included) to _static/mathjax/.
MATHJAX_ES5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
mathjax_path = "mathjax/tex-mml-chtml.js"


def _copy_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        shutil.copytree(MATHJAX_ES5, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


def setup(app):
    app.connect("build-finished", _copy_mathjax)
