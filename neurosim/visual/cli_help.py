"""The epilog of ``neurosim visual --help``: every ``--image`` stimulus with its keys,
defaults and units, written from :data:`.cli_images.STIMULI`, and the angle and unit
conventions."""

from __future__ import annotations

import textwrap

from .cli_compute import OSI_THRESHOLD
from .cli_images import STIMULI

__all__ = ["stimulus_help"]


def stimulus_help() -> str:
    """The help epilog: every stimulus with its keys, defaults and units."""
    lines = ["image specs (--image SPEC); keys are optional, KEY=VALUE separated by commas:",
             f"  {'mnist:INDEX':<24}MNIST test digit INDEX in 0..9999 (its label is printed)"]
    for kind, (what, keys) in STIMULI.items():
        lines.append(f"  {kind + ':KEY=VALUE,...':<24}{what}")
        for k in keys:
            lines.append(f"      {k.name + '=' + format(k.default, 'g'):<16}{k.unit:<11}{k.help}")
    lines.append(f"  {'PATH':<24}a PNG (or what Pillow reads) or a 2-D .npy array, luminance 0-1")
    conventions = (
        "conventions: x rightwards, y downwards (image rows), lengths in pixels, centred on the "
        "image. theta is measured from the +x axis towards +y, i.e. clockwise on the screen: "
        "theta=0 gives vertical bars, 90 horizontal ones (the V1 report uses the same angles). "
        "Contrast is Michelson, (Lmax - Lmin)/(Lmax + Lmin); luminance 0-1. sf above 0.5 "
        "cycles/px (Nyquist) is refused, above 0.25 (the finest V1 filter) warned about. "
        "Values may carry their unit (theta=30deg, on=0.05s, diameter=6px). Movies (flash, "
        "grating with tf > 0) have one frame per ms and last --duration: flash ON cells answer "
        "the switch-on, OFF cells the switch-off; the maps are time-averaged rates, and the "
        "spiking mode's raster shows the timing. V1 names a dominant orientation only when "
        "its orientation selectivity index (OSI = 1 - circular variance of the complex cells' "
        f"energy per orientation) is at least {OSI_THRESHOLD:g}; round stimuli (spot, annulus, "
        "flash) have none.")
    lines += ["", textwrap.fill(conventions, 88), "", "examples:",
              "  neurosim visual --image mnist:0 --plot stages.png",
              "  neurosim visual --image grating:sf=0.125,theta=30,contrast=0.5 --json",
              "  neurosim visual --image flash:diameter=8 --mode spiking --plot raster.png"]
    return "\n".join(lines)
