"""``docs/equations.md`` stays true as code moves (issue #16).

Every table row of the index names an equation (in backticks) and the code that computes it,
``path/to/module.py:qualified.name``. For each row this test imports the module, finds the
function, class or method, and checks that its own docstring states the equation: the index's
text, with whitespace and backticks ignored, must appear in the docstring. A row whose code moved,
was renamed, or whose docstring lost its equation fails here, naming the row.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "docs" / "equations.md"

#: a table row: | name | `equation` | `path.py:qualname` | (a ``|`` inside a cell is written ``\|``)
CELL = r"(?:[^|\\]|\\\|)+?"
ROW = re.compile(rf"^\|\s*(?P<name>{CELL})\s*\|\s*(?P<eq>`{CELL}`)\s*\|\s*`(?P<path>[\w/]+\.py):"
                 r"(?P<qualname>[\w.]+)`\s*\|\s*$")
HEADER = ("| equation |", "|---")


def squash(text: str) -> str:
    """Text with backticks removed, ``\\|`` read as ``|``, and every run of whitespace one
    space."""
    return " ".join(text.replace("\\|", "|").replace("`", " ").split())


def index_rows(text: str) -> list[tuple[str, str, str, str]]:
    """``(name, equation, path, qualname)`` of every row of the index's tables; a table row
    that is not of that form is an error (so no row is skipped unread)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or line.startswith(HEADER):
            continue
        m = ROW.match(line)
        if m is None:
            raise ValueError(f"docs/equations.md: a table row not of the form "
                             f"| name | `equation` | `path.py:name` |: {line}")
        rows.append((m["name"], m["eq"], m["path"], m["qualname"]))
    return rows


def target(path: str, qualname: str):
    """The object ``qualname`` of the module at ``path`` (relative to the project root)."""
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    obj = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


ROWS = index_rows(INDEX.read_text())


def test_the_index_has_its_sections():
    """Numbered lecture equations, convolution and pooling, batch norm, every neuron model and
    the synapses are all indexed (a row count guards against a table the regex stops reading)."""
    text = INDEX.read_text()
    for heading in ("## The lecture's networks", "## Convolution and pooling",
                    "## Batch normalization", "## Training tricks", "## Neuron models",
                    "## Synapses, plasticity and networks", "## Dynamics",
                    "## The visual pathway", "## The bridge"):
        assert heading in text, heading
    assert len(ROWS) >= 40
    assert len({(p, q, e) for _, e, p, q in ROWS}) == len(ROWS), "a row is listed twice"


@pytest.mark.parametrize("name, equation, path, qualname", ROWS,
                         ids=[f"{r[2]}:{r[3]}" for r in ROWS])
def test_each_indexed_function_states_its_equation(name, equation, path, qualname):
    assert (ROOT / path).is_file(), f"{name}: {path} does not exist"
    obj = target(path, qualname)
    doc = inspect.getdoc(obj) or ""
    assert squash(equation) in squash(doc), (
        f"{name}: the docstring of {path}:{qualname} does not state {equation}")


def test_the_check_can_fail():
    """A row whose equation is not in the named docstring is caught."""
    row = "| softmax | `y = 42` | `ann/functional.py:softmax` |"
    ((_, equation, path, qualname),) = index_rows(row)
    assert squash(equation) not in squash(inspect.getdoc(target(path, qualname)))
