"""``neurosim demo``: the project's pipeline end to end on quick defaults (data, LeNet-5 in
NumPy, conversion and comparison on the full test set, the lecture's figures)."""

from __future__ import annotations

import sys
import time

from .cli import _write_outputs, format_report

__all__ = ["run_demo"]


def run_demo(args) -> int:
    from ann.cli import format_summary, load_and_summarize
    from ann.config import TrainConfig
    from ann.progress import plural, progress_printer
    from ann.training import train_numpy

    from ann.train_cli import _subset
    from common.paths import check_output_dir

    from .evaluate import EvalConfig, evaluate, load_trained

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
    _write_outputs(report, result.samples, out / "snn_report.json", out / "snn_accuracy.png")
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
