"""``neurosim demo``: the project's pipeline end to end on quick defaults — verified MNIST, a
LeNet-5 trained in NumPy (``ann``), its conversion to spiking neurons and the comparison on the
full test set at every time step (``bridge``), and the lecture's figures (``figures``).

It lives in the top layer because it uses every package; the packages it calls know nothing of it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from common.cli_types import count_at_most, positive_int

__all__ = ["register", "run_demo"]


def register(subparsers) -> None:
    """Add ``neurosim demo`` to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "demo", help="the main job: the project's pipeline on defaults that finish in minutes",
        description="The project's pipeline end to end on quick defaults: verified MNIST, "
                    "train a LeNet-5 CNN in NumPy, convert it to a spiking network, compare the "
                    "two on the full test set at every time step, save the figure, and "
                    "regenerate the lecture's figures (quick settings) into OUT/figures.")
    p.add_argument("--out", type=Path, default=Path("out/demo"), metavar="DIR",
                   help="folder for the model, report and figures, created if missing "
                        "(default %(default)s)")
    p.add_argument("--epochs", type=positive_int, default=1,
                   help="training epochs (default %(default)s)")
    p.add_argument("--timesteps", "-T", type=positive_int, default=32, metavar="T",
                   help="simulated time steps (default %(default)s)")
    p.add_argument("--n-train", type=count_at_most(60000, "MNIST training set"),
                   default=None, metavar="N",
                   help="train on the first N training images (default: all 60000)")
    p.add_argument("--n-test", type=count_at_most(10000, "MNIST test set"),
                   default=None, metavar="N",
                   help="test ANN and SNN on the first N test images (default: all 10000)")
    p.add_argument("--offline", action="store_true", help="never download; use the cache")
    p.set_defaults(run=run_demo)


def run_demo(args) -> int:
    """Run the pipeline (module docstring) with the parsed ``args``; return the exit status."""
    from ann.cli import format_summary, load_and_summarize
    from ann.config import TrainConfig
    from ann.progress import plural, progress_printer
    from ann.train_cli import _subset
    from ann.training import train_numpy
    from bridge.convert_cli import format_report, write_outputs
    from bridge.evaluate import EvalConfig, evaluate, load_trained
    from common.paths import check_output_dir

    out = check_output_dir(args.out, "--out")
    steps = 4
    print(f"neurosim demo — step 1/{steps}: data", flush=True)
    mnist, summary = load_and_summarize(download=not args.offline)
    print(format_summary(summary))
    mnist = _subset(mnist, args.n_train, args.n_test)
    n_test = len(mnist.x_test)

    model_path = out / "lenet.npz"
    print(f"\nstep 2/{steps}: train LeNet-5 (NumPy, {plural(args.epochs, 'epoch')})", flush=True)
    config = TrainConfig.for_model("lenet", epochs=args.epochs, out=model_path)
    result = train_numpy(config, mnist, progress=progress_printer(sys.stdout))
    print(f"\nLeNet-5: test accuracy {100 * result['test_accuracy']:.2f} % after "
          f"{result['train_seconds']:.0f} s; saved {model_path}")

    test_set = "the full test set" if n_test == 10000 else f"{n_test} test images"
    print(f"\nstep 3/{steps}: convert to spiking neurons and compare on {test_set} "
          f"(T = {args.timesteps})", flush=True)
    result = evaluate(load_trained(model_path), mnist,
                      EvalConfig(timesteps=args.timesteps, n_test=n_test),
                      progress=progress_printer(sys.stdout))
    report = result.report
    report["model_path"] = str(model_path)
    write_outputs(report, result.samples, out / "snn_report.json", out / "snn_accuracy.png")
    print(format_report(report))
    print(f"\nwrote {out / 'snn_report.json'} and {out / 'snn_accuracy.png'}")

    from figures import generate

    fig_dir = out / "figures"
    print(f"\nstep 4/{steps}: regenerate the lecture's figures (quick settings)", flush=True)
    t0 = time.perf_counter()
    made = generate(fig_dir, quick=True, progress=lambda r: print(
        f"  {r['name']:17s} {r['seconds']:5.1f} s", flush=True))
    print(f"{len(made)} figures (PNG + SVG) in {fig_dir} after {time.perf_counter() - t0:.0f} s")
    return 0
