"""``--stimulus step|ramp|pulses|noise`` of ``neurosim neuron`` and ``neurosim fi``, and the
current values the user typed (echoed back in the unit typed).

The stimulus shapes are those of :mod:`.stimulus`, each after 20 ms at 0 and followed by a
30 ms tail at 0 (the rest before gives the resting potential)::

    step    I = --current for --duration
    ramp    I from --ramp-start (default 0) to --current, linearly over --duration
    pulses  pulses of --current, --pulse-width wide, one every --period, as many as fit in
            --duration (at least one)
    noise   I = --current + Ornstein-Uhlenbeck noise of std --noise-sigma and correlation
            time --noise-tau for --duration, drawn from numpy.random.default_rng(--seed)

For ``fi`` the amplitude ``--current`` is replaced by each of the N currents. A ramp that
evokes no spike where a step to its top would is told so (:func:`ramp_note`): a slowly rising
current lets the membrane accommodate (HH: Na inactivation and K activation keep pace with the
depolarization; Hodgkin 1948), and the top is reached only at the ramp's end.
"""

from __future__ import annotations

import re

from ..checks import require_nonnegative, require_positive

__all__ = ["STIMULI", "add_stimulus_options", "build_protocol", "typed_unit",
           "in_typed_unit", "ramp_note"]

#: name -> one-line description (also listed by ``neurosim models``)
STIMULI = {
    "step": "constant --current for --duration (default)",
    "ramp": "linear from --ramp-start (default 0) to --current over --duration (a slow ramp "
            "may evoke no spike where a step of the same amplitude fires: accommodation)",
    "pulses": "pulses of --current, --pulse-width wide, one every --period, during --duration",
    "noise": "--current + Ornstein-Uhlenbeck noise (std --noise-sigma, correlation time "
             "--noise-tau, seeded by --seed) during --duration",
}

#: option (argparse dest) -> (the stimulus it belongs to, the default as text)
_SPECIFIC = {"ramp_start": ("ramp", "0 (in the current's unit)"),
             "pulse_width": ("pulses", "2ms"), "period": ("pulses", "20ms"),
             "noise_sigma": ("noise", None), "noise_tau": ("noise", "5ms"),
             "seed": ("noise", "0")}


def add_stimulus_options(parser) -> None:
    """Add ``--stimulus`` and its parameters to a subcommand's parser."""
    parser.add_argument("--stimulus", choices=tuple(STIMULI), default="step",
                        help="shape of the injected current: " + "; ".join(
                            f"{k}: {v}" for k, v in STIMULI.items()) + " (default: %(default)s)")
    parser.add_argument("--ramp-start", default=None, metavar="VALUE_WITH_UNIT",
                        help="ramp only: current at the ramp's start, in the unit of --current "
                             "(default: 0)")
    parser.add_argument("--pulse-width", default=None, metavar="VALUE_WITH_UNIT",
                        help="pulses only: width of each pulse, a time (default: 2ms)")
    parser.add_argument("--period", default=None, metavar="VALUE_WITH_UNIT",
                        help="pulses only: onset-to-onset interval, a time (default: 20ms)")
    parser.add_argument("--noise-sigma", default=None, metavar="VALUE_WITH_UNIT",
                        help="noise only: standard deviation of the noise, in the unit of "
                             "--current, e.g. 2uA/cm2 (hh) or 50pA (adex) (default: none; "
                             "required with --stimulus noise)")
    parser.add_argument("--noise-tau", default=None, metavar="VALUE_WITH_UNIT",
                        help="noise only: correlation time of the noise (default: 5ms)")
    parser.add_argument("--seed", default=None, type=int, metavar="INT",
                        help="noise only: seed of the noise generator (default: 0)")


def _check_specific(args) -> None:
    for dest, (owner, _) in _SPECIFIC.items():
        if getattr(args, dest) is not None and args.stimulus != owner:
            option = "--" + dest.replace("_", "-")
            raise ValueError(f"{option} applies to --stimulus {owner} only (now --stimulus "
                             f"{args.stimulus})")


def build_protocol(args, amplitude, duration, expected):
    """The :class:`.stimulus.Protocol` of ``args.stimulus`` with ``amplitude`` (a Quantity,
    scalar or one per neuron) and ``duration``; ``expected`` is the current's unit (amp or
    amp/meter**2). One-line ``ValueError`` for an option of another stimulus, a bad value, or
    pulses that do not fit into ``duration``."""
    import numpy as np
    from brian2 import ms, second

    from .stimulus import noisy, pulse_train, ramp, step
    from .units import parse_quantity

    _check_specific(args)

    def time(dest, default):
        text = getattr(args, dest)
        option = "--" + dest.replace("_", "-")
        value = default if text is None else parse_quantity(text, second, option)
        require_positive(float(value), f"{option} {text!r}")
        return value

    if args.stimulus == "step":
        return step(amplitude, duration)
    if args.stimulus == "ramp":
        start = amplitude * 0 if args.ramp_start is None else \
            parse_quantity(args.ramp_start, expected, "--ramp-start")
        return ramp(start, amplitude, duration)
    if args.stimulus == "pulses":
        width, period = time("pulse_width", 2 * ms), time("period", 20 * ms)
        if not float(width) < float(period):
            raise ValueError(f"--pulse-width {width} must be shorter than --period {period}")
        n = int(np.floor(float(duration / period) + 1e-9))
        if n < 1:
            raise ValueError(f"--duration {duration} is shorter than --period {period}: no "
                             "pulse fits; lengthen --duration or shorten --period")
        return pulse_train(amplitude, width, period, n)
    # noise
    if args.noise_sigma is None:
        raise ValueError("--stimulus noise needs --noise-sigma (the noise's standard "
                         "deviation, in the unit of --current)")
    sigma = parse_quantity(args.noise_sigma, expected, "--noise-sigma")
    require_nonnegative(float(sigma), f"--noise-sigma {args.noise_sigma!r}")
    tau = time("noise_tau", 5 * ms)
    seed = 0 if args.seed is None else args.seed
    return noisy(amplitude, sigma, duration, np.random.default_rng(seed), tau=tau)


_UNIT = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*(.*?)\s*$")


def typed_unit(text: str) -> str:
    """The unit part of a quantity as typed: ``"500pA"`` -> ``"pA"``."""
    m = _UNIT.match(text)
    return m.group(1).replace(" ", "") if m else ""


def in_typed_unit(value, text: str) -> tuple[float, str]:
    """``value`` (a Quantity) expressed in the unit typed in ``text``: (number, unit label)."""
    from .units import parse_quantity

    unit = typed_unit(text)
    return float(f"{float(value / parse_quantity('1' + unit)):.12g}"), unit


def ramp_note(args, model, amplitude, duration, dt) -> str | None:
    """For a ramp that evoked no spike during the stimulus, one line saying whether a step to
    the ramp's top for the same duration fires (one more short simulation, spikes only);
    ``None`` otherwise."""
    from .simulate import simulate
    from .stimulus import step

    if args.stimulus != "ramp" or float(amplitude) <= 0 or model.threshold is None:
        return None
    res = simulate(model, step(amplitude, duration), record=False, dt=dt)
    t0, t1 = res.window_ms
    s = res.spike_times_ms[0]
    n = int(((s >= t0) & (s < t1)).sum())
    if n == 0:
        return None
    return (f"no spike on the ramp, but a step of {args.current} for {args.duration} fires "
            f"{n}: the ramp reaches {args.current} only at its end, and a slowly rising "
            "current lets the membrane accommodate (HH: Na inactivation and K activation keep "
            "pace)")
