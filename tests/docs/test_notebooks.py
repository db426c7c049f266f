"""The tutorial notebooks as committed files (issue #17).

nbmake runs them (``notebooks/conftest.py``); these tests check what is committed: one notebook
per part of the lecture, no outputs or execution counts (a notebook is committed clean, and the
site and CI execute it), the project's public API only, and a landing page that links each one.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PARTS = {
    "01_perceptron_mlp_backprop": "Perceptron",
    "02_convolution_lenet": "LeNet",
    "03_training_tricks": "training tricks",
    "04_tensorflow_keras": "Keras",
    "05_neuron_life": "neuron",
    "06_visual_pathway": "visual pathway",
    "07_networks_plasticity": "plasticity",
    "08_bridge": "spiking",
}
PROJECT_PACKAGES = {"ann", "neurosim", "bridge", "figures", "common", "pipeline"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def committed_output_problems(notebook: dict) -> list[str]:
    """Cells that carry outputs or an execution count (a notebook must be committed clean)."""
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has execution_count {cell['execution_count']}")
    return problems


def private_use_problems(notebook: dict) -> list[str]:
    """Imports of the project's private names, or ``sys.path`` edits, in code cells."""
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "sys.path" in source:
            problems.append(f"cell {index} edits sys.path")
        code = "\n".join(line for line in source.splitlines() if not line.lstrip()[:1] in "%!")
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules, names = [node.module], [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                modules, names = [alias.name for alias in node.names], []
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] not in PROJECT_PACKAGES:
                    continue
                private = [p for p in parts[1:] if p.startswith("_")]
                private += [n for n in names if n.startswith("_")]
                if private:
                    problems.append(f"cell {index} imports private {module}: {private}")
    return problems


def test_one_notebook_per_part_of_the_lecture():
    found = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))
    assert found == sorted(PARTS), found
    for stem, keyword in PARTS.items():
        first = _load(NOTEBOOKS / f"{stem}.ipynb")["cells"][0]
        title = "".join(first["source"]).splitlines()[0]
        assert first["cell_type"] == "markdown" and re.match(rf"# {int(stem[:2])}\. ", title), title
        assert keyword.lower() in title.lower(), (stem, title)


@pytest.mark.parametrize("stem", sorted(PARTS))
def test_committed_without_outputs(stem):
    notebook = _load(NOTEBOOKS / f"{stem}.ipynb")
    assert committed_output_problems(notebook) == []
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("stem", sorted(PARTS))
def test_public_api_only(stem):
    assert private_use_problems(_load(NOTEBOOKS / f"{stem}.ipynb")) == []


def _planted(source: str, outputs=()) -> dict:
    return {"cells": [{"cell_type": "code", "source": [source], "outputs": list(outputs),
                       "execution_count": 3 if outputs else None, "metadata": {}}]}


def test_the_checks_can_fail():
    """A committed output, a private import and a sys.path edit are each caught."""
    with_output = _planted("1 + 1", outputs=[{"output_type": "execute_result", "data": {}}])
    assert committed_output_problems(with_output) == [
        "cell 0 has 1 output(s)", "cell 0 has execution_count 3"]
    assert private_use_problems(_planted("from ann.layers import _im2col")) == [
        "cell 0 imports private ann.layers: ['_im2col']"]
    assert private_use_problems(_planted("import bridge._kernels as k")) == [
        "cell 0 imports private bridge._kernels: ['_kernels']"]
    assert private_use_problems(_planted("import sys\nsys.path.insert(0, '..')")) == [
        "cell 0 edits sys.path"]
    assert private_use_problems(_planted("%matplotlib inline\nfrom numpy import _core")) == []


def test_the_landing_page_links_every_notebook():
    index = (ROOT / "docs" / "index.md").read_text()
    for stem in PARTS:
        assert f"../notebooks/{stem}.ipynb" in index, stem
