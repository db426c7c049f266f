"""``neurosim fi MODEL --currents START:STOP:N --duration T``: the f–I curve (registered by
:mod:`.cli`, which holds the options shared with ``neurosim neuron``).

``--currents START:STOP:N``: N currents from START to STOP, both included; START < STOP (the
N neurons are independent, so an ascending range says everything), or N = 1 with
START = STOP (one current); N from 1 to 10000.

The rate is the steady-state rate of :func:`.protocols.fi_curve`: 1 / mean ISI of the spikes
after the first quarter of the stimulus, 0 with fewer than 2 such spikes. A row whose rate is
0 although the neuron fired says so, and why.
"""

from __future__ import annotations

import json

import numpy as np

from .cli_stimulus import build_protocol, in_typed_unit, typed_unit

__all__ = ["parse_current_range", "run_fi"]


def parse_current_range(text: str, expected):
    """``START:STOP:N`` -> Quantity array of N currents from START to STOP inclusive.

    START < STOP with 2 <= N <= 10000, or N = 1 with START = STOP; anything else is one
    ``ValueError`` line (a reversed or empty range, N = 1 with two different ends, N < 1).
    """
    import numpy as np

    from .cli_options import split_range
    from .units import parse_quantity

    start, stop, n = split_range(text, lambda part, what: parse_quantity(part, expected, what),
                                 "0nA:1nA:11", n_min=1)
    if n == 1 and float(start) != float(stop):
        raise ValueError(f"--currents {text!r}: N=1 gives one current, but START and STOP "
                         "differ; use N >= 2, or START = STOP for one current")
    if n > 1 and not float(start) < float(stop):
        raise ValueError(f"--currents {text!r}: STOP must be above START (an ascending range; "
                         "each current is its own neuron, so the order does not matter)")
    return start + (stop - start) * np.linspace(0.0, 1.0, n)


def run_fi(args) -> int:
    from .cli import _check_dt, _check_outputs, _model_and_units, _warn
    from .cli_output import plural, round_json
    from .cli_plots import plot_fi
    from .sanity import check_hyperpolarization
    from .protocols import fi_curve

    _check_outputs(args)
    model, expected, duration, dt, params = _model_and_units(args)
    currents = parse_current_range(args.currents, expected)
    protocol = build_protocol(args, currents, duration, expected)
    _check_dt(args, model, protocol, dt)
    _warn(args, check_hyperpolarization(model, currents, f"--currents {args.currents}",
                                        strict=model.v_detect is not None))
    fi = fi_curve(model, currents, duration, dt=dt, protocol=protocol)
    t0, t1 = fi.result.window_ms
    skip_ms = (t1 - t0) / 4  # fi_curve's default onset transient
    unit = typed_unit(args.currents.split(":")[0])
    shown = [in_typed_unit(c, args.currents.split(":")[0])[0] for c in currents]
    out = {"model": args.model, "pattern": args.pattern, "stimulus": args.stimulus,
           "current_unit": unit, "currents": shown, "rates_hz": fi.rates_hz.tolist(),
           "n_spikes": fi.n_spikes.tolist(), "duration_ms": float(duration) * 1e3,
           "rate_definition": "1 / mean ISI after the first quarter of the stimulus (0 if < 2)",
           "skip_ms": skip_ms, "n_spikes_steady": [
               int(np.count_nonzero((s >= t0 + skip_ms) & (s < t1)))
               for s in fi.result.spike_times_ms],
           "dt_ms": fi.result.dt_ms, "method": fi.result.method, "params": params,
           "codegen": fi.result.target}
    if args.plot is not None:
        plot_fi(fi, model.name, args.plot, currents=shown, unit=unit)
        out["plot"] = str(args.plot)
    out = round_json(out)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"f–I curve of {model.name} ({len(shown)} currents, {args.stimulus}, one simulation; "
          f"dt {fi.result.dt_ms:g} ms, {fi.result.method})"
          + "".join(f", {k}={v}" for k, v in params.items()))
    for c, r, n, k in zip(shown, out["rates_hz"], out["n_spikes"], out["n_spikes_steady"]):
        why = f", {k} after the first quarter" if r == 0 and n > 0 else ""
        print(f"  {c:10.4g} {unit:7s} {r:8.2f} Hz  ({plural(n, 'spike')} during the "
              f"stimulus{why})")
    if any(r == 0 and n > 0 for r, n in zip(out["rates_hz"], out["n_spikes"])):
        print(f"  a rate of 0 Hz with spikes: the steady-state rate needs >= 2 spikes after the "
              f"first quarter of the stimulus (after {out['skip_ms']:g} ms of it); try a longer "
              f"--duration (now {args.duration})")
    if args.plot is not None:
        print(f"  plot: {args.plot}")
    return 0
