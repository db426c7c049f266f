"""Tuning measures of the rate path's cells, the numbers quoted in the README.

    .venv/bin/python benchmarks/visual_tuning.py

Orientation tuning (12 orientations, 8 phases each), F1/F0 to a drifting grating at the
preferred orientation, area–response to centred spots (20 % contrast) with suppression index,
and a Naka–Rushton fit of the contrast response. Units sit at pixel (14, 14) of a 28 x 28
image; each scale is tested at its preferred spatial frequency (1 / wavelength). Timing
reference: the same measures on the spiking path would need one Brian2 run per stimulus.
"""

from __future__ import annotations

import time

import numpy as np

from neurosim.visual import analysis as an
from neurosim.visual import protocols as pr
from neurosim.visual.pathway import RatePath


def main() -> None:
    m = RatePath()
    t0 = time.perf_counter()
    wl = m.params.v1.wavelengths
    print(f"{'unit':<28}{'CV':>6}{'HWHH':>7}{'F1/F0':>7}{'c50':>7}{'n':>6}{'r2':>7}")
    units = [("lgn_on", (0, 14, 14)), ("lgn_on", (1, 14, 14))]
    for s in range(len(wl)):
        units += [("v1_simple", (s, 0, 0, 14, 14)), ("v1_complex", (s, 0, 14, 14))]
    for unit in units:
        s = unit[1][0]
        sf = 1 / wl[s]
        th, r = pr.orientation_tuning(m, unit, sf=sf)
        dt, rt = pr.drifting_response(m, unit, sf=sf, n_cycles=2)
        c, rc = pr.contrast_response(m, unit, [0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0], sf=sf)
        fit = an.fit_naka_rushton(c, rc)
        name = f"{unit[0]}[{','.join(map(str, unit[1]))}]"
        cv = an.circular_variance(th, r)
        hw = f"{an.half_width(th, r):>7.1f}" if cv < 0.9 else f"{'flat':>7}"  # untuned: no width
        print(f"{name:<28}{cv:>6.2f}{hw}"
              f"{an.f1_f0(rt, dt, 4.0):>7.2f}{fit['c50']:>7.3f}{fit['n']:>6.2f}{fit['r2']:>7.3f}")
    print()
    for unit in [("rgc_on", (0, 14, 14)), ("rgc_on", (1, 14, 14))]:
        d, r = pr.area_response(m, unit, np.arange(0.5, 27, 1.0), luminance=0.6, center=(14, 14))
        print(f"area-response {unit[0]} {'midget' if unit[1][0] == 0 else 'parasol'}: peak at "
              f"diameter {d[np.argmax(r)]:g} px, suppression index "
              f"{an.suppression_index(r):.2f}")
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
