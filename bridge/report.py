"""The comparison report: ANN vs SNN on a test set, as plain JSON-ready data.

Definitions (all on the same ``n_test`` images):

* ``accuracy_per_step[t−1]`` — SNN accuracy with the readout after ``t`` steps;
  ``snn_accuracy`` is its last value (at ``T``).
* ``first_step_99pct`` — the first ``t`` with ``accuracy ≥ 0.99 × ann_accuracy`` (``null`` if
  never reached).
* ``agreement`` — fraction of images where the SNN (at ``T``) predicts the ANN's class.
* per layer: Pearson ``r`` and least-squares ``slope`` of firing rate (spikes per step) against the
  normalised ANN activation ``a/λ`` over all neurons and images; ``saturated_fraction`` (fired
  at every step) and ``silent_fraction`` (never fired); spikes per neuron and per image (net:
  signed neurons' negative spikes subtract; SynOps count every spike of either sign).
* ``synops_per_image`` vs ``ann_macs_per_image`` — conventions in :mod:`bridge.simulate`.

A value that is undefined — ``r`` and ``slope`` of a layer whose rates or activations are all
equal, synaptic operations when statistics were not gathered — is ``None`` (JSON ``null``),
never NaN: the report is strict JSON.

With Poisson input the simulation is repeated over seeds; accuracies are then reported as the
mean with the standard deviation over seeds (``snn_accuracy_std``, ``accuracy_per_step_std``).
"""

from __future__ import annotations

import platform
from importlib import metadata

import numpy as np

from .network import SpikingNetwork
from .simulate import SimulationResult

__all__ = ["first_step_reaching", "build_report", "versions"]


def first_step_reaching(accuracy_per_step: np.ndarray, level: float) -> int | None:
    """First step ``t`` (1-based) with ``accuracy ≥ level``, or ``None``."""
    hit = np.flatnonzero(np.asarray(accuracy_per_step) >= level - 1e-12)
    return int(hit[0]) + 1 if hit.size else None


def versions() -> dict:
    """Versions of Python and the packages the result depends on."""
    out = {"python": platform.python_version()}
    for pkg in ("neurosim", "numpy", "brian2"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def build_report(results: list[SimulationResult], snn: SpikingNetwork, *, encoding: str,
                 seeds: list[int] | None = None, extra: dict | None = None) -> dict:
    """One report from the runs in ``results`` (one per seed; one run for deterministic
    encodings) of the network ``snn``."""
    if not results:
        raise ValueError("no simulation results to report")
    first = results[0]
    acc = np.array([r.accuracy_per_step for r in results])
    agree = np.array([r.agreement_per_step for r in results])
    mean_acc = acc.mean(axis=0)
    report = {
        "n_test": first.n,
        "timesteps": first.T,
        "ann_accuracy": first.ann_accuracy,
        "snn_accuracy": float(mean_acc[-1]),
        "snn_accuracy_std": float(acc[:, -1].std()),
        "accuracy_per_step": mean_acc.tolist(),
        "first_step_99pct": first_step_reaching(mean_acc, 0.99 * first.ann_accuracy),
        "agreement": float(agree[:, -1].mean()),
        "agreement_per_step": agree.mean(axis=0).tolist(),
        "layers": first.layers,
        "spikes_per_image": float(sum(lay["spikes_per_image"] for lay in first.layers)),
        "synops_per_image": (None if first.synops_per_image is None else
                             float(np.mean([r.synops_per_image for r in results]))),
        "ann_macs_per_image": first.ann_macs_per_image,
        "simulate_seconds": float(sum(r.seconds for r in results)),
        "encoding": encoding,
        "settings": snn.params.as_dict(),
        "lambdas": snn.lambdas,
        "versions": versions(),
    }
    report["synops_per_mac"] = (None if report["synops_per_image"] is None else
                                report["synops_per_image"] / max(report["ann_macs_per_image"], 1))
    if len(results) > 1:
        report["seeds"] = list(seeds or [])
        report["snn_accuracy_per_seed"] = acc[:, -1].tolist()
        report["accuracy_per_step_std"] = acc.std(axis=0).tolist()
    elif seeds:
        report["seeds"] = list(seeds)
    report.update(extra or {})
    return report
