"""The visual pathway: retina -> LGN -> V1 -> HMAX higher areas, as a rate model and in Brian2.

Stages, one module each (equations and sources in each docstring):

=====================  ==============================================================
:mod:`.photoreceptors` light adaptation, compressive nonlinearity
:mod:`.opl`            outer plexiform layer: horizontal-cell surround, difference of Gaussians
:mod:`.bipolar`        contrast gain control, biphasic temporal filter, ON/OFF split
:mod:`.ganglion`       ON/OFF midget- and parasol-like ganglion cells, rates and Poisson spikes
:mod:`.lgn`            relay (dead-time Poisson transmission)
:mod:`.gabor`          Gabor receptive fields, batched FFT filter bank
:mod:`.v1`             simple cells (push-pull from LGN ON/OFF) and complex cells (phase pooling)
:mod:`.hmax`           S2/C2 (V2/V4-like) and S3/C3 (IT-like) template matching and MAX pooling
=====================  ==============================================================

:mod:`.pathway` chains them over a batch of images (the rate path); :mod:`.spiking` builds the
same receptive fields as a Brian2 network (the spiking path); :mod:`.stimuli`,
:mod:`.protocols` and :mod:`.analysis` make stimuli and measure tuning; :mod:`.images` checks
and loads images. Nothing here imports ``ann``, and Brian2 is imported only by
:mod:`.spiking`.
"""

from .pathway import STAGES, RatePath, VisualParams

__all__ = ["RatePath", "VisualParams", "STAGES"]
