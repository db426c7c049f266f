"""Every command the README shows is run by the test suite, scaled down.

What counts as an example:

- every ``$ neurosim …`` line of the README's console blocks, and every inline code span that is
  a whole ``neurosim …`` command (no placeholder such as ``MODEL``, ``DIR``, ``…`` or ``[…]``);
  each is run as a subprocess in a fresh folder and must exit 0. It is *scaled down* by the
  rules in :data:`SCALE` (fewer epochs, training images, test images, time steps, a shorter
  duration, a smaller network), never changed otherwise: the subcommand, its model and every
  option the README shows stay as written, so an example that names an option the CLI lacks
  fails here;
- every ``$ .venv/bin/python benchmarks/NAME.py …`` line: the script exists and its ``--help``
  names every option the example uses (benchmarks take minutes, and tests never time anything);
- ``make demo`` and ``make test`` are what CI runs, and the ``pytest`` commands are this suite:
  they are not run again from here.

Model files an example reads (``cnn.npz``, ``avgpool.npz``, …) are trained beforehand, small,
by :data:`MODEL_RECIPES`; an example that reads a file with no recipe fails and names it.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT = README.parent

#: option -> scaled value, per subcommand; ``"+"`` lists options appended when absent
SCALE: dict[str, dict[str, object]] = {
    "train": {"--epochs": "1", "+": ["--epochs", "1", "--n-train", "1000", "--n-test", "200"]},
    "tf-lecture": {"--mlp-epochs": "0", "--steps": "100", "+": ["--mlp-epochs", "0"]},
    "convert": {"-T": "8", "--timesteps": "8", "--seeds": "2", "--brian2-check": "1",
                "--n-test": "30", "+": ["--n-test", "30", "--norm-samples", "100",
                                        "--workers", "1"]},
    "demo": {"--epochs": "1", "-T": "8", "+": ["--n-train", "1000", "--n-test", "100"]},
    "neuron": {"--duration": "100ms"},
    "fi": {"--duration": "150ms"},
    "morphology": {"--duration": "20ms"},
    "bifurcation": {"+": ["--quick"]},
    "figures": {"+": ["--quick", "--only", "activations"]},
    "data": {"+": ["--offline"]},
    "network": {"--order": "40", "--duration": "100ms", "--threads": "1"},
    "stdp": {"--duration": "2s", "--pairings": "10"},
}

#: file an example reads -> ``neurosim`` arguments that make a small one
MODEL_RECIPES: dict[str, list[str]] = {
    "mlp.npz": ["train", "mlp", "--epochs", "1", "--n-train", "1000", "--n-test", "100"],
    "lenet.npz": ["train", "lenet", "--epochs", "1", "--n-train", "1000", "--n-test", "100"],
    "cnn.npz": ["train", "cnn", "--epochs", "1", "--n-train", "1000", "--n-test", "100"],
    "avgpool.npz": ["train", "lenet", "--pool", "avg", "--epochs", "1", "--n-train", "1000",
                    "--n-test", "100"],
    "resnet.npz": ["train", "resnet", "--epochs", "1", "--n-train", "1000", "--n-test", "100"],
}
MODEL_RECIPES["out/demo/lenet.npz"] = MODEL_RECIPES["lenet.npz"]

#: options whose value is a model file the command writes (not one it reads)
OUTPUT_OPTIONS = ("--out", "--checkpoint", "--keras", "--npz")

_PLACEHOLDER = re.compile(r"\b[A-Z]{2,}\b|…|\.\.\.|\[|\||<")


def _console_lines(text: str) -> list[str]:
    """``$ `` lines inside fenced blocks, comments stripped."""
    lines, in_block = [], False
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_block = not in_block
            continue
        if in_block and stripped.startswith("$ "):
            lines.append(stripped[2:].split("  #")[0].split(" # ")[0].strip())
    return lines


def _inline_commands(text: str) -> list[str]:
    """Inline code spans that are whole commands with no placeholder: ``neurosim`` with at
    least one argument after the subcommand (``neurosim train`` alone names the subcommand
    in prose), ``neurosim --help``, and benchmark scripts."""
    spans = re.findall(r"`((?:neurosim|(?:\.venv/bin/)?python benchmarks/)[^`]*)`", text)
    return [s for s in spans if not _PLACEHOLDER.search(s)
            and (len(s.split()) >= 3 or s == "neurosim --help" or "benchmarks/" in s)]


def readme_examples() -> tuple[list[str], list[str]]:
    """(neurosim commands, benchmark commands) of the README, each once, in order."""
    text = README.read_text(encoding="utf-8")
    seen: dict[str, None] = {}
    for cmd in _console_lines(text) + _inline_commands(text):
        seen.setdefault(" ".join(shlex.split(cmd)), None)
    commands = [c for c in seen if c.startswith("neurosim ")]
    benches = [c for c in seen if "benchmarks/" in c]
    return commands, benches


def scale(argv: list[str]) -> list[str]:
    """``argv`` (after ``neurosim``) with the values of :data:`SCALE` for its subcommand."""
    rules = SCALE.get(argv[0], {}) if argv else {}
    out, i = [], 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in rules and name != "+":
            out.append(f"{name}={rules[name]}" if eq else name)
            if not eq:
                out.append(str(rules[name]))
                i += 1  # skip the README's value
        else:
            out.append(arg)
        i += 1
    extra = list(rules.get("+", []))
    while extra:  # append "--opt value" pairs (or lone flags) that the command lacks
        opt = extra.pop(0)
        val = extra.pop(0) if extra and not extra[0].startswith("--") else None
        if opt not in out and not any(a.startswith(opt + "=") for a in out):
            out += [opt] + ([val] if val is not None else [])
    return out


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "neurosim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def model_files(tmp_path_factory):
    """``get(name) -> Path``: a small trained model for a file name an example reads (made
    once per test process)."""
    folder = tmp_path_factory.mktemp("readme-models")

    @functools.cache
    def get(name: str) -> Path:
        recipe = MODEL_RECIPES.get(name)
        assert recipe is not None, f"README example reads {name}: add a recipe to MODEL_RECIPES"
        path = folder / name.replace("/", "_")
        p = _run([*recipe, "--out", str(path)], cwd=folder)
        assert p.returncode == 0, f"recipe for {name} failed: {p.stderr.strip()[-400:]}"
        return path

    return get


COMMANDS, BENCHES = readme_examples()


def test_the_readme_has_examples_and_every_one_is_collected():
    """Guards the extraction itself: the sections' headline commands are all found."""
    subcommands = {shlex.split(c)[1] for c in COMMANDS}
    assert {"data", "train", "convert", "neuron", "fi", "visual", "phase"} <= subcommands
    assert len(BENCHES) >= 2


