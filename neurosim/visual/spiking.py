"""The spiking path in Brian2: Poisson ganglion cells -> LGN relay LIF -> V1 simple LIF ->
V1 complex LIF, with synaptic weights taken from the rate path's receptive fields.

* **Ganglion cells**: spike trains drawn (NumPy, explicit ``rng``) from the rate path's
  ganglion-cell rates, a Poisson process per cell (:func:`.ganglion.poisson_spikes`), replayed
  by a ``SpikeGeneratorGroup``. Movies give time-varying rates.
* **LGN**: one relay LIF neuron (``tau_m = 5 ms``) per ganglion cell; a ganglion spike
  (``w_relay`` above the threshold gap) makes it fire one step later unless it is refractory
  (``tau_ref``): the dead-time relay of :mod:`.lgn`.
* **V1 simple cells** on a grid (every ``stride`` pixels), at every scale, orientation and
  phase. Synapse from the LGN ON cell at pixel ``q`` to the cell at ``x0``:
  ``w = J G(q - x0)``; from the OFF cell: ``-J G(q - x0)`` (push–pull); ``G`` is the same
  unit-L1 Gabor kernel as :mod:`.v1`, with the rate path's reflecting border (weights of
  reflected pixels add up). Each LGN spike adds ``w`` to the membrane potential::

      tau_m dv/dt = E_L - v          v > V_th: spike, v <- V_reset, refractory t_ref

  so the mean depolarisation is ``tau_m * sum w r`` = the rate path's drive ``u``.
* **V1 complex cells**: one LIF neuron per position, orientation and scale, excited by the
  simple cells of the four phases there. The weight ``w_c`` exceeds the threshold gap, so
  every simple-cell spike is passed on unless the complex cell is refractory: its rate is the
  summed simple-cell rate through a dead time, the spiking counterpart of phase pooling.

LIF parameters: ``E_L = -65 mV``, ``V_th = -50 mV``, ``tau_m = 20 ms``, ``t_ref = 2 ms``
(a standard cortical integrate-and-fire cell, e.g. Troyer et al. 1998). Brian2: Stimberg,
Brette & Goodman (2019) eLife 8:e47314.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .ganglion import poisson_spikes
from .pathway import RatePath
from .v1 import gabor_bank

__all__ = ["SpikingParams", "receptive_field_synapses", "simulate"]


@dataclass(frozen=True)
class SpikingParams:
    duration: float = 0.2       # s of simulated time
    dt: float = 1e-4            # s, integration step
    stride: int = 2             # V1 grid spacing, pixels
    min_weight: float = 0.02    # drop weights below this fraction of the largest |weight|
    E_L: float = -65.0          # mV
    V_th: float = -50.0         # mV
    V_reset: float = -65.0      # mV
    t_ref: float = 0.002        # s (V1)
    w_relay: float = 20.0       # mV, ganglion -> LGN (above V_th - E_L: every spike relays)
    w_c: float = 16.0           # mV, simple -> complex (above V_th - E_L: each spike counts)


def _reflect(i: np.ndarray, n: int) -> np.ndarray:
    """Index of pixel ``i`` under NumPy's ``reflect`` padding of a length-``n`` axis."""
    period = 2 * (n - 1)
    i = np.abs(i) % period
    return np.where(i >= n, period - i, i)


def receptive_field_synapses(model: RatePath, shape, stride: int, min_weight: float):
    """LGN -> V1 simple-cell synapses for an image of ``shape = (H, W)``: from the LGN ON
    cell at pixel ``q`` to the cell at ``x0`` ``w = J G(q - x0)``, from the OFF cell
    ``-J G(q - x0)`` (push–pull).

    Returns
    -------
    pre, post : int arrays
        LGN index ``((c * 2 + sign) * H + y) * W + x`` (sign 0 ON, 1 OFF) and V1 index into the
        flattened ``(S, O, P, ny, nx)`` grid.
    w : float array
        Weights, mV per spike.
    grid : tuple ``(S, O, P, ny, nx)``
    """
    H, W = shape
    p = model.params.v1
    ys, xs = np.arange(0, H, stride), np.arange(0, W, stride)
    ny, nx = len(ys), len(xs)
    S, O, P = len(p.wavelengths), p.n_orientations, len(p.phases)
    n_lgn_map = H * W
    pres, posts, ws = [], [], []
    for s in range(S):
        c = model.params.channel_index(p.channels[s])
        bank = gabor_bank(p, s)                           # (O, P, k, k)
        k = bank.shape[-1]
        R = k // 2
        off = np.arange(-R, R + 1)
        py = _reflect(ys[:, None] + off[None, :], H)       # (ny, k)
        px = _reflect(xs[:, None] + off[None, :], W)       # (nx, k)
        pix = py[:, None, :, None] * W + px[None, :, None, :]          # (ny, nx, k, k)
        post = (s * O * P + np.arange(O * P))[:, None, None] * (ny * nx) \
            + np.arange(ny * nx).reshape(ny, nx)[None]                  # (O*P, ny, nx)
        post = np.broadcast_to(post[..., None, None], (O * P, ny, nx, k, k))
        pre = np.broadcast_to(pix[None], (O * P, ny, nx, k, k))
        w = np.broadcast_to(bank.reshape(O * P, 1, 1, k, k), (O * P, ny, nx, k, k))
        m = sparse.coo_matrix((w.ravel(), (post.ravel(), pre.ravel())),
                              shape=(S * O * P * ny * nx, n_lgn_map)).tocsr()
        m.sum_duplicates()
        m = m.tocoo()
        keep = np.abs(m.data) >= min_weight * np.abs(m.data).max()
        row, col, val = m.row[keep], m.col[keep], m.data[keep] * p.J
        for sign, factor in ((0, 1.0), (1, -1.0)):
            pres.append((c * 2 + sign) * n_lgn_map + col)
            posts.append(row)
            ws.append(factor * val)
    return (np.concatenate(pres), np.concatenate(posts), np.concatenate(ws), (S, O, P, ny, nx))


