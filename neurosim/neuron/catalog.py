"""What ``neurosim neuron``/``fi``/``morphology`` (and ``phase``/``bifurcation``) can simulate,
as data: models with their parameters (default, unit, quantity), patterns, sources; stimuli;
shapes. :func:`catalog` returns it; ``neurosim models`` prints it.

Every value is given as the CLI reads it back (``-65mV``, ``120mS/cm2``, :mod:`.units`), so a
listed default can be pasted into ``--param NAME=VALUE``.
"""

from __future__ import annotations

__all__ = ["catalog", "model_entry", "PATTERN_NOTES", "MODEL_NOTES"]

#: one line per model of :data:`.library.MODELS`
MODEL_NOTES = {
    "lif": "leaky integrate-and-fire with an absolute refractory period",
    "hh": "Hodgkin-Huxley squid giant axon (class II: repetitive firing starts with a jump)",
    "traub": "Traub-Miles cortical pyramidal cell, Ermentrout-Kopell reduction (class I)",
    "izhikevich": "Izhikevich simple model: quadratic v, recovery u, reset",
    "adex": "adaptive exponential integrate-and-fire (AdEx)",
}

#: pattern -> what it models (Izhikevich 2003 Fig. 2; Naud et al. 2008 Table 1)
PATTERN_NOTES = {
    "RS": "regular spiking (cortical excitatory)", "IB": "intrinsically bursting",
    "CH": "chattering (fast rhythmic bursting)", "FS": "fast spiking (inhibitory)",
    "LTS": "low-threshold spiking (inhibitory)", "TC": "thalamo-cortical",
    "RZ": "resonator",
    "tonic": "tonic spiking", "adapting": "spike-frequency adaptation",
    "initial_burst": "a burst at the onset, then tonic", "regular_bursting": "regular bursts",
    "delayed_accelerating": "delayed first spike, accelerating",
    "delayed_regular_bursting": "delayed first spike, then bursts",
    "transient": "a few spikes at the onset, then silent", "irregular": "irregular spiking",
}


def _value_text(q) -> tuple[str, str]:
    """(value as the CLI reads it, quantity in words) of a parameter default."""
    from .units import describe_dimension

    text = describe_dimension(q, q)
    if "(e.g. " not in text:
        return f"{q}", text
    words, example = text.split(" (e.g. ")
    return example.rstrip(")"), words


def model_entry(name: str) -> dict:
    """One model of :data:`.library.MODELS` as a dict (``ValueError`` with "did you mean"
    for an unknown name)."""
    from common.choices import unknown_choice

    from .library import ADEX_PATTERNS, MODELS, get_model
    from .sanity import validated_max_dt_ms

    if name not in MODELS:
        raise unknown_choice("model", name, MODELS)
    model = get_model(name)
    params = []
    for key, default in model.parameters.items():
        value, quantity = _value_text(default)
        params.append({"name": key, "default": value, "quantity": quantity})
    patterns = [{"name": p, "description": PATTERN_NOTES.get(p, "")} for p in model.patterns]
    if name == "adex":
        for entry in patterns:
            entry["paper_current"] = f"{ADEX_PATTERNS[entry['name']][-1]:g}pA"
    density = model.current == "density"
    return {"name": name, "description": MODEL_NOTES.get(name, ""), "source": model.source,
            "current": "a current density (uA/cm2)" if density else "a current (nA, pA)",
            "example": {"hh": "10uA/cm2", "traub": "10uA/cm2", "lif": "0.5nA",
                        "izhikevich": "10pA", "adex": "500pA"}.get(name),
            "default_pattern": model.patterns[0] if model.patterns else None,
            "patterns": patterns, "parameters": params,
            "dt_ms": {"default": float(model.dt * 1e3),
                      "validated_max": validated_max_dt_ms(model)},
            "commands": ["neuron", "fi"]}


def catalog() -> dict:
    """Models (:func:`model_entry`), stimuli, morphology shapes, and the models of
    ``neurosim phase``/``bifurcation``."""
    from .cli_stimulus import STIMULI
    from .library import MODELS
    from .morphology import SHAPES, shape

    stimuli = [{"name": k, "description": v} for k, v in STIMULI.items()]
    options = {"ramp": ["--ramp-start (default 0, unit of --current)"],
               "pulses": ["--pulse-width (default 2ms)", "--period (default 20ms)"],
               "noise": ["--noise-sigma (required, unit of --current)",
                         "--noise-tau (default 5ms)", "--seed (default 0)"], "step": []}
    for s in stimuli:
        s["options"] = options[s["name"]]
    shapes = []
    for key in SHAPES:
        sh = shape(key)
        entry = {"name": key, "description": sh.description}
        if key != sh.name:
            entry["alias_of"] = sh.name
        shapes.append(entry)
    return {"models": [model_entry(n) for n in MODELS], "stimuli": stimuli,
            "shapes": shapes, "shapes_source": "Kandel et al., Principles of Neural Science, "
                                               "Fig. 2-4; HH soma and axon, passive dendrites",
            "dynamics_models": _dynamics_models()}


def _dynamics_models() -> list[dict]:
    from neurosim.dynamics.models import MODELS, get_model

    out = []
    for name in MODELS:
        m = get_model(name)
        out.append({"name": name, "source": m.source, "current_unit": m.current_unit,
                    "patterns": list(getattr(m, "patterns", ()) or ()),
                    "commands": ["phase", "bifurcation"] if len(m.state) == 2
                    else ["bifurcation"]})
    return out
