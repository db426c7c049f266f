"""Statistics of network activity from spike times (a :class:`~.result.NetworkResult`).

For a population of N neurons observed for T (the measured window), with ``n_i`` spikes of
neuron i, interspike intervals ``ISI_i`` and counts ``c_i(b)`` in bins b of width Δ::

    rate       ν = Σ_i n_i / (N T)                                   (Hz)
    CV         mean over neurons with n_i >= 3 of std(ISI_i)/mean(ISI_i)
    Fano       mean over neurons with n_i >= 1 of Var_b c_i(b) / E_b c_i(b)     (Δ = 100 ms)
    synchrony  χ = sqrt( Var_b C(b) / ( (1/N) Σ_i Var_b c_i(b) ) ) / N,  C(b) = Σ_i c_i(b)

χ is Golomb's synchrony measure (Golomb & Rinzel 1993; Golomb 2007, Scholarpedia 2:1347)
computed on spike counts in Δ = 2 ms bins instead of voltages: 1 for fully synchronous
neurons, about 1/sqrt(N) for independent ones. Population rate: ``C(b)/(N Δ)`` (Hz).
"""

from __future__ import annotations

import numpy as np

from ..checks import require_positive
from .result import NetworkResult

__all__ = ["mean_rate", "cv_isi", "fano_factor", "synchrony", "population_rate", "counts",
           "summary", "FANO_BIN_MS", "SYNCHRONY_BIN_MS"]

#: bin of the Fano factor and of the synchrony measure (ms)
FANO_BIN_MS = 100.0
SYNCHRONY_BIN_MS = 2.0


def _spikes(result: NetworkResult, pop: str):
    if pop not in result.spikes:
        raise ValueError(f"population {pop!r}: no spikes recorded; recorded: "
                         f"{', '.join(result.spikes) or 'none'}")
    t, i = result.spikes[pop]
    return np.asarray(t, dtype=float), np.asarray(i, dtype=int), result.sizes[pop]


def mean_rate(result: NetworkResult, pop: str) -> float:
    """Mean firing rate (Hz) of ``pop`` over the measured window: ``ν = Σ_i n_i / (N T)``."""
    t, _, n = _spikes(result, pop)
    return len(t) / (n * result.duration_ms * 1e-3)


def cv_isi(result: NetworkResult, pop: str, min_spikes: int = 3) -> float:
    """Mean CV of the interspike intervals over neurons with >= ``min_spikes`` spikes
    (NaN if none has): ``std(ISI_i)/mean(ISI_i)`` averaged over neurons."""
    cvs = []
    for train in result.spike_trains(pop):
        if len(train) >= min_spikes:
            isi = np.diff(np.sort(train))
            m = isi.mean()
            if m > 0:
                cvs.append(isi.std() / m)
    return float(np.mean(cvs)) if cvs else float("nan")


def counts(result: NetworkResult, pop: str, bin_ms: float) -> np.ndarray:
    """Spike counts per neuron and bin, shape (N, B): bins of ``bin_ms`` from ``t_start_ms``
    (a last partial bin is dropped)."""
    t, i, n = _spikes(result, pop)
    require_positive(bin_ms, f"bin_ms={bin_ms!r}")
    n_bins = int(np.floor(result.duration_ms / bin_ms + 1e-9))
    if n_bins < 2:
        raise ValueError(f"bin {bin_ms:g} ms: the {result.duration_ms:g} ms window holds "
                         "fewer than 2 bins")
    b = np.floor((t - result.t_start_ms) / bin_ms + 1e-9).astype(int)
    keep = (b >= 0) & (b < n_bins)
    c = np.zeros((n, n_bins))
    np.add.at(c, (i[keep], b[keep]), 1)
    return c


def fano_factor(result: NetworkResult, pop: str, bin_ms: float = FANO_BIN_MS) -> float:
    """Mean Fano factor of the spike counts in ``bin_ms`` bins over neurons that fired (NaN
    when the window holds fewer than 2 bins): ``Var_b c_i(b) / E_b c_i(b)`` averaged over
    neurons."""
    if result.duration_ms < 2 * bin_ms:
        return float("nan")
    c = counts(result, pop, bin_ms)
    m = c.mean(axis=1)
    ok = m > 0
    return float(np.mean(c[ok].var(axis=1) / m[ok])) if ok.any() else float("nan")


def synchrony(result: NetworkResult, pop: str, bin_ms: float = SYNCHRONY_BIN_MS) -> float:
    """Golomb's χ on spike counts in ``bin_ms`` bins (module docstring); NaN without spikes
    or with fewer than 2 bins::

        χ = sqrt( Var_b C(b) / ( (1/N) Σ_i Var_b c_i(b) ) ) / N,  C(b) = Σ_i c_i(b)
    """
    if result.duration_ms < 2 * bin_ms:
        return float("nan")
    c = counts(result, pop, bin_ms)
    single = c.var(axis=1).mean()
    if single == 0:
        return float("nan")
    n = c.shape[0]
    return float(np.sqrt(c.sum(axis=0).var() / single) / n)


def population_rate(result: NetworkResult, pop: str, bin_ms: float = 1.0):
    """Population rate in ``bin_ms`` bins: ``(t_ms, rate_hz)``, t at the bin centres;
    ``rate = C(b)/(N Δ)`` (Hz)."""
    c = counts(result, pop, bin_ms)
    t = result.t_start_ms + (np.arange(c.shape[1]) + 0.5) * bin_ms
    return t, c.sum(axis=0) / (c.shape[0] * bin_ms * 1e-3)


def summary(result: NetworkResult, pop: str) -> dict:
    """``{rate_hz, cv_isi_mean, fano, synchrony}`` of one population."""
    return {"rate_hz": mean_rate(result, pop), "cv_isi_mean": cv_isi(result, pop),
            "fano": fano_factor(result, pop), "synchrony": synchrony(result, pop)}
