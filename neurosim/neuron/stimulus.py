"""Current-clamp protocols as piecewise segments of ``I = I_amp + I_slope (t - t_start) + noise``.

A :class:`Protocol` is a list of :class:`Segment` s run one after the other on the same network:
the simulator sets ``I_amp``, ``I_slope`` and ``t_start`` at each segment boundary, so every
protocol runs the same compiled code. Amplitudes may be arrays (one value per neuron): that is
how an f–I curve is one simulation of N neurons.

- :func:`step`        — 0 for ``delay``, ``amplitude`` for ``duration``, 0 for ``tail``
- :func:`ramp`        — linear from ``start`` to ``stop`` over ``duration``
- :func:`pulse_train` — ``n`` rectangular pulses of ``width`` every ``period``
- :func:`noisy`       — ``mean`` + Ornstein–Uhlenbeck noise (std ``sigma``, correlation time
  ``tau``), drawn from a caller-supplied ``numpy.random.Generator``::

      x[k+1] = x[k] exp(-dt/tau) + sigma sqrt(1 - exp(-2 dt/tau)) N(0, 1)   (exact OU update;
      Gillespie 1996, Phys Rev E 54:2084), x[0] ~ N(0, sigma^2)

Quantities are Brian2 quantities; their dimensions are checked against the model when simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..checks import require_nonnegative

__all__ = ["Segment", "Protocol", "step", "ramp", "pulse_train", "noisy", "ou_noise"]


@dataclass(frozen=True)
class Segment:
    """One stretch of constant rule: ``I = amp + slope*(t - t_segment_start) [+ OU noise]``."""

    duration: object
    amp: object = 0.0
    slope: object = 0.0
    noise_sigma: object = None
    noise_tau: object = None
    rng: np.random.Generator | None = None


@dataclass(frozen=True)
class Protocol:
    """A sequence of segments; ``window`` = (start, stop) of the stimulus proper (Quantities)."""

    segments: tuple[Segment, ...]
    window: tuple[object, object]
    name: str = "custom"
    description: dict = field(default_factory=dict)

    @property
    def duration(self):
        """Total simulated time (Quantity)."""
        total = self.segments[0].duration * 0
        for s in self.segments:
            total = total + s.duration
        return total

    def size(self) -> int | None:
        """Number of neurons implied by array amplitudes (``None`` if all scalar)."""
        sizes = {np.size(s.amp) for s in self.segments if np.ndim(s.amp) > 0}
        sizes |= {np.size(s.slope) for s in self.segments if np.ndim(s.slope) > 0}
        if len(sizes) > 1:
            raise ValueError(f"protocol amplitudes have different lengths {sorted(sizes)}")
        return sizes.pop() if sizes else None


def _check_time(name, value):
    from brian2 import second
    from brian2.units.fundamentalunits import have_same_dimensions

    if not have_same_dimensions(value, second):
        raise ValueError(f"{name}={value!r}: expected a time (e.g. 200*ms)")
    require_nonnegative(float(value), f"{name}={value!r}")
    return value


def step(amplitude, duration, delay=None, tail=None) -> Protocol:
    """Current step: 0 for ``delay`` (default 20 ms), ``amplitude`` for ``duration``, 0 for
    ``tail`` (default 30 ms). ``amplitude`` may be an array (one per neuron)."""
    from brian2 import ms

    delay = _check_time("delay", 20 * ms if delay is None else delay)
    tail = _check_time("tail", 30 * ms if tail is None else tail)
    duration = _check_time("duration", duration)
    if float(duration) <= 0:
        raise ValueError(f"duration={duration!r}: must be positive")
    segs = [Segment(delay, amplitude * 0), Segment(duration, amplitude),
            Segment(tail, amplitude * 0)]
    return Protocol(tuple(s for s in segs if float(s.duration) > 0), (delay, delay + duration),
                    "step")


def ramp(start, stop, duration, delay=None, tail=None) -> Protocol:
    """Linear ramp from ``start`` to ``stop`` over ``duration`` (then back to 0)."""
    from brian2 import ms

    delay = _check_time("delay", 20 * ms if delay is None else delay)
    tail = _check_time("tail", 30 * ms if tail is None else tail)
    duration = _check_time("duration", duration)
    if float(duration) <= 0:
        raise ValueError(f"duration={duration!r}: must be positive")
    zero = start * 0
    segs = [Segment(delay, zero), Segment(duration, start, (stop - start) / duration),
            Segment(tail, zero)]
    return Protocol(tuple(s for s in segs if float(s.duration) > 0), (delay, delay + duration),
                    "ramp")


def pulse_train(amplitude, width, period, n_pulses, delay=None, tail=None) -> Protocol:
    """``n_pulses`` rectangular pulses of ``amplitude`` and ``width``, one every ``period``."""
    from brian2 import ms

    delay = _check_time("delay", 20 * ms if delay is None else delay)
    tail = _check_time("tail", 30 * ms if tail is None else tail)
    width, period = _check_time("width", width), _check_time("period", period)
    if not (0 < float(width) < float(period)):
        raise ValueError(f"width={width!r}, period={period!r}: need 0 < width < period")
    if int(n_pulses) < 1:
        raise ValueError(f"n_pulses={n_pulses!r}: need at least one pulse")
    zero = amplitude * 0
    segs = [Segment(delay, zero)]
    for k in range(int(n_pulses)):
        segs.append(Segment(width, amplitude))
        if k < int(n_pulses) - 1:
            segs.append(Segment(period - width, zero))
    segs.append(Segment(tail, zero))
    end = delay + (int(n_pulses) - 1) * period + width
    return Protocol(tuple(s for s in segs if float(s.duration) > 0), (delay, end), "pulse_train")


def noisy(mean, sigma, duration, rng: np.random.Generator, tau=None, delay=None,
          tail=None) -> Protocol:
    """``mean`` plus Ornstein–Uhlenbeck noise of std ``sigma`` and correlation time ``tau``
    (default 5 ms) during ``duration``; independent noise per neuron from ``rng``."""
    from brian2 import ms

    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng={rng!r}: expected a numpy.random.Generator")
    delay = _check_time("delay", 20 * ms if delay is None else delay)
    tail = _check_time("tail", 30 * ms if tail is None else tail)
    duration = _check_time("duration", duration)
    tau = _check_time("tau", 5 * ms if tau is None else tau)
    if float(tau) <= 0 or float(duration) <= 0:
        raise ValueError(f"tau={tau!r}, duration={duration!r}: must be positive")
    zero = mean * 0
    segs = [Segment(delay, zero), Segment(duration, mean, noise_sigma=sigma, noise_tau=tau,
                                          rng=rng), Segment(tail, zero)]
    return Protocol(tuple(s for s in segs if float(s.duration) > 0), (delay, delay + duration),
                    "noisy")


def ou_noise(n_steps: int, n: int, sigma: float, tau: float, dt: float,
             rng: np.random.Generator) -> np.ndarray:
    """Stationary Ornstein–Uhlenbeck samples, shape (n_steps, n), exact update (SI floats)
    (Gillespie 1996)::

        x[k+1] = x[k] exp(-dt/tau) + sigma sqrt(1 - exp(-2 dt/tau)) N(0, 1)
        x[0] ~ N(0, sigma^2)
    """
    rho = np.exp(-dt / tau)
    kick = sigma * np.sqrt(1.0 - rho ** 2)
    z = rng.standard_normal((n_steps, n))
    x = np.empty((n_steps, n))
    x[0] = sigma * z[0]
    for k in range(1, n_steps):
        x[k] = rho * x[k - 1] + kick * z[k]
    return x
