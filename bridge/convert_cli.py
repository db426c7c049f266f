"""``neurosim convert MODEL``: convert, simulate, compare, and write what was asked for.

Every check that can fail is made before the data are loaded (:func:`_check_paths`,
:func:`_check_exports`); every file written is then named on its own line (``report: FILE``,
``plot: FILE``, ``nir: FILE``), on stdout after the summary, or on stderr with ``--json`` so
that stdout stays one JSON object.
"""

from __future__ import annotations

import sys

__all__ = ["run_convert", "format_report", "write_outputs", "brian2_check", "name_written"]


def _config(args):
    from .evaluate import EvalConfig

    return EvalConfig(timesteps=args.timesteps, norm=args.norm, per_channel=args.per_channel,
                      reset=args.reset, signed=args.signed, readout=args.readout,
                      encoding=args.encoding, v_init=args.v_init, max_pool=args.max_pool,
                      seeds=args.seeds, seed=args.seed, n_test=args.n_test,
                      norm_samples=args.norm_samples, batch_size=args.batch_size,
                      simulator=args.simulator, memory_budget=args.memory_budget,
                      **({"workers": args.workers} if args.workers else {}))


def write_outputs(report, samples, report_path=None, plot_path=None) -> None:
    """Write a conversion report as JSON to ``report_path`` and its accuracy-per-step figure to
    ``plot_path`` (either may be ``None``: not written), each atomically."""
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
        f"{r['spikes_per_image']:.0f}"
        + (" (net of negative spikes)" if r.get("settings", {}).get("signed") else ""),
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
    _check_memory_budget(network, config)
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
    write_outputs(report, result.samples, args.report, args.plot)
    if args.json:
        print(dumps(report))
    else:
        print(format_report(report))
    name_written({"plot": args.plot, "report": args.report, "nir": args.nir}, args.json)
    return 0


def name_written(files: dict, json: bool) -> None:
    """Print ``KIND: FILE`` for every file written (``None``: not asked for); on stderr with
    ``--json``, so that stdout stays one JSON object."""
    for kind, path in files.items():
        if path is not None:
            print(f"{kind}: {path}", file=sys.stderr if json else sys.stdout)


def _check_exports(network, args) -> None:
    """Refuse --nir / --brian2-check up front (before minutes of simulation) where they cannot
    work: max pooling has no fixed synapses and no NIR node, nor has a concatenation; the
    norse and snnTorch forms of NIR take chains."""
    from .convert import fold_any
    from .network import Concat, Pool, SpikingNetwork

    if args.nir is None and not args.brian2_check:
        return
    ops, input_shape, _ = fold_any(network)
    flag = "--nir" if args.nir is not None else "--brian2-check"
    if args.nir is not None:
        if any(isinstance(op, Concat) for op in ops):
            raise ValueError(f"--nir: NIR has no concatenation node ({args.model} has a "
                             "Concatenate)")
        if args.nir_client != "nir" and not SpikingNetwork(ops, input_shape).is_chain:
            raise ValueError(f"--nir-client {args.nir_client} takes chains of layers; "
                             f"{args.model} is a graph: export it in plain NIR (--nir-client "
                             "nir)")
    if any(isinstance(op, Pool) and op.kind == "max" for op in ops):
        raise ValueError(f"{flag} needs a model without max pooling ({args.model} has "
                         "MaxPool2D); train one with average pooling: neurosim train lenet "
                         "--pool avg")
    from .params import SNNParams

    if args.nir is not None and SNNParams(reset=args.reset, signed=args.signed).signed:
        raise ValueError("--nir: NIR's IF neuron sends no negative spikes; " + (
            "drop --signed" if args.signed else "add --no-signed (or --reset zero)"))


def _check_memory_budget(network, config) -> None:
    """Refuse a --memory-budget below one step of one image, before any data are loaded."""
    if config.simulator != "layerwise":
        return
    from .convert import fold_any
    from .network import SpikingNetwork
    from .simulate import check_memory_budget

    ops, input_shape, _ = fold_any(network)
    check_memory_budget(SpikingNetwork(ops, input_shape), config.timesteps,
                        config.memory_budget, config.workers)


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
