"""What an engine returns: spikes, state traces, population rates, final weights (plain arrays).

Times are in ms (absolute simulation time, the warm-up included: the measured window is
``[t_start_ms, t_stop_ms)``), voltages in mV, synaptic currents and conductances in SI units
(A or A/m², S or S/m²), weights in SI units (V for delta, A or A/m² for exp/alpha, S or S/m²
for cond_exp; :attr:`NetworkResult.weight_unit` says which).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["NetworkResult"]


@dataclass
class NetworkResult:
    """Result of :func:`neurosim.network.simulate` (either engine).

    Attributes
    ----------
    spikes : dict of str -> (ndarray, ndarray)
        ``{population: (times_ms, indices)}``, shape (S,) each, sorted by time, only spikes in
        the measured window.
    sizes : dict of str -> int
        Number of neurons of every population.
    state : dict of str -> dict of str -> ndarray
        ``{population: {variable: values}}``, values of shape (k, T) for the k recorded
        neurons (``v`` in mV, other variables in SI units).
    state_t_ms : dict of str -> ndarray
        Sample times (T,) of each population's ``state``.
    state_indices : dict of str -> ndarray
        Neuron indices (k,) of each population's ``state``.
    rates : dict of str -> (ndarray, ndarray)
        ``{population: (t_ms, rate_hz)}``: instantaneous population rate at every dt.
    weights : dict of str -> ndarray
        Final weight of every synapse of each plastic connection (by connection name), shape
        (n_syn,), in the order of ``connectivity[name]``; static connections are not listed.
    weight_unit : dict of str -> str
        Unit of each entry of ``weights`` (``"V"``, ``"A"``, ``"S"``, ...).
    connectivity : dict of str -> (ndarray, ndarray)
        ``{connection: (i, j)}`` presynaptic and postsynaptic indices (int32) as built.
    n_synapses : int
        All synapses of the network (Poisson inputs connected one_to_one count one per target).
    t_start_ms, t_stop_ms, dt_ms : float
        Measured window and integration step.
    engine : str
        ``"brian2"`` or ``"nest"`` (with the mode, e.g. ``"brian2 (cython)"`` in ``detail``).
    detail : str
        Engine mode: ``"cython"``, ``"numpy"``, ``"cpp_standalone, 2 threads"``, ``"nest 3.10,
        2 threads"``.
    build_s, run_s : float
        Wall-clock seconds to build the network (connectivity included) and to run it (code
        generation and compilation included for Brian2).
    """

    spikes: dict
    sizes: dict
    t_start_ms: float
    t_stop_ms: float
    dt_ms: float
    engine: str
    detail: str = ""
    state: dict = field(default_factory=dict)
    state_t_ms: dict = field(default_factory=dict)
    state_indices: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    weight_unit: dict = field(default_factory=dict)
    connectivity: dict = field(default_factory=dict)
    n_synapses: int = 0
    build_s: float = 0.0
    run_s: float = 0.0

    @property
    def duration_ms(self) -> float:
        """Length of the measured window (ms)."""
        return self.t_stop_ms - self.t_start_ms

    @property
    def wall_s(self) -> float:
        """Build + run wall-clock seconds."""
        return self.build_s + self.run_s

    def spike_trains(self, population: str) -> list[np.ndarray]:
        """Spike times (ms) of each neuron of ``population``: a list of n arrays."""
        t, i = self.spikes[population]
        order = np.argsort(i, kind="stable")
        splits = np.searchsorted(i[order], np.arange(1, self.sizes[population]))
        return np.split(np.asarray(t)[order], splits)
