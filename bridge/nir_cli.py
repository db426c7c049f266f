"""``neurosim convert GRAPH.nir``: run a NIR graph on MNIST, with the accuracy at every step.

The graph is read and checked first (:mod:`bridge.nir_graph`; every fault is one line, exit 2).
Its input must take an MNIST image: (784,), (1, 28, 28) or (28, 28). Then:

* if the graph is a chain of weight layers and IF neurons (:func:`~bridge.nir_import.
  to_spiking_network`), it runs on neurosim's batched simulator (:func:`bridge.simulate.
  simulate`), with the usual report, and ``--brian2-check N`` runs its first N images in Brian2;
* otherwise (LIF, CubaLIF, LI, Scale, branches) it runs on the NIR runner
  (:func:`bridge.nir_run.run_graph`, forward Euler with the graph's ``dt``, float32).

Input: the pixel values in [0, 1] as a constant current every step (as ``neurosim convert``).
Prediction after step ``t``: the argmax of the output summed over steps when the output node is
fed by spiking neurons, else of the output at ``t`` (a potential); ties → lowest class.
"""

from __future__ import annotations

import sys

import numpy as np

from .checks import positive_number

__all__ = ["run_nir_graph", "nir_mnist_accuracy"]

_MNIST_SHAPES = ((784,), (1, 28, 28), (28, 28))


def nir_mnist_accuracy(plan, x: np.ndarray, y: np.ndarray, T: int, dt: float,
                       batch_size: int = 500, dtype=np.float32) -> dict:
    """Run ``plan`` with the NIR runner on images ``x (N, 28, 28[, 1])`` in [0, 1], labels ``y``;
    accuracy after every step, predictions and spikes per image per spiking node."""
    from .nir_run import SPIKING, run_graph

    last = plan.steps[-1]
    src = next(s for s in plan.steps if s.name == last.sources[0])
    summed = src.kind in SPIKING
    correct = np.zeros(T, np.int64)
    preds = np.empty(len(x), np.int64)
    spikes: dict = {}
    for a in range(0, len(x), batch_size):
        xb = np.asarray(x[a:a + batch_size], np.float32).reshape((-1,) + plan.input_shape)
        yb = y[a:a + batch_size]
        acc = np.zeros((len(xb),) + plan.output_shape, np.float64)

        def on_step(t, out, yb=yb, acc=acc):
            if summed:
                acc += out
            else:
                acc[...] = out
            p = acc.reshape(len(yb), -1).argmax(axis=1)
            correct[t] += int(np.count_nonzero(p == yb))
            preds[a:a + len(yb)] = p

        run = run_graph(plan, xb, T, dt=dt, dtype=dtype, on_step=on_step)
        for k, c in run.counts.items():
            spikes[k] = spikes.get(k, 0.0) + float(c.sum())
    n = len(x)
    return {"engine": "NIR runner (forward Euler)", "dt": dt, "timesteps": T, "n_test": n,
            "accuracy_per_step": (correct / n).tolist(), "snn_accuracy": float(correct[-1] / n),
            "spikes_per_image": {k: v / n for k, v in spikes.items()},
            "predictions": preds}


def _read_plan(args):
    """``(plan, dt)`` of the ``.nir`` file ``args.model``: checked, MNIST-shaped, ``dt`` from
    ``--dt`` or the graph's metadata."""
    from .nir_graph import plan_graph, read_graph
    from .nir_import import graph_dt

    if not args.model.exists():
        raise ValueError(f"{args.model}: no such NIR file")
    plan = plan_graph(read_graph(args.model))
    if plan.input_shape not in _MNIST_SHAPES:
        raise ValueError(f"{args.model}: input shape {plan.input_shape} does not take an MNIST "
                         "image ((784,), (1, 28, 28) or (28, 28))")
    dt = graph_dt(plan) if getattr(args, "dt", None) is None else float(args.dt)
    positive_number(dt, "--dt")
    return plan, dt


def _accuracy_report(args, plan, snn, why: str | None, mnist, dt: float) -> dict:
    """The report of the graph on ``args.n_test`` MNIST test images: on the batched simulator
    (and Brian2 with ``--brian2-check``) where ``snn`` is not ``None``, else on the NIR runner
    (``why``: the reason)."""
    from ann.training import prepare_images

    x = prepare_images(mnist.x_test[:args.n_test])
    y = np.asarray(mnist.y_test[:args.n_test])
    T = args.timesteps
    if snn is None:
        report = nir_mnist_accuracy(plan, x, y, T, dt, args.batch_size)
        report.pop("predictions")
        report["why_not_simulator"] = why
        if args.brian2_check:
            raise ValueError(f"--brian2-check needs a graph of IF neurons ({why})")
        return report
    from .simulate import simulate

    res = simulate(snn, x, y, T, batch_size=args.batch_size, statistics=False)
    report = {"engine": "neurosim batched simulator", "dt": dt, "timesteps": T,
              "n_test": len(x), "accuracy_per_step": res.accuracy_per_step.tolist(),
              "snn_accuracy": float(res.accuracy_per_step[-1]),
              "relu_network_accuracy": float(res.ann_accuracy),
              "settings": snn.params.as_dict()}
    if args.brian2_check:
        from .cli import brian2_check

        report["brian2_check"] = brian2_check(snn, mnist, args.brian2_check, T)
    return report


def _print_report(args, report: dict, snn, why: str | None, dt: float) -> None:
    """The report in a few lines: accuracy by step, where it ran, the Brian2 check."""
    acc = report["accuracy_per_step"]
    marks = [t for t in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512) if t <= len(acc)]
    print(f"NIR graph {args.model} on {report['engine']} (dt = {dt:g}), {report['n_test']} "
          f"test images: accuracy at T={args.timesteps} {100 * acc[-1]:.2f} %")
    print("accuracy by step: " + "  ".join(f"t={t}: {100 * acc[t - 1]:.2f}" for t in marks))
    if snn is None:
        print(f"not on the batched simulator: {why}", file=sys.stderr)
    elif snn.params.source != "NIR graph":
        st = snn.params
        print(f"written by neurosim: its settings restored from the graph's metadata (reset "
              f"{st.reset}, {'signed' if st.signed else 'unsigned'} neurons, V0 {st.v_init}·θ, "
              f"readout {st.readout})")
    if "brian2_check" in report:
        b = report["brian2_check"]
        print(f"Brian2 cross-check on {b['images']} images: spike counts "
              + ("equal" if b["spike_counts_equal"] else "DIFFER") + f" ({b['spikes']} spikes)")


def run_nir_graph(args) -> int:
    """The ``neurosim convert`` path for a ``.nir`` model (options as for a trained model;
    those about conversion — norm, reset, signed, readout, v-init — do not apply: the graph
    fixes them)."""
    from ann.data import load_mnist
    from ann.jsonout import dumps

    from .convert_cli import name_written
    from .nir_import import to_spiking_network

    plan, dt = _read_plan(args)
    try:
        snn, why = to_spiking_network(plan, dt), None
    except ValueError as e:
        snn, why = None, str(e)
    mnist = load_mnist(download=not args.offline)
    report = _accuracy_report(args, plan, snn, why, mnist, dt)
    report["model_path"] = str(args.model)
    if args.report is not None:
        from common.fileio import atomic_write_bytes

        atomic_write_bytes(args.report, dumps(report, indent=1).encode())
    if args.json:
        print(dumps(report))
        name_written({"report": args.report}, json=True)
        return 0
    _print_report(args, report, snn, why, dt)
    name_written({"report": args.report}, json=False)
    return 0