def test_scale_keeps_the_command_and_shrinks_the_work():
    assert scale(["train", "cnn", "--json", "--out", "cnn.npz"]) == [
        "train", "cnn", "--json", "--out", "cnn.npz", "--epochs", "1", "--n-train", "1000",
        "--n-test", "200"]
    assert scale(["train", "mlp", "--epochs=5"])[:3] == ["train", "mlp", "--epochs=1"]
    assert scale(["convert", "m.npz", "-T", "64", "--seeds=5"])[:5] == [
        "convert", "m.npz", "-T", "8", "--seeds=2"]
    assert scale(["neuron", "hh", "--duration", "500ms"]) == ["neuron", "hh", "--duration",
                                                             "100ms"]


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_example_runs(command, tmp_path, model_files):
    argv = scale(shlex.split(command)[1:])
    inputs = [a for prev, a in zip(argv, argv[1:]) if prev not in OUTPUT_OPTIONS
              and a.endswith((".npz", ".keras"))]
    for name in inputs:  # a model the example reads: a small trained one
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(model_files(name), target)
    p = _run(argv, cwd=tmp_path)
    assert p.returncode == 0, f"`neurosim {' '.join(argv)}` exited {p.returncode}: " \
                              f"{p.stderr.strip()[-600:]}"
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("command", BENCHES)
def test_readme_benchmark_options_exist(command):
    words = shlex.split(command)
    script = next(w for w in words if w.startswith("benchmarks/"))
    assert (ROOT / script).is_file(), f"README names {script}, which does not exist"
    options = [w.split("=")[0] for w in words if w.startswith("-")]
    if not options:
        return
    p = subprocess.run([sys.executable, str(ROOT / script), "--help"], capture_output=True,
                       text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-400:]
    for opt in options:
        assert opt in p.stdout, f"{script} --help does not list {opt}, which the README uses"
