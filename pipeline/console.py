"""The ``neurosim`` command: one entry point, subcommands owned by the packages that do the work.

This router sits in the top layer (:mod:`pipeline`), above every package it routes to.

Each package has a small ``cli.py`` with ``register(subparsers)``; it adds its subcommands, each
with ``set_defaults(run=FUNCTION)`` where ``FUNCTION(args) -> int`` is the exit status. The table
below maps a subcommand to its module *by name*: only the module of the subcommand being run is
imported, so ``neurosim --help`` stays fast (no TensorFlow, no Brian2) and no package imports
another through the CLI.

Exit status: 0 success; 1 a run-time failure (data that cannot be fetched, a file that fails
verification); 2 bad input (arguments, values, files). Failures print one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from common.choices import did_you_mean

__all__ = ["main", "CliParser", "SUBCOMMANDS"]

#: subcommand -> (module that registers it, one-line summary for ``neurosim --help``)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "data": ("ann.cli", "fetch and verify MNIST; print where it is and the class counts"),
    "train": ("ann.cli", "train a perceptron, MLP, LeNet-5 or CNN on MNIST (NumPy or Keras)"),
    "tf-lecture": ("ann.keras_cli", "run the lecture's TensorFlow examples in TensorFlow 2 style"),
    "export": ("ann.export_cli", "convert a trained model between .npz (NumPy) and .keras (Keras)"),
    "convert": ("bridge.cli", "convert a trained ReLU network to spiking neurons; compare on MNIST"),
    "demo": ("pipeline.demo", "the main job: the project's pipeline on defaults that finish in minutes"),
    "visual": ("neurosim.visual.cli", "push an image through retina -> LGN -> V1 -> HMAX (rate or spiking)"),
    "neuron": ("neurosim.neuron.cli", "simulate one neuron under a current step; rest, spikes, AP shape"),
    "fi": ("neurosim.neuron.cli", "f-I curve: steady-state rate for N step currents (one simulation)"),
    "morphology": ("neurosim.neuron.cli", "draw a multi-compartment neuron and simulate soma/dendrite voltages"),
    "models": ("neurosim.neuron.models_cli", "list neuron models, patterns, stimuli, shapes and parameters (units, sources)"),
    "phase": ("neurosim.dynamics.cli", "phase plane of a 2-D neuron model: nullclines, fixed points, cycle"),
    "bifurcation": ("neurosim.dynamics.cli", "bifurcation diagram in the current: equilibria, Hopf, cycles, class"),
    "network": ("neurosim.network.cli", "spiking networks: Brunel (2000) model A, Vogels-Abbott COBA (Brian2 or NEST)"),
    "stdp": ("neurosim.network.stdp_cli", "STDP: learning window from pairings; Song et al.'s bimodal weights (Brian2 or NEST)"),
    "figures": ("figures.cli", "regenerate the lecture's figures (PNG + SVG) from the project's own computations"),
}


class CliParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (``neurosim CMD: error: ...``) and exit 2.

    - **Negative values** are values: ``--current -5uA/cm2`` and ``--currents -5nA:5nA:11``
      work as ``--current=-5uA/cm2`` does. argparse takes a token that starts with ``-`` for an
      option unless it is a plain number; here any token of the form ``-<digit>…`` or
      ``-.<digit>…`` is a value (no option of the command starts with a digit).
    - **A misspelt choice** gets the closest valid one: ``invalid choice: 'hx' (choose from
      …) (did you mean 'hh'?)``.
    """

    _NEGATIVE_VALUE = re.compile(r"^-\.?\d")
    _INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # argparse's own pattern (plain numbers only) is kept in this attribute
        self._negative_number_matcher = self._NEGATIVE_VALUE

    def error(self, message: str):  # noqa: D401 (argparse API)
        match = self._INVALID_CHOICE.search(message)
        if match:
            choices = [c.strip().strip("'") for c in match.group(2).split(",")]
            flags = [s for a in self._actions for s in a.option_strings if s.startswith("--")]
            given = match.group(1)
            hint = did_you_mean("--" + given, flags) if "--" + given in flags else ""
            message += hint or did_you_mean(given, choices)
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def option_names(self) -> list[str]:
        """Every option string of this parser (``--current``, ``-T``, …)."""
        return [s for action in self._actions for s in action.option_strings]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("neurosim")
    except Exception:  # noqa: BLE001 - running from a source tree that was never installed
        from neurosim import __version__

        return __version__


def _unrecognized(parser: CliParser, command: str | None, extras: list[str]) -> None:
    """Refuse arguments no parser took, in the subcommand's name, with the closest option."""
    sub = parser._subparsers._group_actions[0].choices.get(command) if command else None
    target = sub if isinstance(sub, CliParser) else parser
    first = next((e for e in extras if e.startswith("-")), extras[0])
    target.error(f"unrecognized arguments: {' '.join(extras)}"
                 f"{did_you_mean(first.split('=')[0], target.option_names())}")


def _build_parser(command: str | None) -> CliParser:
    parser = CliParser(prog="neurosim",
                       description="Spiking neurons, ANNs and the bridge between them.")
    parser.add_argument("--version", action="version", version=f"neurosim {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)
    module = SUBCOMMANDS[command][0] if command in SUBCOMMANDS else None
    if module is not None:
        importlib.import_module(module).register(sub)
    for name, (mod, summary) in SUBCOMMANDS.items():
        if mod != module:  # a placeholder, so --help lists every subcommand without importing
            sub.add_parser(name, help=summary, description=summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``neurosim`` with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = _build_parser(command)
    args, extras = parser.parse_known_args(argv)
    if extras:
        _unrecognized(parser, args.command, extras)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:  # `neurosim … | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 0
    except (ValueError, TypeError) as e:
        print(f"neurosim {args.command}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"neurosim {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"neurosim {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
