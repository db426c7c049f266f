"""Single neurons on Brian2: models, protocols, analysis, morphologies.

Modules (import what you need; Brian2 is imported only by the modules that simulate):

- :mod:`.model`      — :class:`NeuronModel` (equations + per-neuron parameters), user models
- :mod:`.library`    — LIF, Hodgkin–Huxley, Traub–Miles, Izhikevich, AdEx with cited parameters
- :mod:`.protocols`  — step, ramp, pulse train, noisy current; f–I curve, rheobase, sweeps
- :mod:`.simulate`   — runs a protocol on N neurons of one model (one NeuronGroup)
- :mod:`.analysis`   — pure NumPy features of traces and spike trains
- :mod:`.units`      — strict parsing of ``10uA/cm2``, ``0.5nA``, ``200ms``
- :mod:`.morphology` — multi-compartment neuron shapes, drawable and simulatable
"""
