"""A single-neuron model: Brian2 equations with units, per-neuron parameters, spike rule.

Every model reads one injected current ``I_inj`` that the simulator defines as

    I_inj = I_amp + I_slope * (t - t_start) + I_noise

(``I_amp``, ``I_slope``, ``I_noise`` per neuron, ``t_start`` shared), so a step, a ramp, a
pulse train and a noisy current are the *same* compiled code with different values set between
run segments. All model parameters are per-neuron constants, not namespace constants: Brian2
then generates one code object per model (not per parameter set), every pattern and every
parameter sweep reuses it from the Cython cache, and a sweep is one NeuronGroup whose neurons
differ only in their parameter values.

``current`` says what ``I_inj`` is: ``"density"`` (A/m², Hodgkin–Huxley-type models written per
membrane area, given in µA/cm²) or ``"absolute"`` (A, point models, given in nA or pA).

Integration method. ``method`` is used up to ``method_max_dt``; a larger step uses
``stable_method`` (e.g. RK4 — accurate, but it diverges for Hodgkin–Huxley once dt is several
times the fastest membrane time constant — up to 0.025 ms, Brian2's exponential Euler, which
stays bounded at any dt, above). :meth:`NeuronModel.method_for` says which.

Parameter values are checked by :meth:`NeuronModel.check_parameters`: known name, the default's
dimension, finite, and the sign constraints ``positive`` / ``nonnegative`` of the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["NeuronModel", "unit_string", "custom_model", "STIMULUS_EQUATIONS"]

#: appended to every model; {I} is the current unit as an equation unit string
STIMULUS_EQUATIONS = """
I_inj = I_amp + I_slope * (t - t_start) + I_noise : {I}
I_amp : {I}
I_slope : {I} / second
I_noise : {I}
t_start : second (shared)
"""

CURRENT_UNITS = {"density": "amp/meter**2", "absolute": "amp"}


def unit_string(quantity) -> str:
    """Brian2 equation unit string for the dimensions of ``quantity`` (``"1"`` if none)."""
    from brian2 import get_dimensions

    dim = get_dimensions(quantity)
    if dim.is_dimensionless:
        return "1"
    # built from the SI exponents, not repr(get_unit(...)), whose text depends on which
    # derived units Brian2 has seen so far (e.g. "farad / (meter ** 2)", not parseable)
    names = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candle")
    return " * ".join(f"{n} ** {int(e) if float(e).is_integer() else float(e)}"
                      for n, e in zip(names, dim._dims) if e != 0)


@dataclass(frozen=True)
class NeuronModel:
    """Equations + parameters + spike rule of one single-compartment neuron model.

    Attributes
    ----------
    name : str
        Short name (``"hh"``, ``"izhikevich:RS"``).
    equations : str
        Brian2 equations using ``v`` (membrane potential, volt) and ``I_inj``; parameters are
        *not* declared here (they are added from ``parameters``).
    parameters : Mapping[str, Quantity]
        Default value of every parameter (scalar Brian2 quantities or floats); each becomes a
        per-neuron ``(constant)`` variable.
    initial : Mapping[str, Quantity]
        Initial value of state variables (e.g. ``v``, gating variables).
    current : {"density", "absolute"}
        Unit family of ``I_inj``: A/m² or A.
    threshold, reset, refractory : str, str, str or Quantity or False
        Brian2 spike rule (``threshold="v > -20*mV"``, ``refractory="v > -20*mV"`` for
        conductance models; ``threshold="v >= v_peak"``, ``reset=...`` for integrate-and-fire).
    method : str
        Brian2 integration method (``"exponential_euler"``, ``"exact"``, ``"euler"``).
    dt : Quantity
        Default time step.
    stable_method, method_max_dt : str or None, Quantity or None
        Brian2 method used instead of ``method`` when dt > ``method_max_dt`` (``None``: always
        ``method``).
    positive, nonnegative : tuple of str
        Parameters that must be > 0 (time constants, capacitances) or >= 0 (conductances,
        slope factors whose 0 is a limit the equations handle).
    spike_peak : str or None
        Parameter name whose value is drawn as the spike apex in traces of reset models (their
        trace never shows the upstroke); ``None`` when the model has a real spike shape or
        none at all (LIF).
    v_detect : Quantity
        Voltage for spike detection in traces of models with a real spike shape.
    source : str
        Citation of equations and parameters.
    """

    name: str
    equations: str
    parameters: Mapping[str, object]
    initial: Mapping[str, object]
    current: str = "absolute"
    threshold: str | None = None
    reset: str | None = None
    refractory: object = False
    method: str = "euler"
    dt: object = None
    spike_peak: str | None = None
    v_detect: object = None
    source: str = ""
    patterns: tuple[str, ...] = field(default=())
    stable_method: str | None = None
    method_max_dt: object = None
    positive: tuple[str, ...] = ()
    nonnegative: tuple[str, ...] = ()

    def __post_init__(self):
        if self.current not in CURRENT_UNITS:
            raise ValueError(f"current={self.current!r}: must be 'density' or 'absolute'")
        unknown = sorted(set(self.positive + self.nonnegative) - set(self.parameters))
        if unknown:
            raise ValueError(f"model {self.name!r}: constraint on unknown parameter "
                             f"{unknown[0]!r}")

    @property
    def current_unit(self):
        """The Brian2 unit of ``I_inj`` (``amp`` or ``amp/meter**2``)."""
        from brian2 import amp, meter

        return amp / meter ** 2 if self.current == "density" else amp

    def full_equations(self) -> str:
        """Equations with the stimulus ``I_inj = I_amp + I_slope * (t - t_start) + I_noise``
        and every parameter declared as a per-neuron constant."""
        decl = "\n".join(f"{name} : {unit_string(value)} (constant)"
                         for name, value in self.parameters.items())
        return (self.equations.strip() + "\n"
                + STIMULUS_EQUATIONS.format(I=CURRENT_UNITS[self.current]) + decl + "\n")

    def method_for(self, dt) -> str:
        """The Brian2 integration method for time step ``dt`` (``method`` or, above
        ``method_max_dt``, ``stable_method``)."""
        if self.stable_method is not None and self.method_max_dt is not None \
                and float(dt) > float(self.method_max_dt) * (1 + 1e-9):
            return self.stable_method
        return self.method

    def check_parameters(self, values: Mapping[str, object], *, prefix: str = "parameter ",
                         given: Mapping[str, str] | None = None) -> None:
        """Check parameter values (scalars or per-neuron arrays) against this model.

        Messages read ``<prefix><name>=<value>: <reason>``; ``given`` maps a name to the text
        the user wrote (the CLI passes ``prefix="--param "`` and its argument).

        Raises
        ------
        ValueError
            One line naming the parameter: unknown name (listing the known ones), another
            dimension than the default's (``DeltaT needs a voltage (e.g. 2mV)``), a NaN or
            infinite value, or a value breaking ``positive`` / ``nonnegative``.
        TypeError
            A value that is not a number (or array of numbers).
        """
        import numpy as np
        from brian2.units.fundamentalunits import have_same_dimensions

        from .units import describe_dimension

        given = dict(given or {})
        for name, value in values.items():
            head = f"{prefix}{name}={given.get(name, repr(value))}"
            if name not in self.parameters:
                raise ValueError(f"{head}: unknown parameter {name!r} of model {self.name!r}; "
                                 f"known: {', '.join(self.parameters)}")
            default = self.parameters[name]
            need = f"{name} needs {describe_dimension(default, default)}"
            try:
                x = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise TypeError(f"{head}: expected a number with a unit or an array of them; "
                                f"{need}") from None
            if not have_same_dimensions(value, default):
                raise ValueError(f"{head}: {need}")
            if not np.all(np.isfinite(x)):
                raise ValueError(f"{head}: {name} must be finite")
            if name in self.positive and not np.all(x > 0):
                raise ValueError(f"{head}: {name} must be positive")
            if name in self.nonnegative and not np.all(x >= 0):
                raise ValueError(f"{head}: {name} must not be negative")

    def with_parameters(self, **values) -> "NeuronModel":
        """A copy with other default parameter values (checked by :meth:`check_parameters`)."""
        self.check_parameters(values)
        from dataclasses import replace

        return replace(self, parameters={**self.parameters, **values})


def custom_model(equations: str, parameters: Mapping[str, object], *, initial=None,
                 current: str = "absolute", threshold=None, reset=None, refractory=False,
                 method: str = "euler", dt=None, spike_peak=None, v_detect=None,
                 name: str = "custom") -> NeuronModel:
    """A user-defined model from an equation string.

    The equations must define ``v`` (volt) and may use ``I_inj`` (the injected current, in A or
    A/m² per ``current``) and the names in ``parameters``. Everything is checked by Brian2
    (units, undefined names) when the model is first simulated; :func:`validate` does that now.

    Examples
    --------
    >>> from brian2 import mV, ms, Mohm
    >>> m = custom_model("dv/dt = (E - v + R*I_inj)/tau : volt",
    ...                  dict(E=-70*mV, R=100*Mohm, tau=10*ms), threshold="v > -50*mV",
    ...                  reset="v = E", initial={"v": -70*mV})
    """
    from brian2 import ms

    if not isinstance(equations, str) or "v" not in equations:
        raise ValueError("equations: expected a Brian2 equation string defining v (volt)")
    model = NeuronModel(name=name, equations=equations, parameters=dict(parameters),
                        initial=dict(initial or {}), current=current, threshold=threshold,
                        reset=reset, refractory=refractory, method=method,
                        dt=dt if dt is not None else 0.01 * ms, spike_peak=spike_peak,
                        v_detect=v_detect, source="user-defined")
    validate(model)
    return model


def validate(model: NeuronModel) -> None:
    """Check a model's equations with Brian2 (syntax, units, v is a volt state variable).

    Raises ``ValueError`` with one line naming the problem.
    """
    from brian2 import Equations, volt
    from brian2.equations.equations import EquationError
    from brian2.units.fundamentalunits import DimensionMismatchError

    try:
        eqs = Equations(model.full_equations())
    except (EquationError, ValueError, SyntaxError, DimensionMismatchError, TypeError,
            KeyError) as e:
        lines = [ln.strip() for ln in str(e).splitlines() if ln.strip() and "^" not in ln]
        msg = (lines[0] + " " + lines[-1] if len(lines) > 1 else "".join(lines)) \
            or type(e).__name__
        raise ValueError(f"model {model.name!r}: bad equations: {msg}") from None
    if "v" not in eqs.diff_eq_names:
        raise ValueError(f"model {model.name!r}: equations must contain dv/dt = ... : volt")
    if eqs["v"].dim is not volt.dim:
        raise ValueError(f"model {model.name!r}: v must have unit volt, not {eqs['v'].dim}")
