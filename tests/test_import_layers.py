"""The import graph runs one way (issue #16): a package imports only the layers below it.

The layers, bottom to top (the README's layout section draws them)::

    pipeline    the ``neurosim`` command router and the ``neurosim demo`` pipeline
    figures     the lecture's figures
    bridge      ANN -> SNN conversion and the batched IF simulator
    ann, neurosim   the networks of the lecture; the biology — neither imports the other
    common      files, paths, CLI value types

Every ``import`` and ``from … import`` in every module counts, at module level or inside a
function (a lazy import is still an arrow). ``__main__.py`` files are scripts Python runs, never
modules another imports, so they are skipped: ``neurosim/__main__.py`` calls the top layer's
router so that ``python -m neurosim`` (and ``mpirun … python -m neurosim``) is the command.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package -> layer; a package may import only packages of a lower layer (or itself)
LAYERS = {"common": 0, "ann": 1, "neurosim": 1, "bridge": 2, "figures": 3, "pipeline": 4}


def imported_packages(path: Path, package: str) -> set[tuple[str, int]]:
    """``(top-level project package, line)`` for every import in the module at ``path``;
    relative imports resolve to ``package`` itself."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [package] if node.level else [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                found.add((top, node.lineno))
    return found


def upward_arrows(root: Path = ROOT) -> list[str]:
    """One line per import that points to the same layer or above, ``file:line: a -> b``."""
    arrows = []
    for package, layer in LAYERS.items():
        for path in sorted((root / package).rglob("*.py")):
            if path.name == "__main__.py":
                continue
            for target, line in sorted(imported_packages(path, package)):
                if target != package and LAYERS[target] >= layer:
                    arrows.append(f"{path.relative_to(root)}:{line}: {package} -> {target}")
    return arrows


def test_no_import_points_up_or_sideways():
    arrows = upward_arrows()
    assert not arrows, "imports against the layering:\n" + "\n".join(arrows)


def test_every_project_package_has_a_layer():
    """A new top-level package must be given its place before it can be imported."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - {"tests", "benchmarks"} == set(LAYERS)


@pytest.mark.parametrize("source, arrow", [
    ("import figures\n", "bridge -> figures"),
    ("def f():\n    from pipeline.console import main\n", "bridge -> pipeline"),
    ("from neurosim.neuron import library\n", "ann -> neurosim"),
])
def test_the_walker_sees_an_upward_arrow(tmp_path, source, arrow):
    """The check can fail: a planted import against the layering is reported, also inside a
    function."""
    for package in LAYERS:
        (tmp_path / package).mkdir()
    planted = arrow.split(" -> ")[0]
    (tmp_path / planted / "bad.py").write_text(source)
    assert [a.split(": ", 1)[1] for a in upward_arrows(tmp_path)] == [arrow]