def simulate(model: RatePath, image, rng: np.random.Generator,
             params: SpikingParams = SpikingParams(), frame_dt=None, I_adapt=None,
             target=None, record_spikes: bool = False) -> dict:
    """Run the spiking path on one image (``(H, W)``) or a movie (``(T, H, W)`` with
    ``frame_dt``; it is played once, each frame for ``frame_dt`` s, the last frame held if
    ``params.duration`` is longer).

    Returns
    -------
    dict of spike-count rates (Hz) over the whole run: ``rgc_on``, ``rgc_off``, ``lgn_on``,
    ``lgn_off`` of shape ``(C, H, W)``; ``v1_simple`` ``(S, O, P, ny, nx)``; ``v1_complex``
    ``(S, O, ny, nx)``; plus ``rates_in`` (the ganglion rates that drove it, ``(C, 2, H, W)``,
    ON then OFF, time-averaged), ``grid`` (the V1 pixel rows and columns), ``n_synapses``,
    ``duration`` (s) and ``target`` (Brian2 code generation, from
    :func:`neurosim.codegen.select_target`; ``target`` forces ``"cython"`` or ``"numpy"``);
    ``spikes``: with ``record_spikes``, every spike as ``(index, time_s)`` int/float arrays
    for ``rgc``, ``lgn``, ``v1_simple`` and ``v1_complex`` (indices in the flattened shapes
    ``(C, 2, H, W)``, ``(C, 2, H, W)``, ``(S, O, P, ny, nx)``, ``(S, O, ny, nx)``; ON = 0,
    OFF = 1), else an empty dict.

    Raises
    ------
    ValueError
        ``params.dt`` not positive and finite or longer than ``params.duration``
        (:func:`neurosim.codegen.check_dt`); a NaN or infinite rate in the result
        (:func:`neurosim.codegen.check_finite`).
    """
    import brian2 as b2

    from ..codegen import check_finite, guarded_run, select_target

    sp = params
    _check_times(sp)
    used = select_target(target)
    rates, steps, idx, duration = _ganglion_spikes(model, image, rng, sp, frame_dt, I_adapt)
    _, C, _, H, W = rates.shape
    pre, post, w, grid = receptive_field_synapses(model, (H, W), sp.stride, sp.min_weight)
    S, O, P, ny, nx = grid
    groups, synapses = _network(model, sp, C * 2 * H * W, steps, idx, (pre, post, w), grid)
    mons = [b2.SpikeMonitor(g, record=bool(record_spikes)) for g in groups]
    net = b2.Network(*groups, *synapses, *mons)
    run_steps = dict(dt_ms=sp.dt * 1e3, default_dt_ms=SpikingParams.dt * 1e3)
    with guarded_run(groups[2], **run_steps):
        net.run(duration * b2.second, namespace={})

    def rate(mon, shape):
        return (np.asarray(mon.count, float) / duration).reshape(shape)

    r_rgc = rate(mons[0], (C, 2, H, W))
    r_lgn = rate(mons[1], (C, 2, H, W))
    out = {
        "rgc_on": r_rgc[:, 0], "rgc_off": r_rgc[:, 1],
        "lgn_on": r_lgn[:, 0], "lgn_off": r_lgn[:, 1],
        "v1_simple": rate(mons[2], (S, O, P, ny, nx)),
        "v1_complex": rate(mons[3], (S, O, ny, nx)),
        "rates_in": rates.mean(axis=0),
    }
    # the membrane potentials are where a divergence would show; rates are counts / duration
    check_finite({**{f"{g.name}.v": g.v_[:] for g in groups[1:]}, **out},
                 t_end_ms=duration * 1e3, **run_steps)
    out.update({"grid": (np.arange(0, H, sp.stride), np.arange(0, W, sp.stride)),
                "n_synapses": int(len(pre)), "duration": duration, "target": used})
    out["spikes"] = {name: (np.asarray(m.i[:], int), np.asarray(m.t_[:], float))
                     for name, m in zip(("rgc", "lgn", "v1_simple", "v1_complex"), mons)
                     } if record_spikes else {}
    return out


