"""STDP protocols: the learning window from spike pairings, and Song et al.'s bimodal weights.

Window (Bi & Poo 1998, *J Neurosci* 18:10464: 60 pairings at 1 Hz). For each Δt of a grid,
one synapse from a pre-synaptic to a post-synaptic spike source receives ``n_pairs`` pairings,
one every ``1/frequency``: a pre spike at ``t_k`` and a post spike at ``t_k + Δt`` as the
*synapse* sees them (Δt = t_post − t_pre; on NEST the post spike is sent ``d`` earlier, as NEST
treats the delay ``d`` as dendritic: :mod:`.plasticity`). The sources are spike generators (no
membrane), so the measured change is the rule's alone. With ``w_0 = w_max / 2`` the change per
pairing is recovered as

    additive:        (w_N - w_0) / (N w_max)                          = ±A± exp(-|Δt|/tau±)
    multiplicative:  1 - ((w_max - w_N)/(w_max - w_0))^(1/N)  (Δt > 0) =  A+ exp(-Δt/tau+)
                     ((w_N / w_0)^(1/N) - 1)                   (Δt < 0) = -A- exp(Δt/tau-)

exactly, as long as pairings do not interact (``frequency`` low: the traces decay by
``exp(-(1/frequency - max|Δt|)/tau)`` between pairings) and the additive weights stay inside
``[0, w_max]`` (checked: ``N max(A±) < 1/2``).

Song (Song, Miller & Abbott 2000, *Nat Neurosci* 3:919, Fig. 2; parameters of Brian2's example
``synapses/STDP.py`` after Song & Abbott 2001): one conductance-based LIF neuron (τm = 10 ms,
E_L = −74 mV, θ = −54 mV, V_reset = −60 mV, E_ex = 0 mV, τ_ex = 5 ms, g_L = 10 nS) driven by
``n_inputs`` = 1000 excitatory Poisson inputs at 15 Hz whose weights (``w_max`` = 0.01 g_L
× 1000 / ``n_inputs``, all starting at ``w_max / 2``: a connection has one initial weight)
follow additive STDP (A− / A+ = 1.05, τ± = 20 ms). Inputs compete; the additive rule drives the
weights to 0 and ``w_max`` (bimodal), the multiplicative one to a unimodal distribution.
``A_plus`` larger than Song's 0.005 (default 0.01, as Brian2's example) shortens the time to
converge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .plasticity import STDP, window

__all__ = ["WindowResult", "pairing_window", "SongResult", "song_network", "song",
           "bimodality"]


@dataclass
class WindowResult:
    """Learning window from pairings.

    Attributes
    ----------
    dt_ms : ndarray (K,)
        Δt = t_post − t_pre at the synapse (ms).
    w0, w_final : ndarray (K,)
        Initial and final weights (SI unit of ``w_max``).
    dw_rel : ndarray (K,)
        ``(w_final − w0) / w0``: the relative change after all pairings (Bi & Poo's y-axis).
    per_pair : ndarray (K,)
        Change per pairing recovered from ``w_final`` (module docstring).
    theory : ndarray (K,)
        :func:`.plasticity.window`: ``±A± exp(−|Δt|/τ±)``.
    n_pairs : int
    frequency_hz : float
    engine : str
    stdp : STDP
    """

    dt_ms: np.ndarray
    w0: np.ndarray
    w_final: np.ndarray
    dw_rel: np.ndarray
    per_pair: np.ndarray
    theory: np.ndarray
    n_pairs: int
    frequency_hz: float
    engine: str
    stdp: STDP


def _check_window_args(stdp, dt_ms, n_pairs, frequency_hz):
    if not isinstance(stdp, STDP):
        raise TypeError(f"stdp={stdp!r:.60}: expected a neurosim.network.plasticity.STDP")
    dt = np.asarray(dt_ms, dtype=float)
    if dt.ndim != 1 or not dt.size or not np.all(np.isfinite(dt)):
        raise ValueError(f"dt_ms={dt_ms!r:.60}: expected a 1-D array of finite times (ms)")
    if np.any(dt == 0):
        raise ValueError("dt_ms: Δt = 0 is ambiguous (pre and post in one step); leave it out")
    if isinstance(n_pairs, bool) or not isinstance(n_pairs, (int, np.integer)) or n_pairs < 1:
        raise ValueError(f"n_pairs={n_pairs!r}: expected an integer >= 1")
    if not (np.isfinite(frequency_hz) and frequency_hz > 0):
        raise ValueError(f"frequency={frequency_hz!r} Hz: must be positive")
    if 1e3 / frequency_hz < 2 * np.abs(dt).max():
        raise ValueError(f"frequency={frequency_hz:g} Hz: the period must be at least twice "
                         f"max |Δt| = {np.abs(dt).max():g} ms, or pairings overlap")
    if stdp.rule == "additive" and n_pairs * max(stdp.A_plus, stdp.A_minus) >= 0.5:
        raise ValueError(f"n_pairs={n_pairs} x A={max(stdp.A_plus, stdp.A_minus):g} >= 1/2: "
                         "the additive weights would hit a bound; use fewer pairings")
    return dt


def _per_pair(stdp, dt, w0, w_n, n):
    """Change per pairing recovered from ``w_N`` after ``N`` pairings from ``w_0``::

        additive:        (w_N - w_0) / (N w_max)
        multiplicative:  1 - ((w_max - w_N)/(w_max - w_0))^(1/N)  (Δt > 0)
                         ((w_N / w_0)^(1/N) - 1)                   (Δt < 0)
    """
    wmax = float(np.asarray(stdp.w_max))
    if stdp.rule == "additive":
        return (w_n - w0) / (n * wmax)
    with np.errstate(invalid="ignore", divide="ignore"):
        pot = 1 - ((wmax - w_n) / (wmax - w0)) ** (1.0 / n)
        dep = (w_n / w0) ** (1.0 / n) - 1
    return np.where(dt > 0, pot, dep)


def pairing_window(stdp: STDP, dt_ms, *, n_pairs: int = 60, frequency_hz: float = 1.0,
                   engine: str = "brian2", dt=None) -> WindowResult:
    """Run the pairing protocol for every Δt in ``dt_ms`` at once (one synapse per Δt).

    Parameters
    ----------
    stdp : STDP
    dt_ms : array_like (K,)
        Δt = t_post − t_pre (ms), nonzero; rounded to the time step.
    n_pairs : int
        Pairings per synapse (Bi & Poo: 60).
    frequency_hz : float
        Pairing frequency (Bi & Poo: 1 Hz); the period must exceed 2 max |Δt|.
    engine : {"brian2", "nest"}
    dt : Quantity, optional
        Time step (default 0.1 ms).

    Raises
    ------
    ValueError
        Unknown engine, Δt = 0, too high a frequency, an additive run that would hit a bound.
    ImportError
        ``engine="nest"`` without NEST.
    """
    from brian2 import ms

    dt_grid = _check_window_args(stdp, dt_ms, n_pairs, frequency_hz)
    step = float((0.1 * ms if dt is None else dt) / ms)
    dts = np.round(dt_grid / step) * step
    period = np.round(1e3 / frequency_hz / step) * step
    t_pre = 50.0 + np.abs(dts).max() + period * np.arange(n_pairs)  # ms, > 0 on both engines
    w0 = np.full(len(dts), float(np.asarray(stdp.w_max)) / 2)
    if engine == "brian2":
        from .stdp_engines import window_brian2 as run
    elif engine == "nest":
        from .stdp_engines import window_nest as run
    else:
        raise ValueError(f"engine {engine!r}: unknown; choose from brian2, nest")
    w_n = run(stdp, dts, t_pre, w0, step, t_pre[-1] + np.abs(dts).max() + 50.0)
    return WindowResult(dt_ms=dts, w0=w0, w_final=w_n, dw_rel=(w_n - w0) / w0,
                        per_pair=_per_pair(stdp, dts, w0, w_n, n_pairs),
                        theory=window(stdp, dts), n_pairs=int(n_pairs),
                        frequency_hz=1e3 / period, engine=engine, stdp=stdp)


@dataclass
class SongResult:
    """Song et al. (2000) protocol: weights before and after, rates, the fractions at the
    bounds. Weights are in units of ``w_max`` (0..1)."""

    w_initial: np.ndarray
    w_final: np.ndarray
    rate_hz: float
    frac_low: float
    frac_high: float
    duration_s: float
    rule: str
    engine: str
    wall_s: float


def bimodality(w_rel, edge: float = 0.1) -> tuple[float, float]:
    """Fractions of weights (in units of ``w_max``) below ``edge`` and above ``1 − edge``."""
    w = np.asarray(w_rel, dtype=float)
    return float(np.mean(w < edge)), float(np.mean(w > 1 - edge))


def song_network(*, n_inputs: int = 1000, rate=None, rule: str = "additive",
                 A_plus: float = 0.01, seed: int = 0, record_v: bool = False, dt=None):
    """The :class:`~.description.Network` of Song et al. (2000) (module docstring); ``dt``
    defaults to 0.1 ms (the synapse delay is one step)."""
    from brian2 import Hz, Mohm, mV, ms, nS

    from .description import Connection, Network, PoissonInput, Population, Recording, Synapse
    from .plasticity import song2000

    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 1:
        raise ValueError(f"n_inputs={n_inputs!r}: expected an integer >= 1")
    # 0.01 g_L per input for Song's 1000 inputs (g_L = 1/R = 10 nS); fewer inputs get a
    # proportionally larger w_max, so the total maximal conductance stays the same
    g_max = 0.01 * 10 * nS * (1000 / n_inputs)
    stdp = song2000(g_max, rule, A_plus=A_plus)
    post = Population("post", "lif", 1, params=dict(tau=10 * ms, R=100 * Mohm, E_L=-74 * mV,
                                                    v_th=-54 * mV, v_reset=-60 * mV,
                                                    t_ref=0 * ms),
                      initial={"v": -74 * mV})
    inputs = PoissonInput("inputs", n_inputs, 15 * Hz if rate is None else rate)
    dt = 0.1 * ms if dt is None else dt
    conn = Connection("inputs", "post", "all_to_all", weight=g_max / 2, delay=dt,
                      synapse=Synapse("cond_exp", tau=5 * ms, E_rev=0 * mV, name="ex"),
                      plasticity=stdp)
    rec = Recording(spikes=("post",), state={"post": (("v",), (0,))} if record_v else {})
    return Network([post], [inputs], [conn], rec, dt=dt, seed=seed)


def song(*, duration=None, n_inputs: int = 1000, rate=None, rule: str = "additive",
         A_plus: float = 0.01, seed: int = 0, engine: str = "brian2",
         edge: float = 0.1, dt=None) -> SongResult:
    """Run :func:`song_network` for ``duration`` (default 50 s) on ``engine`` at time step
    ``dt`` (default 0.1 ms).

    Returns
    -------
    SongResult
        ``w_final`` in units of ``w_max``; ``frac_low`` / ``frac_high``: :func:`bimodality`
        with ``edge``; ``rate_hz``: the post-synaptic rate over the run.

    Raises
    ------
    ValueError
        Bad rule, engine, rate or duration (one line; from the description and engines).
    """
    import time

    from brian2 import second

    from .simulate import simulate

    duration = 50 * second if duration is None else duration
    net = song_network(n_inputs=n_inputs, rate=rate, rule=rule, A_plus=A_plus, seed=seed,
                       dt=dt)
    conn = net.connections[0]
    t0 = time.perf_counter()
    res = simulate(net, duration, engine=engine)
    wall = time.perf_counter() - t0
    w_max = float(np.asarray(conn.plasticity.w_max))
    w = res.weights[conn.name] / w_max
    lo, hi = bimodality(w, edge)
    n_spk = len(res.spikes["post"][0])
    return SongResult(w_initial=np.full(len(w), float(np.asarray(conn.weight)) / w_max),
                      w_final=w, rate_hz=n_spk / (res.duration_ms * 1e-3), frac_low=lo,
                      frac_high=hi, duration_s=res.duration_ms * 1e-3, rule=rule,
                      engine=engine, wall_s=wall)
