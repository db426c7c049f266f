"""``neurosim`` subcommands implemented by ``bridge``: ``convert`` and ``demo`` (the main job).

Every check that can fail is made before the data are loaded: values (``--n-test`` at most the
10 000 test images, ``--norm``), the model file, and every output path (:mod:`common.paths`:
missing folders are created, a file in the way is one line, exit 2). Progress goes to stderr:
one line per phase, and on a terminal a live count of the images simulated
(:mod:`ann.progress`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

__all__ = ["register"]


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _at_most(limit: int, what: str):
    """An argparse type: a positive integer, at most ``limit`` (the size of MNIST's ``what``)."""
    def parse(text: str) -> int:
        v = _positive_int(text)
        if v > limit:
            raise argparse.ArgumentTypeError(f"at most {limit} (the MNIST {what}), got {v}")
        return v
    return parse


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return v


def _add_conversion_options(p, timesteps_default: int) -> None:
    from .convert import READOUTS
    from .encoding import ENCODINGS
    from .neuron import RESETS

    p.add_argument("--timesteps", "-T", type=_positive_int, default=timesteps_default,
                   metavar="T", help="simulated time steps (default %(default)s)")
    p.add_argument("--norm", default="p99.9",
                   help="weight normalisation: max, none or pNN, the NN-th percentile of "
                        "positive activations (default %(default)s)")
    p.add_argument("--per-channel", action=argparse.BooleanOptionalAction, default=True,
                   help="one normalisation factor per output channel (default) or per layer")
    p.add_argument("--reset", choices=RESETS, default="subtract",
                   help="reset after a spike: subtract the threshold or set to zero "
                        "(default %(default)s)")
    p.add_argument("--readout", choices=READOUTS, default="potential",
                   help="output: argmax of membrane potential or of spike counts "
                        "(default %(default)s)")
    p.add_argument("--encoding", choices=ENCODINGS, default="constant",
                   help="input encoding (default %(default)s)")
    p.add_argument("--max-pool", choices=("count", "gate"), default="count",
                   help="max pooling of spikes: the pooled count follows the busiest input "
                        "(count) or Rueckauer et al.'s gate (default %(default)s)")
    p.add_argument("--v-init", type=_fraction, default=0.5, metavar="F",
                   help="initial membrane potential in units of the threshold "
                        "(default %(default)s)")
    p.add_argument("--seeds", type=_positive_int, default=1, metavar="N",
                   help="repetitions with different seeds (Poisson input; mean ± s.d.) "
                        "(default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first repetition and of "
                   "the normalisation sample (default %(default)s)")
    p.add_argument("--n-test", type=_at_most(10000, "test set"), default=10000, metavar="N",
                   help="the first N test images are evaluated (default: all %(default)s)")
    p.add_argument("--norm-samples", type=_at_most(60000, "training set"), default=10000,
                   metavar="N", help="training images for the normalisation statistics "
                                     "(default %(default)s)")
    p.add_argument("--batch-size", type=_positive_int, default=500, metavar="B",
                   help="images simulated together, bounds memory (default %(default)s)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="processes sharing the test images (default: one per CPU core, "
                        f"{os.cpu_count() or 1} here)")


def register(subparsers) -> None:
    """Add ``bridge``'s subcommands to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "convert", help="convert a trained ReLU network to a spiking one and compare on MNIST",
        description="Convert a model saved by 'neurosim train' (.npz) or Keras (.keras) into "
                    "integrate-and-fire neurons, simulate it on the MNIST test set and compare "
                    "it with the ANN at every time step.")
    p.add_argument("model", type=Path, help="trained model: .npz from neurosim train, or .keras; or a NIR graph (.nir) to run")
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
    p.add_argument("--brian2-check", type=_positive_int, metavar="N", default=None,
                   help="simulate the first N test images in Brian2 too and check that every "
                        "spike count equals the batched simulator's (average-pooling models) "
                        "(default: none)")
    p.add_argument("--offline", action="store_true",
                   help="never download MNIST (default: download what is missing)")
    p.set_defaults(run=run_convert)

    p = subparsers.add_parser(
        "demo", help="the main job: the project's pipeline on defaults that finish in minutes",
        description="The project's pipeline end to end on quick defaults: verified MNIST, "
                    "train a LeNet-5 CNN in NumPy, convert it to a spiking network, compare the "
                    "two on the full test set at every time step, save the figure, and "
                    "regenerate the lecture's figures (quick settings) into OUT/figures.")
    p.add_argument("--out", type=Path, default=Path("out/demo"), metavar="DIR",
                   help="folder for the model, report and figures, created if missing "
                        "(default %(default)s)")
    p.add_argument("--epochs", type=_positive_int, default=1,
                   help="training epochs (default %(default)s)")
    p.add_argument("--timesteps", "-T", type=_positive_int, default=32, metavar="T",
                   help="simulated time steps (default %(default)s)")
    p.add_argument("--n-train", type=_at_most(60000, "training set"), default=None, metavar="N",
                   help="train on the first N training images (default: all 60000)")
    p.add_argument("--n-test", type=_at_most(10000, "test set"), default=None, metavar="N",
                   help="test ANN and SNN on the first N test images (default: all 10000)")
    p.add_argument("--offline", action="store_true", help="never download; use the cache")
    p.set_defaults(run=run_demo)


def _config(args):
    from .evaluate import EvalConfig

    return EvalConfig(timesteps=args.timesteps, norm=args.norm, per_channel=args.per_channel,
                      reset=args.reset, readout=args.readout, encoding=args.encoding,
                      v_init=args.v_init, max_pool=args.max_pool, seeds=args.seeds,
                      seed=args.seed, n_test=args.n_test,
                      norm_samples=args.norm_samples, batch_size=args.batch_size,
                      **({"workers": args.workers} if args.workers else {}))


def _write_outputs(report, samples, report_path=None, plot_path=None) -> None:
    from ann.jsonout import dumps
    from common.fileio import atomic_write_bytes

    if report_path is not None:
        atomic_write_bytes(report_path, dumps(report, indent=1).encode())
    if plot_path is not None:
        from .plot import plot_report, save_figure

        save_figure(plot_report(report, samples), plot_path)


def _num(value, spec: str) -> str:
    """``value`` formatted with ``spec``, or ``n/a`` where the report says undefined (None)."""
    return "n/a" if value is None else format(value, spec)


def format_report(r: dict) -> str:
    """A one-screen text summary of a conversion report."""
    acc = r["accuracy_per_step"]
    marks = [t for t in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512) if t <= len(acc)]
    lines = [
        f"ANN accuracy {100 * r['ann_accuracy']:.2f} %   SNN at T={r['timesteps']}: "
        f"{100 * r['snn_accuracy']:.2f} %"
        + (f" ± {100 * r['snn_accuracy_std']:.2f}" if len(r.get("seeds", [])) > 1 else "")
        + f"   agreement {100 * r['agreement']:.2f} %   ({r['n_test']} test images)",
        "SNN accuracy by step: " + "  ".join(f"t={t}: {100 * acc[t - 1]:.2f}" for t in marks),
        f"first step reaching 99 % of the ANN: {r['first_step_99pct']}",
        f"synaptic ops per image {_num(r['synops_per_image'], '.3g')} vs ANN MACs "
        f"{r['ann_macs_per_image']:.3g} ({_num(r['synops_per_mac'], '.2f')}x); spikes per image "
        f"{r['spikes_per_image']:.0f}",
    ]
    if r["layers"]:
        lines.append("layer          r      slope  rate   saturated  silent")
    else:
        lines.append("no hidden layers: only the output layer is simulated, so there is no "
                     "rate-vs-activation table")
    for lay in r["layers"]:
        lines.append(f"{lay['name']:<13} {_num(lay['pearson_r'], '.3f')}  "
                     f"{_num(lay['slope'], '.3f')}  "
                     f"{lay['mean_rate']:.3f}  {100 * lay['saturated_fraction']:6.2f} %  "
                     f"{100 * lay['silent_fraction']:6.2f} %")
    lines.append(f"simulated in {r['simulate_seconds']:.1f} s "
                 f"(conversion {r['convert_seconds']:.1f} s)")
    if "brian2_check" in r:
        b = r["brian2_check"]
        lines.append(f"Brian2 cross-check on {b['images']} images: spike counts "
                     + ("equal" if b["spike_counts_equal"] else "DIFFER")
                     + f" ({b['spikes']} spikes)")
    return "\n".join(lines)


def _check_paths(args) -> None:
    """The model must be a readable file; every output path must be writable (before work)."""
    from common.paths import check_input_file, check_output_file

    if not args.model.exists():
        raise ValueError(f"{args.model}: no such model file")
    check_input_file(args.model, "MODEL")
    if args.report is not None:
        check_output_file(args.report, "--report")
    if args.plot is not None:
        check_output_file(args.plot, "--plot", suffixes=(".png", ".svg", ".pdf"))
    if args.nir is not None:
        check_output_file(args.nir, "--nir")


def run_convert(args) -> int:
    from ann.data import load_mnist
    from ann.jsonout import dumps
    from ann.progress import progress_printer

    from .convert import parse_norm
    from .evaluate import evaluate, load_trained

    if args.model.suffix == ".nir":  # a NIR graph: read, check and run it (bridge.nir_cli)
        from .nir_cli import run_nir_graph

        return run_nir_graph(args)
    config = _config(args)
    parse_norm(args.norm)
    _check_paths(args)
    network = load_trained(args.model)
    _check_exports(network, args)
    mnist = load_mnist(download=not args.offline)
    progress = progress_printer(sys.stderr)
    result = evaluate(network, mnist, config, progress=progress)
    report = result.report
    report["model_path"] = str(args.model)
    if args.brian2_check:
        progress({"kind": "phase", "text": f"Brian2 cross-check on {args.brian2_check} images"})
        report["brian2_check"] = brian2_check(result.snn, mnist, args.brian2_check,
                                              config.timesteps)
    if args.nir is not None:
        from .nir_export import write_nir

        import nir as _nir

        from .nir_export import export_notes

        report["nir_path"] = str(write_nir(result.snn, args.nir, client=args.nir_client))
        for note in export_notes(_nir.read(args.nir, type_check=False)):
            print(f"NIR export ({args.nir_client}): {note}", file=sys.stderr)
    _write_outputs(report, result.samples, args.report, args.plot)
    if args.json:
        print(dumps(report))
    else:
        print(format_report(report))
    return 0


def _check_exports(network, args) -> None:
    """Refuse --nir / --brian2-check up front (before minutes of simulation) where they cannot
    work: max pooling has no fixed synapses; NIR's IF neuron resets to zero."""
    from .convert import fold_model
    from .network import Pool

    if args.nir is None and not args.brian2_check:
        return
    ops, _ = fold_model(network)
    if any(isinstance(op, Pool) and op.kind == "max" for op in ops):
        flag = "--nir" if args.nir is not None else "--brian2-check"
        raise ValueError(f"{flag} needs a model without max pooling ({args.model} has MaxPool2D)")


def brian2_check(snn, mnist, n: int, T: int) -> dict:
    """Spike counts of Brian2 vs the batched simulator (float64) on the first ``n`` test images."""
    import numpy as np
    from ann.training import prepare_images

    from .brian_export import brian2_spike_counts
    from .simulate import spike_counts

    x = prepare_images(mnist.x_test[:n])
    ours = spike_counts(snn, x, T, dtype=np.float64)
    theirs = brian2_spike_counts(snn, x, T)
    equal = all(np.array_equal(layer[i].reshape(-1), theirs[i][k])
                for i in range(n) for k, layer in enumerate(ours))
    return {"images": n, "timesteps": T, "spike_counts_equal": bool(equal),
            "spikes": int(sum(int(c.sum()) for per_image in theirs for c in per_image))}


def run_demo(args) -> int:
    from .demo_cli import run_demo as run

    return run(args)