def _check_times(sp: SpikingParams) -> None:
    """``duration`` and ``dt`` positive, finite seconds, dt no longer than the run."""
    import brian2 as b2

    from ..codegen import check_dt

    for name in ("duration", "dt"):
        value = getattr(sp, name)
        if not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
            raise ValueError(f"SpikingParams.{name}={value!r}: expected a positive, finite "
                             "number of seconds")
    check_dt(sp.dt * b2.second, [sp.duration * b2.second], "SpikingParams.dt")


def _ganglion_spikes(model: RatePath, image, rng, sp: SpikingParams, frame_dt, I_adapt):
    """The ganglion rates ``(T, C, 2, H, W)`` of the rate path and Poisson spikes drawn from
    them: ``(rates, steps, idx, duration)``, spike ``steps`` and flat cell ``idx``."""
    img = np.asarray(image)
    movie = frame_dt is not None
    ret = model.retina(img if movie else img[None] if img.ndim == 2 else img,
                       dt=frame_dt, I_adapt=I_adapt)
    if not movie and ret["rgc_on"].shape[0] != 1:
        raise ValueError(f"image: the spiking path takes one image, got {ret['rgc_on'].shape[0]}")
    rates = np.stack([ret["rgc_on"], ret["rgc_off"]], axis=2)      # (T, C, 2, H, W)
    T = rates.shape[0]
    n_steps = int(round(sp.duration / sp.dt))
    if movie:
        frame = np.minimum((np.arange(n_steps) * sp.dt / frame_dt).astype(int), T - 1)
        spikes = poisson_spikes(rates.reshape(T, -1)[frame], sp.dt, n_steps, rng)
        duration = sp.duration
    else:
        spikes = poisson_spikes(rates.reshape(-1), sp.dt, n_steps, rng)
        duration = n_steps * sp.dt
    steps, idx = np.nonzero(spikes)
    return rates, steps, idx, duration


def _network(model: RatePath, sp: SpikingParams, n_rgc: int, steps, idx, feedforward, grid):
    """The groups ``(rgc, lgn, v1_simple, v1_complex)`` and synapses ``(relay, lgn_v1,
    phase_pool)`` of the spiking path; ``feedforward`` is ``(pre, post, w)`` LGN -> V1."""
    import brian2 as b2

    pre, post, w = feedforward
    S, O, P, ny, nx = grid
    n_v1 = S * O * P * ny * nx
    ms, mV = b2.ms, b2.mV
    dt = sp.dt * b2.second
    rgc = b2.SpikeGeneratorGroup(n_rgc, idx, steps * dt, dt=dt, name="rgc")
    lgn = _lif_group(n_rgc, sp, model.params.lgn.tau_ref, "lgn")
    v1s = _lif_group(n_v1, sp, sp.t_ref, "v1_simple")
    v1c = _lif_group(S * O * ny * nx, sp, sp.t_ref, "v1_complex")
    for g in (lgn, v1s, v1c):
        g.v = sp.E_L * mV
        g.tau_m = model.params.v1.tau_m * b2.second
    lgn.tau_m = 5 * ms
    relay = b2.Synapses(rgc, lgn, on_pre=f"v_post += {sp.w_relay}*mV * int(not_refractory_post)",
                        dt=dt, name="relay")
    relay.connect(j="i")
    ff = b2.Synapses(lgn, v1s, "w : volt (constant)", on_pre="v_post += w", dt=dt, name="lgn_v1")
    ff.connect(i=pre.astype(np.int32), j=post.astype(np.int32))
    ff.w = w * mV
    # simple (s, o, p, y, x) -> complex (s, o, y, x)
    s_idx = np.arange(n_v1).reshape(S, O, P, ny * nx)
    c_idx = np.broadcast_to(np.arange(S * O * ny * nx).reshape(S, O, 1, ny * nx), s_idx.shape)
    pool = b2.Synapses(v1s, v1c, on_pre=f"v_post += {sp.w_c}*mV", dt=dt, name="phase_pool")
    pool.connect(i=s_idx.ravel().astype(np.int32), j=c_idx.ravel().astype(np.int32))
    return (rgc, lgn, v1s, v1c), (relay, ff, pool)


def _lif_group(n: int, sp: SpikingParams, t_ref: float, name: str):
    """``n`` LIF neurons ``tau_m dv/dt = E_L - v`` (threshold, reset, refractory t_ref s)."""
    import brian2 as b2

    lif = """dv/dt = (E_L - v) / tau_m : volt (unless refractory)
             tau_m : second (constant)"""
    return b2.NeuronGroup(n, lif, threshold=f"v > {sp.V_th}*mV", reset=f"v = {sp.V_reset}*mV",
                          refractory=t_ref * b2.second, method="exact", dt=sp.dt * b2.second,
                          namespace=dict(E_L=sp.E_L * b2.mV), name=name)
