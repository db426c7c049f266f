"""V1 simple and complex cells fed by LGN ON and OFF relay cells.

**Simple cells** (push–pull, Hubel & Wiesel 1962; Troyer, Krukowsky, Priebe & Miller 1998
J Neurosci 18:5908). The Gabor kernel ``G`` (:mod:`.gabor`) is the synaptic weight map: LGN
ON cells excite where ``G > 0`` and inhibit where ``G < 0``, OFF cells the reverse. The mean
membrane depolarisation of a leaky integrator receiving those spike trains is::

    u = tau_m * J * sum_x G(x) * (r_on(x) - r_off(x))        (mV; r in Hz, tau_m in s)

``J`` (mV) is the summed |weight| (``sum |G| = 1``); the spiking path uses the weights
``J * G(x)`` (mV per spike) on the same LGN cells. The firing rate is a threshold power law,
the mean-rate behaviour of a leaky integrate-and-fire neuron with noisy input (Miller &
Troyer 2002 J Neurophysiol 87:653; Priebe et al. 2004 Nat Neurosci 7:1113)::

    r_simple = k * [u - theta]+ ** n                          (Hz)

Phases 0, 90, 180 and 270 degrees: 180 and 270 use ``-G``, i.e. the mirror-image cells.

**Complex cells** pool the four phases at one position, orientation and scale (phase-invariant
energy model, Adelson & Bergen 1985 JOSA A 2:284; Movshon, Thompson & Tolhurst 1978)::

    r_complex = (1/4) * sum_phase r_simple

With ``theta = 0`` and ``n = 2`` this is exactly ``(k/4) (u_0**2 + u_90**2)``, the energy of a
quadrature pair.

Scales: each Gabor wavelength reads one LGN channel (small wavelengths the midget/parvo
stream, large ones the parasol/magno stream).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gabor import correlate_bank, gabor_kernel

__all__ = ["V1Params", "gabor_bank", "base_drive", "simple_drive", "simple_rates",
           "complex_rates", "complex_from_base"]


@dataclass(frozen=True)
class V1Params:
    wavelengths: tuple = (4.0, 8.0)             # pixels, one per scale
    channels: tuple = ("midget", "parasol")     # LGN channel read by each scale
    n_orientations: int = 8
    phases: tuple = (0.0, 90.0, 180.0, 270.0)   # degrees
    bandwidth: float = 1.5                      # octaves
    gamma: float = 1.0                          # aspect ratio: isotropic envelope
    tau_m: float = 0.020                        # s, membrane time constant
    J: float = 30.0                             # mV, summed |weight| per simple cell
    theta: float = 6.0                          # mV, threshold of the power law
    k: float = 0.15                             # Hz / mV**n
    n: float = 2.0

    def __post_init__(self):
        if len(self.wavelengths) != len(self.channels):
            raise ValueError(f"V1Params: {len(self.wavelengths)} wavelengths but "
                             f"{len(self.channels)} channels")
        if self.n_orientations < 1:
            raise ValueError(f"n_orientations={self.n_orientations}: need >= 1")

    @property
    def orientations(self) -> np.ndarray:
        """Preferred orientations, degrees in [0, 180)."""
        return np.arange(self.n_orientations) * 180.0 / self.n_orientations


def gabor_bank(p: V1Params, scale: int) -> np.ndarray:
    """Kernels of one scale, shape ``(n_orientations, n_phases, 2R+1, 2R+1)``."""
    return np.stack([np.stack([gabor_kernel(p.wavelengths[scale], th, ph, p.bandwidth, p.gamma)
                               for ph in p.phases]) for th in p.orientations])


def _phase_pairs(p: V1Params):
    """Phases as (distinct base phase in [0, 180), sign): 180 and 270 are -G of 0 and 90."""
    unique, index, sign = [], [], []
    for ph in p.phases:
        base = ph % 180.0
        if base not in unique:
            unique.append(base)
        index.append(unique.index(base))
        sign.append(1.0 if ph % 360.0 < 180.0 else -1.0)
    return unique, index, sign


def base_drive(lgn_on: np.ndarray, lgn_off: np.ndarray, p: V1Params, scale: int):
    """Drive (mV) of the distinct base phases only, shape ``(N, O, U, H, W)``, and the
    ``(index, sign)`` lists that expand it to all phases (see :func:`simple_drive`)::

        u = tau_m * J * sum_x G(x) * (r_on(x) - r_off(x))        (mV; r in Hz, tau_m in s)
    """
    unique, index, sign = _phase_pairs(p)
    diff = (lgn_on - lgn_off).astype(np.float32)
    kernels = np.stack([gabor_kernel(p.wavelengths[scale], th, ph, p.bandwidth, p.gamma)
                        for th in p.orientations for ph in unique])
    u = correlate_bank(diff, kernels.astype(np.float32))              # (N, O*U, H, W)
    u *= np.float32(p.tau_m * p.J)
    return u.reshape(u.shape[0], p.n_orientations, len(unique), *u.shape[2:]), index, sign


def simple_drive(lgn_on: np.ndarray, lgn_off: np.ndarray, p: V1Params, scale: int):
    """Linear drive ``u`` (mV) of one scale's simple cells.

    Parameters
    ----------
    lgn_on, lgn_off : ndarray, shape (N, H, W)
        LGN rates (Hz) of the channel this scale reads.

    Returns
    -------
    ndarray, shape (N, n_orientations, n_phases, H, W)
    """
    u, index, sign = base_drive(lgn_on, lgn_off, p, scale)
    return u[:, :, index] * np.asarray(sign, np.float32)[None, None, :, None, None]


def complex_from_base(u: np.ndarray, index, sign, p: V1Params) -> np.ndarray:
    """Complex rates straight from the base-phase drive ``(N, O, U, H, W)``.

    When every base phase appears with both signs (e.g. 0/180 and 90/270) and ``theta >= 0``,
    at most one of ``u`` and ``-u`` exceeds threshold, so the two mirror cells' rates sum to
    ``k [|u| - theta]+ ** n``; the complex rate is that sum over base phases divided by the
    number of phases. Saves building every simple cell when only complex cells are wanted.
    """
    pairs = {(i, s) for i, s in zip(index, sign)}
    if p.theta < 0 or len(pairs) != 2 * u.shape[2] or len(index) != 2 * u.shape[2]:
        return complex_rates(simple_rates(u[:, :, index] * np.asarray(sign, np.float32)
                                          [None, None, :, None, None], p), phase_axis=2)
    a = np.abs(u)
    a -= np.float32(p.theta)
    np.maximum(a, 0, out=a)
    a = np.square(a, out=a) if p.n == 2 else np.power(a, np.float32(p.n), out=a)
    return a.sum(axis=2) * np.float32(p.k / len(index))


def simple_rates(u: np.ndarray, p: V1Params) -> np.ndarray:
    """Threshold power law ``k [u - theta]+ ** n`` (Hz), same shape as ``u``."""
    a = np.maximum(u - np.float32(p.theta), 0)
    a = np.square(a, out=a) if p.n == 2 else np.power(a, np.float32(p.n), out=a)
    return np.multiply(a, np.float32(p.k), out=a)


def complex_rates(r_simple: np.ndarray, phase_axis: int = -3) -> np.ndarray:
    """Mean over the phase axis of simple-cell rates (Hz); for the four phases
    ``r_complex = (1/4) * sum_phase r_simple``."""
    return r_simple.mean(axis=phase_axis)
