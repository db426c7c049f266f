"""The ``neurosim convert`` subcommand implemented by ``bridge``: its options here, the work in
:mod:`.convert_cli` (``neurosim demo``, which calls the same conversion, is the top layer's:
:mod:`pipeline.demo`).

Every check that can fail is made before the data are loaded: values (``--n-test`` at most the
10 000 test images, ``--norm``), the model file, and every output path (:mod:`common.paths`:
missing folders are created, a file in the way is one line, exit 2). Progress goes to stderr:
one line per phase, and on a terminal a live count of the images simulated
(:mod:`ann.progress`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from common.cli_types import count_at_most, fraction, memory_size, positive_int

from .convert_cli import brian2_check, format_report  # noqa: F401 (re-export)

__all__ = ["register", "format_report", "brian2_check"]


def _add_conversion_options(p, timesteps_default: int) -> None:
    from .convert import READOUTS
    from .encoding import ENCODINGS
    from .neuron import RESETS

    p.add_argument("--timesteps", "-T", type=positive_int, default=timesteps_default,
                   metavar="T", help="simulated time steps (default %(default)s)")
    p.add_argument("--norm", default="p99.9",
                   help="weight normalisation: max, none or pNN, the NN-th percentile of "
                        "positive activations (default %(default)s)")
    p.add_argument("--per-channel", action=argparse.BooleanOptionalAction, default=True,
                   help="one normalisation factor per output channel (default) or per layer")
    p.add_argument("--reset", choices=RESETS, default="subtract",
                   help="reset after a spike: subtract the threshold or set to zero "
                        "(default %(default)s)")
    p.add_argument("--signed", action=argparse.BooleanOptionalAction, default=None,
                   help="signed neurons: a negative spike takes back an earlier one when the "
                        "potential falls below zero; --nir needs --no-signed (default: on with "
                        "--reset subtract, off with --reset zero)")
    p.add_argument("--readout", choices=READOUTS, default="potential",
                   help="output: argmax of membrane potential or of spike counts "
                        "(default %(default)s)")
    p.add_argument("--encoding", choices=ENCODINGS, default="constant",
                   help="input encoding (default %(default)s)")
    p.add_argument("--max-pool", choices=("count", "gate"), default="count",
                   help="max pooling of spikes: the pooled count follows the busiest input "
                        "(count) or Rueckauer et al.'s gate (default %(default)s)")
    p.add_argument("--v-init", type=fraction, default=0.5, metavar="F",
                   help="initial membrane potential in units of the threshold "
                        "(default %(default)s)")
    p.add_argument("--seeds", type=positive_int, default=1, metavar="N",
                   help="repetitions with different seeds (Poisson input; mean ± s.d.) "
                        "(default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first repetition and of "
                   "the normalisation sample (default %(default)s)")
    p.add_argument("--n-test", type=count_at_most(10000, "MNIST test set"),
                   default=10000, metavar="N",
                   help="the first N test images are evaluated (default: all %(default)s)")
    p.add_argument("--norm-samples", type=count_at_most(60000, "MNIST training set"),
                   default=10000,
                   metavar="N", help="training images for the normalisation statistics "
                                     "(default %(default)s)")
    p.add_argument("--simulator", choices=("layerwise", "step"), default="layerwise",
                   help="layerwise: each layer over all T steps at once (fast); step: every "
                        "step through all layers, the reference (default %(default)s)")
    p.add_argument("--memory-budget", type=memory_size, default=None, metavar="SIZE",
                   help="memory the layerwise simulator may hold, all workers together; sets "
                        "how many images are simulated at once, never the results "
                        "(e.g. 64MiB, 2GiB; default 256MiB, or 32MiB per worker where more)")
    p.add_argument("--batch-size", type=positive_int, default=500, metavar="B",
                   help="images per ANN batch, and per batch of the step simulator "
                        "(default %(default)s)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="workers sharing the test images: threads, or processes with "
                        f"--simulator step (default: one per CPU core, {os.cpu_count() or 1} "
                        "here)")


def register(subparsers) -> None:
    """Add ``neurosim convert`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "convert", help="convert a trained ReLU network to a spiking one and compare on MNIST",
        description="Convert a model saved by 'neurosim train' (.npz) or Keras (.keras) into "
                    "integrate-and-fire neurons, simulate it on the MNIST test set and compare "
                    "it with the ANN at every time step.")
    p.add_argument("model", type=Path, help="trained model: .npz from neurosim train, or "
                   ".keras; or a NIR graph (.nir) to run")
    _add_conversion_options(p, timesteps_default=100)
    p.add_argument("--json", action="store_true",
                   help="print the report as one JSON line (default: a text summary)")
    p.add_argument("--report", type=Path, metavar="FILE",
                   help="write the full JSON report here (default: none)")
    p.add_argument("--plot", type=Path, metavar="FILE",
                   help="save the accuracy-vs-time-step figure, .png/.svg/.pdf (default: none)")
    p.add_argument("--nir", type=Path, metavar="FILE",
                   help="also export the converted network to NIR (HDF5; needs average "
                        "pooling: neurosim train lenet --pool avg) (default: none)")
    p.add_argument("--nir-client", choices=("nir", "norse", "snntorch"), default="nir",
                   help="node forms of the --nir export: plain NIR, or those norse 1.1 / "
                        "snnTorch 1.0 run (default %(default)s)")
    p.add_argument("--dt", type=float, default=None, metavar="S",
                   help="time step for running a .nir graph, in its time unit (default: the "
                        "graph's metadata 'dt', else 1)")
    p.add_argument("--brian2-check", type=positive_int, metavar="N", default=None,
                   help="simulate the first N test images in Brian2 too and check that every "
                        "spike count equals the batched simulator's (average-pooling models; "
                        "constant input, whatever --encoding) (default: none)")
    p.add_argument("--offline", action="store_true",
                   help="never download MNIST (default: download what is missing)")
    p.set_defaults(run=run_convert)


def run_convert(args) -> int:
    from .convert_cli import run_convert as run

    return run(args)
