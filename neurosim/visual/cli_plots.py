"""The figure of ``neurosim visual --plot``: one row per processing level, no empty axes.

* row 1, retina: the input luminance, photoreceptors, OPL (midget, parasol), ganglion ON/OFF;
* row 2, LGN ON/OFF and V1 simple cells (rate mode: drive in mV and rate; spiking mode: rate
  and the complex cells of each scale);
* row 3, V1 complex cells, one panel per orientation;
* rate mode: row 4, HMAX (C1, S2, C2, S3 maps and the C3 units as bars); a movie adds the
  ganglion cells' time course at the image centre;
* spiking mode: a spike raster of each population (time in ms, neuron index), the flash's
  "on" period shaded.

Every map has a colour bar with its unit; every axis is labelled. Written atomically
(:func:`common.fileio.atomic_path`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = ["plot_stages"]

_NCOL = 8
_CBAR = {"Hz": "rate (Hz)", "mV": "drive (mV)", "1": "value (0–1)"}


def _map(fig, ax, m, title, unit, cmap="magma", sym=False, xlabel="x (px)", ylabel=None,
         extent=None, lim=None):
    kw = {"extent": extent}
    if lim is not None:
        kw.update(vmin=lim[0], vmax=lim[1])
    elif not sym and float(np.min(m)) >= 0 and float(np.max(m)) == 0:
        kw.update(vmin=0, vmax=1)          # a silent map: say so instead of a ±0.1 scale
        title += " (silent)"
    if sym:
        v = float(np.abs(m).max()) or 1.0
        kw.update(vmin=-v, vmax=v)
    im = ax.imshow(m, cmap=cmap, **kw)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax.set_title(title, fontsize=7.5)
    ax.tick_params(labelsize=6)
    ax.set_xlabel(xlabel, fontsize=6.5, labelpad=1)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=6.5, labelpad=1)
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    cb.set_label(unit, fontsize=6.5)
    cb.ax.tick_params(labelsize=6)


def _row(fig, gs, r, panels):
    for k, p in enumerate(panels):
        title, m, unit = p[:3]
        kw = dict(p[3]) if len(p) > 3 else {}
        kw.setdefault("ylabel", "y (px)" if k == 0 else None)
        _map(fig, fig.add_subplot(gs[r, k]), m, title, unit, **kw)


def _rows(maps, image, spiking, stride, chan):
    rows = [[("input luminance", image, "luminance (0–1)", {"cmap": "gray", "lim": (0, 1)}),
             ("photoreceptors", maps["photoreceptors"], "photocurrent p (0–1)",
              {"cmap": "gray"})]]
    rows[0] += [(f"OPL {n}", maps["opl"][c], "centre − surround", {"cmap": "RdBu_r",
                                                                   "sym": True})
                for c, n in enumerate(chan)]
    rows[0] += [(f"RGC {s.upper()} {n}", maps[f"rgc_{s}"][c], "rate (Hz)")
                for c, n in enumerate(chan) for s in ("on", "off")]
    row2 = [(f"LGN {s.upper()} {n}", maps[f"lgn_{s}"][c], "rate (Hz)")
            for c, n in enumerate(chan) for s in ("on", "off")]
    S = maps["v1_simple"].shape[0]
    grid = {}
    if spiking:
        ny, nx = maps["v1_simple"].shape[-2:]
        grid = {"extent": (-0.5, nx * stride - 0.5, ny * stride - 0.5, -0.5)}
        row2 += [(f"V1 simple, scale {s}\nmax over θ, phase", maps["v1_simple"][s].max(axis=(0, 1)),
                  "rate (Hz)", dict(grid)) for s in range(S)]
        row2 += [(f"V1 complex, scale {s}\nmax over θ", maps["v1_complex"][s].max(axis=0),
                  "rate (Hz)", dict(grid)) for s in range(S)]
    else:
        row2 += [(f"V1 drive, scale {s}\nmax over θ, phase", maps["v1_drive"][s].max(axis=(0, 1)),
                  "drive u (mV)") for s in range(S)]
        row2 += [(f"V1 simple, scale {s}\nmax over θ, phase", maps["v1_simple"][s].max(axis=(0, 1)),
                  "rate (Hz)") for s in range(S)]
    cx = maps["v1_complex"]
    O = cx.shape[1]
    row3 = [(f"V1 complex θ={o * 180 / O:g}°\nmax over scales", cx[:, o].max(axis=0), "rate (Hz)",
             dict(grid)) for o in range(O)]
    return [rows[0], row2, row3]


def _hmax_row(fig, gs, r, maps):
    cell = {"xlabel": "x (C1 cell)", "ylabel": "y (C1 cell)"}
    _map(fig, fig.add_subplot(gs[r, 0]), maps["c1"].max(axis=0), "C1 (V1 pooled)\nmax over θ",
         "rate (Hz)", "viridis", **cell)
    for k, (key, name) in enumerate((("s2", "S2 (V2/V4)"), ("c2", "C2 (V4)"), ("s3", "S3 (IT)")),
                                    start=1):
        _map(fig, fig.add_subplot(gs[r, k]), maps[key].max(axis=0),
             f"{name}\nmax over templates", "match (0–1)", "viridis",
             xlabel=f"x ({key.upper()} cell)")
    ax = fig.add_subplot(gs[r, 4:])
    c3 = np.asarray(maps["c3"])
    ax.bar(np.arange(len(c3)), c3, color="C0")
    ax.set_xticks(np.arange(len(c3)))
    ax.set_xlabel("C3 unit (IT-like, position-invariant template)", fontsize=7)
    ax.set_ylabel("C3 response (match, 0–1)", fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_title("C3 (IT): max over positions of each S3 template", fontsize=7.5)
    ax.tick_params(labelsize=6)
    ax.grid(alpha=0.3, axis="y")


def _course_row(fig, gs, r, course, chan, window):
    ax = fig.add_subplot(gs[r, :])
    t = course["t_ms"]
    for c, n in enumerate(chan):
        ls = "-" if c == 0 else "--"
        ax.plot(t, course["rgc_on"][:, c], ls, color="C3", label=f"RGC ON {n}")
        ax.plot(t, course["rgc_off"][:, c], ls, color="C0", label=f"RGC OFF {n}")
    if window:
        ax.axvspan(*window, color="0.85", zorder=0, label="stimulus on")
    y, x = course["pixel"]
    ax.set_title(f"ganglion cells at the image centre (row {y}, column {x}) over time",
                 fontsize=8)
    ax.set_xlabel("time (ms)", fontsize=7)
    ax.set_ylabel("rate (Hz)", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=6.5, ncol=5, loc="upper right")
    ax.grid(alpha=0.3)


def _raster_row(fig, gs, r, extras, chan, window):
    spikes, shapes = extras["spikes"], extras["shapes"]
    _, H, W = shapes["rgc"]
    S, O, P, ny, nx = shapes["v1_simple"]
    blocks = {"rgc": [f"{n} {s}" for n in chan for s in ("ON", "OFF")],
              "lgn": [f"{n} {s}" for n in chan for s in ("ON", "OFF")],
              "v1_simple": [f"scale {s}" for s in range(S)],
              "v1_complex": [f"scale {s}" for s in range(S)]}
    size = {"rgc": H * W, "lgn": H * W, "v1_simple": O * P * ny * nx, "v1_complex": O * ny * nx}
    order = {"rgc": "(channel, ON/OFF, y, x)", "lgn": "(channel, ON/OFF, y, x)",
             "v1_simple": "(scale, θ, phase, y, x)", "v1_complex": "(scale, θ, y, x)"}
    names = {"rgc": "retinal ganglion cells (Poisson)", "lgn": "LGN relay (LIF)",
             "v1_simple": "V1 simple (LIF)", "v1_complex": "V1 complex (LIF)"}
    for k, key in enumerate(("rgc", "lgn", "v1_simple", "v1_complex")):
        ax = fig.add_subplot(gs[r, 2 * k:2 * k + 2])
        i, t = spikes[key]
        dot = float(np.clip(3000 / max(len(i), 1), 0.3, 4.0))    # sparse rasters: larger dots
        ax.scatter(t * 1e3, i, s=dot, marker=".", color="k", linewidths=0, rasterized=True)
        n = size[key] * len(blocks[key])
        for b in range(1, len(blocks[key])):
            ax.axhline(b * size[key], color="C1", lw=0.6)
        ax.set_yticks((np.arange(len(blocks[key])) + 0.5) * size[key], blocks[key], fontsize=6)
        if window:
            ax.axvspan(*window, color="C2", alpha=0.12, zorder=0)
        ax.set_xlim(0, extras["duration_ms"])
        ax.set_ylim(n, 0)
        ax.set_title(f"{names[key]}: {len(i)} spike{'s' if len(i) != 1 else ''}", fontsize=7.5)
        ax.set_xlabel("time (ms)" + (", shaded: stimulus on" if window else ""), fontsize=7)
        ax.set_ylabel(f"neuron index {order[key]}", fontsize=6.5)
        ax.tick_params(labelsize=6)


def plot_stages(maps: dict, image: np.ndarray, path, title: str, extras: dict,
                window_ms=None, stride: int = 2) -> None:
    """Draw the stage maps (and the HMAX row, time course or raster) and save to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from common.fileio import atomic_path

    chan = extras["channels"]
    spiking = "spikes" in extras
    rows = _rows(maps, image, spiking, stride, chan)
    extra_rows = []
    if "c1" in maps:
        extra_rows.append(("hmax", 1.0))
    if "course" in extras:
        extra_rows.append(("course", 1.1))
    if spiking:
        extra_rows.append(("raster", 1.6))
    ratios = [1.0] * len(rows) + [h for _, h in extra_rows]
    fig = plt.figure(figsize=(2.3 * _NCOL, 2.3 * sum(ratios) + 0.5), layout="constrained")
    gs = fig.add_gridspec(len(ratios), _NCOL, height_ratios=ratios)
    for r, panels in enumerate(rows):
        _row(fig, gs, r, panels)
    for r, (kind, _) in enumerate(extra_rows, start=len(rows)):
        if kind == "hmax":
            _hmax_row(fig, gs, r, maps)
        elif kind == "course":
            _course_row(fig, gs, r, extras["course"], chan, window_ms)
        else:
            _raster_row(fig, gs, r, extras, chan, window_ms)
    fig.suptitle(title, fontsize=10)
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    try:
        with atomic_path(path) as tmp:  # temp file in the same folder, then os.replace
            fig.savefig(tmp, format=fmt, dpi=110)
    finally:
        plt.close(fig)
