"""Streaming rate-vs-activation statistics of a spiking layer (used by :mod:`bridge.simulate`).

Per layer, over all neurons and images: Pearson ``r`` and least-squares ``slope`` of the firing
rate (spikes per step) against the normalised ANN activation, from running sums (one pass,
bounded memory); the fractions of saturated (fired at every step) and silent neurons; spikes
per neuron and per image. ``r`` and ``slope`` are ``None`` where undefined (a layer whose
activations or rates are all equal).
"""

from __future__ import annotations

import numpy as np

__all__ = ["LayerStats"]


class LayerStats:
    """Streaming sums for rate-vs-activation statistics of one spiking layer."""

    def __init__(self, name: str, n_neurons: int, n_samples: int = 2000):
        self.name, self.n_neurons = name, n_neurons
        self.n_samples = n_samples
        self.samples: tuple[np.ndarray, np.ndarray] | None = None   # (activation, rate) pairs
        self.n = 0
        self.sx = self.sy = self.sxx = self.syy = self.sxy = 0.0
        self.spikes = 0.0
        self.saturated = self.silent = 0

    def update(self, activation: np.ndarray, counts: np.ndarray, T: int) -> None:
        a = activation.reshape(-1).astype(np.float64)
        r = counts.reshape(-1).astype(np.float64) / T
        if self.samples is None:  # a fixed, evenly spaced subset of the first batch, for plots
            idx = np.linspace(0, a.size - 1, min(self.n_samples, a.size)).astype(np.int64)
            self.samples = (a[idx], r[idx])
        self.n += a.size
        self.sx += a.sum()
        self.sy += r.sum()
        self.sxx += a @ a
        self.syy += r @ r
        self.sxy += a @ r
        self.spikes += counts.sum(dtype=np.float64)
        self.saturated += int(np.count_nonzero(counts >= T))
        self.silent += int(np.count_nonzero(counts == 0))

    def merge(self, other: "LayerStats") -> None:
        """Add another share's sums (the samples stay those of the first share)."""
        for k in ("n", "sx", "sy", "sxx", "syy", "sxy", "spikes", "saturated", "silent"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def result(self, n_images: int) -> dict:
        n = max(self.n, 1)
        cov = self.sxy / n - self.sx / n * self.sy / n
        va, vr = self.sxx / n - (self.sx / n) ** 2, self.syy / n - (self.sy / n) ** 2
        # undefined (None, JSON null) for a layer whose activations or rates are constant
        r = float(cov / np.sqrt(va * vr)) if va > 0 and vr > 0 else None
        return {"name": self.name, "neurons": self.n_neurons,
                "pearson_r": r, "slope": float(cov / va) if va > 0 else None,
                "mean_rate": self.sy / n, "mean_activation": self.sx / n,
                "spikes_per_neuron": self.spikes / n,
                "spikes_per_image": self.spikes / max(n_images, 1),
                "saturated_fraction": self.saturated / n, "silent_fraction": self.silent / n}
