"""What ``neurosim neuron``/``fi``/``morphology`` (and ``phase``/``bifurcation``) can simulate,
as data: models with their parameters (default, unit, quantity), patterns, sources; stimuli;
shapes. :func:`catalog` returns it; ``neurosim models`` prints it.

Every value is given as the CLI reads it back (``-65mV``, ``120mS/cm2``, :mod:`.units`), so a
listed default can be pasted into ``--param NAME=VALUE``.
"""

from __future__ import annotations

__all__ = ["catalog", "model_entry", "PATTERN_NOTES", "MODEL_NOTES"]

#: one line per model that only ``neurosim phase``/``bifurcation`` analyse
DYNAMICS_NOTES = {
    "fhn": "FitzHugh-Nagumo: cubic fast variable v, linear slow recovery w (dimensionless)",
    "morris-lecar": "Morris-Lecar barnacle muscle fibre: instantaneous Ca, slow K (w)",
    "hh-rinzel": "Rinzel's planar (V, n) reduction of the squid Hodgkin-Huxley model",
}

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
    "class1": "class I excitability: firing starts at any low rate (SNIC)",
    "class2": "class II excitability: firing starts at a non-zero rate (Hopf)",
}


def _value_text(q) -> tuple[str, str]:
    """(value as the CLI reads it, quantity in words) of a parameter default."""
    from .units import describe_dimension

    text = describe_dimension(q, q)
    if "(e.g. " not in text:
        return f"{q}", text
    words, example = text.split(" (e.g. ")
    return example.rstrip(")"), words


def _parameters(model) -> list[dict]:
    out = []
    for key, default in model.parameters.items():
        value, quantity = _value_text(default)
        out.append({"name": key, "default": value, "quantity": quantity})
    return out


def _pattern_table(name: str, patterns, get_model) -> list[dict]:
    """Every pattern with the parameters that differ between patterns (``"parameters"``:
    name -> value as the CLI reads it) and what it models."""
    values = {p: {e["name"]: e["default"] for e in _parameters(get_model(name, p))}
              for p in patterns}
    keys = [k for k in next(iter(values.values()), {})
            if len({v.get(k) for v in values.values()}) > 1]
    return [{"name": p, "description": PATTERN_NOTES.get(p, ""),
             "parameters": {k: values[p][k] for k in keys}} for p in patterns]


def model_entry(name: str, pattern: str | None = None) -> dict:
    """One model of :data:`.library.MODELS` or of :data:`neurosim.dynamics.models.MODELS` as
    a dict: its ``parameters`` are those of ``pattern`` (default: the model's default pattern);
    each entry of ``patterns`` lists the parameters that differ between patterns.
    ``ValueError`` with "did you mean" for an unknown name, one line for an unknown pattern."""
    from common.choices import unknown_choice

    from neurosim.dynamics.models import MODELS as DYNAMICS

    from .library import ADEX_PATTERNS, MODELS, get_model

    if name not in MODELS:
        if name in DYNAMICS:
            return _dynamics_entry(name, pattern)
        raise unknown_choice("model", name, [*MODELS, *(k for k in DYNAMICS if k not in MODELS)])
    from .sanity import validated_max_dt_ms

    model = get_model(name, pattern)
    patterns = _pattern_table(name, model.patterns, get_model)
    if name == "adex":
        for entry in patterns:
            entry["paper_current"] = f"{ADEX_PATTERNS[entry['name']][-1]:g}pA"
    density = model.current == "density"
    default = model.patterns[0] if model.patterns else None
    return {"name": name, "description": MODEL_NOTES.get(name, ""), "source": model.source,
            "current": "a current density (uA/cm2)" if density else "a current (nA, pA)",
            "example": {"hh": "10uA/cm2", "traub": "10uA/cm2", "lif": "0.5nA",
                        "izhikevich": "10pA", "adex": "500pA"}.get(name),
            "default_pattern": default, "pattern": pattern or default,
            "patterns": patterns, "parameters": _parameters(model),
            "dt_ms": {"default": float(model.dt * 1e3),
                      "validated_max": validated_max_dt_ms(model)},
            "commands": ["neuron", "fi"] + (_dynamics_commands(name) if name in DYNAMICS
                                            else [])}


def _dynamics_commands(name: str) -> list[str]:
    from neurosim.dynamics.models import get_model

    return ["phase", "bifurcation"] if len(get_model(name).state) == 2 else ["bifurcation"]


def _dynamics_entry(name: str, pattern: str | None) -> dict:
    """A model only ``phase``/``bifurcation`` analyse, in the shape of :func:`model_entry`."""
    from neurosim.dynamics.models import get_model

    model = get_model(name, pattern)
    unit = model.current_unit
    default = model.name.split(":")[1] if ":" in model.name and pattern is None else None
    return {"name": name, "description": DYNAMICS_NOTES.get(name, ""), "source": model.source,
            "current": "a plain number (dimensionless)" if unit == "1" else
            ("a current density (uA/cm2)" if unit == "uA/cm2" else f"a current ({unit})"),
            "example": {"fhn": "0.5", "morris-lecar": "40uA/cm2"}.get(name, f"10{unit}"),
            "default_pattern": default, "pattern": pattern or default,
            "patterns": _pattern_table(name, model.patterns, get_model),
            "parameters": _parameters(model), "state": list(model.state),
            "state_units": list(model.state_units), "commands": _dynamics_commands(name)}


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
