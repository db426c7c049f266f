"""Figure 13 — the visual hierarchy for one image, V1 to IT-like units, and V1 orientation
tuning; all computed by :mod:`neurosim.visual` (rate path + HMAX).

Top: an MNIST digit; the V1 complex-cell responses (max over the two scales) of four of the
eight orientation channels (:class:`~neurosim.visual.pathway.RatePath`); C1 (MAX over scales and
4×4 neighbourhoods, :func:`~neurosim.visual.hmax.c1_layer`); the S2 map (V2/V4-like template
match) of the template that responds best. The S2/S3 templates are imprinted
(:meth:`~neurosim.visual.hmax.HMAX.fit`) from C1 maps of random training digits. Bottom left:
C3, the position-invariant IT-like units, for this digit and for a digit of another class.
Bottom right: orientation tuning of V1 complex cells at the image centre (gratings at the
preferred spatial frequency, mean over 8 phases,
:func:`~neurosim.visual.protocols.orientation_tuning`), against an (untuned) LGN ON cell at the
same place.
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "hierarchy"
INDEX, OTHER = 0, 1        # MNIST test images: a 7 and a 2
SHOWN = (0, 2, 4, 6)       # orientation channels drawn (0°, 45°, 90°, 135°)


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from neurosim.visual.analysis import circular_variance
    from neurosim.visual.hmax import HMAX, c1_layer
    from neurosim.visual.pathway import RatePath
    from neurosim.visual.protocols import orientation_tuning

    from ._common import mnist

    rng = np.random.default_rng(0) if rng is None else rng
    m = mnist()
    model = RatePath()
    oris = model.params.v1.orientations
    imgs = m.x_test[[INDEX, OTHER]].astype(np.float32) / 255.0
    cx = model.run(imgs, stages=["v1_complex"])["v1_complex"]        # (2, S, O, H, W)
    c1 = c1_layer(cx)                                                 # (2, O, h, w)
    n_fit = 40 if quick else 200
    fit_imgs = m.x_train[rng.choice(len(m.x_train), n_fit, replace=False)] / 255.0
    c1_fit = c1_layer(model.run(fit_imgs, stages=["v1_complex"])["v1_complex"])
    h = HMAX(n_s2=32, n_s3=16).fit(c1_fit, rng)
    hm = h.transform(c1)
    best = int(np.argmax(hm["s2"][0].max(axis=(1, 2))))
    n_theta = 12 if quick else 24
    tuning = {}
    for o in SHOWN:
        th, r = orientation_tuning(model, ("v1_complex", (0, o, 14, 14)), sf=0.25,
                                   n_theta=n_theta)
        tuning[float(oris[o])] = r
    th, r_lgn = orientation_tuning(model, ("lgn_on", (0, 14, 14)), sf=0.25, n_theta=n_theta)
    return {"image": imgs[0], "label": int(m.y_test[INDEX]), "other_label": int(m.y_test[OTHER]),
            "orientations": oris, "shown": SHOWN, "v1_complex": cx[0].max(axis=0),
            "c1": c1[0], "s2_best": hm["s2"][0, best], "s2_best_index": best,
            "c2": hm["c2"][0], "c3": hm["c3"][0], "c3_other": hm["c3"][1],
            "thetas": th, "tuning": tuning, "tuning_lgn": r_lgn,
            "cv": {k: circular_variance(th, v) for k, v in tuning.items()},
            "cv_lgn": circular_variance(th, r_lgn), "n_fit": n_fit}


def draw(data):
    from ._common import plt

    fig = plt.figure(figsize=(15, 6.0), layout="constrained")    # no blank band between rows
    gs = fig.add_gridspec(2, 7, height_ratios=[1, 1.45])
    _draw_maps(fig, gs, data)
    _draw_c3(fig.add_subplot(gs[1, :4]), data)
    _draw_orientation_tuning(fig.add_subplot(gs[1, 4:]), data)
    return fig


def _image(ax, image, title: str, fontsize: float = 9, **imshow):
    """``image`` in ``ax`` with ``title`` and no ticks; returns the ``AxesImage``."""
    im = ax.imshow(image, **imshow)
    ax.set_title(title, fontsize=fontsize)
    ax.set_xticks([])
    ax.set_yticks([])
    return im


def _draw_maps(fig, gs, data) -> None:
    """Top row, up the hierarchy: the digit, V1 complex cells of the ``shown`` orientations
    (one colour scale), C1 (max over orientations) and the best S2 template's match map."""
    _image(fig.add_subplot(gs[0, 0]), data["image"], f"image (digit {data['label']})",
           cmap="gray")
    cx = data["v1_complex"]
    vmax = float(cx.max())
    v1_axes = []
    for k, o in enumerate(data["shown"]):
        v1_axes.append(fig.add_subplot(gs[0, k + 1]))
        im = _image(v1_axes[-1], cx[o], f"V1 complex θ={data['orientations'][o]:.0f}°",
                    fontsize=8.5, cmap="viridis", vmin=0, vmax=vmax)
    cb = fig.colorbar(im, ax=v1_axes, fraction=0.012, pad=0.01)
    cb.set_label("rate (Hz)", fontsize=8)
    ax = fig.add_subplot(gs[0, 5])
    im = _image(ax, data["c1"].max(axis=0), "C1 (max over orient.)", cmap="viridis")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04).set_label("rate (Hz)", fontsize=8)
    ax = fig.add_subplot(gs[0, 6])
    im = _image(ax, data["s2_best"], f"S2 (V2/V4-like)\ntemplate #{data['s2_best_index']}",
                cmap="magma", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04).set_label("match (0–1)", fontsize=8)


def _draw_c3(ax, data) -> None:
    """Bottom left: the C3 (IT-like, position-invariant) units for this digit and another."""
    k = np.arange(len(data["c3"]))
    ax.bar(k - 0.2, data["c3"], width=0.4, color="C0", label=f"digit {data['label']} (above)")
    ax.bar(k + 0.2, data["c3_other"], width=0.4, color="C1",
           label=f"a digit {data['other_label']}")
    ax.set_xticks(k)
    ax.set_xlabel("C3 unit (IT-like, position-invariant; S3 templates imprinted from "
                  f"{data['n_fit']} training digits)")
    ax.set_ylabel("C3 response (template match, 0–1)")
    ax.set_ylim(0, 1.15)
    ax.legend(loc="upper right", ncol=2)
    ax.grid(alpha=0.3, axis="y")


def _draw_orientation_tuning(ax, data) -> None:
    """Bottom right: V1 complex cells' orientation tuning at the image centre, with their
    circular variance (CV), against the untuned LGN ON cell."""
    th = data["thetas"]
    for j, (pref, r) in enumerate(data["tuning"].items()):
        ax.plot(th, r, "-o", ms=3, color=f"C{j}",
                label=f"V1 complex, pref. {pref:.0f}° (CV {data['cv'][pref]:.2f})")
    ax.plot(th, data["tuning_lgn"], "k--", label=f"LGN ON (CV {data['cv_lgn']:.2f})")
    ax.set_xlabel("grating orientation θ (degrees)")
    ax.set_ylabel("mean rate over phases (Hz)")
    ax.set_title("orientation tuning at the image centre (scale 0, 0.25 cycles/pixel)",
                 fontsize=9)
    top = max(max(float(r.max()) for r in data["tuning"].values()), float(data["tuning_lgn"].max()))
    ax.set_ylim(0, 1.55 * top)
    ax.legend(fontsize=7, loc="upper center", ncol=2)
    ax.grid(alpha=0.3)


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
