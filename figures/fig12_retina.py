"""Figure 12 — the retina's responses to an MNIST digit, computed by
:class:`neurosim.visual.pathway.RatePath` (rate model, static image treated as a flash).

Top row (midget channel): normalised photoreceptor response ``p = Iⁿ/(Iⁿ + I_aⁿ)`` (Naka–Rushton,
adapting luminance = the image mean), the outer-plexiform centre–surround signal (difference of
Gaussians), ON bipolar ``[b]+`` and OFF bipolar ``[−b]+``, ON and OFF ganglion-cell rates (Hz,
maintained discharge included). Bottom: a profile across one row of the digit for both channels
(midget: small, sustained; parasol: large, transient), showing ON cells firing on the bright
stroke and OFF cells on the background darker than the mean, most strongly on the flanks
beside the stroke (surround antagonism).
"""

from __future__ import annotations

import numpy as np

from figures.runner import run_one

NAME = "retina"
INDEX = 0   # MNIST test image (a 7)
ROW = 18    # the profile crosses the 7's diagonal stroke here


def compute(quick: bool = False, rng: np.random.Generator | None = None) -> dict:
    from neurosim.visual.pathway import RatePath

    from ._common import mnist

    m = mnist()
    image = m.x_test[INDEX].astype(np.float32) / 255.0
    model = RatePath()
    r = model.retina(image[None])
    out = {"image": image, "label": int(m.y_test[INDEX]), "row": ROW,
           "channels": [c.name for c in model.params.channels],
           "r0_hz": [float(c.r0) for c in model.params.channels]}
    for k, v in r.items():
        out[k] = v[0]
    return out


def draw(data):
    from ._common import plt

    c = 0  # midget
    panels = [("image", data["image"], "luminance I (0–1)", "gray", None),
              ("photoreceptors", data["photoreceptors"], "normalised photocurrent p", "magma",
               None),
              ("OPL centre − surround", data["opl"][c], "o (normalised)", "RdBu_r", "sym"),
              ("ON bipolar", data["bipolar_on"][c], "[b]+ (normalised)", "Reds", None),
              ("OFF bipolar", data["bipolar_off"][c], "[−b]+ (normalised)", "Blues", None),
              ("ON ganglion", data["rgc_on"][c], "rate (Hz)", "Reds", None),
              ("OFF ganglion", data["rgc_off"][c], "rate (Hz)", "Blues", None)]
    fig = plt.figure(figsize=(15, 6.2), layout="constrained")
    gs = fig.add_gridspec(2, 7, height_ratios=[1, 1.25])
    for k, (title, img, unit, cmap, sym) in enumerate(panels):
        ax = fig.add_subplot(gs[0, k])
        kw = {}
        if sym:
            lim = float(np.abs(img).max())
            kw = {"vmin": -lim, "vmax": lim}
        im = ax.imshow(img, cmap=cmap, **kw)
        ax.axhline(data["row"], color="C2", lw=0.8, ls="--")
        ax.set_title(title + (f" ({data['channels'][c]})" if k >= 2 else ""), fontsize=8.5)
        ax.set_xticks([])
        ax.set_yticks([])
        cb = fig.colorbar(im, ax=ax, orientation="horizontal", fraction=0.06, pad=0.04)
        cb.set_label(unit, fontsize=7.5)
        cb.ax.tick_params(labelsize=7)
    ax = fig.add_subplot(gs[1, :])       # the profile spans the full width: no blank corner
    x = np.arange(data["image"].shape[1])
    for ch, ls in zip(range(len(data["channels"])), ("-", "--")):
        name = data["channels"][ch]
        ax.plot(x, data["rgc_on"][ch][data["row"]], ls, color="C3", label=f"ON {name}")
        ax.plot(x, data["rgc_off"][ch][data["row"]], ls, color="C0", label=f"OFF {name}")
    ax.axhline(data["r0_hz"][0], color="0.5", ls=":", lw=1, label="maintained rate r₀")
    ax.set_xlabel(f"x (pixels) along row {data['row']}")
    ax.set_ylabel("ganglion-cell rate (Hz)")
    ax.legend(fontsize=7.5, ncol=1, loc="upper left", bbox_to_anchor=(1.06, 1.0),
              borderaxespad=0)
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.fill_between(x, 0, data["image"][data["row"]], color="0.5", alpha=0.2, step="mid")
    ax2.set_ylim(0, 3)
    ax2.set_yticks([0, 1])
    ax2.set_ylabel("luminance (grey)", fontsize=8)
    ax.set_title("ON cells fire on the bright stroke; OFF cells on the darker-than-mean "
                 "background, most at the stroke's flanks")
    return fig


if __name__ == "__main__":
    raise SystemExit(run_one(NAME))
