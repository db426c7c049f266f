"""Options of ``neurosim neuron`` and ``neurosim fi`` that reproduce a run: ``--dt`` and
repeatable ``--param NAME=VALUE_WITH_UNIT`` (see :mod:`.cli` for the commands).

- ``--dt VALUE_WITH_UNIT``: a time (strict units, :func:`.units.parse_quantity`), positive,
  finite and no longer than the shortest protocol segment (:func:`neurosim.codegen.check_dt`).
- ``--param NAME=VALUE_WITH_UNIT``: NAME one of the model's parameters, the value of the
  default's dimension and within the model's sign constraints
  (:meth:`.model.NeuronModel.check_parameters`).

Errors are one ``ValueError`` line naming the option and the expected unit, e.g.
``--param DeltaT=0.5nA: DeltaT needs a voltage (e.g. 2mV)``; the CLI prints it and exits 2.
"""

from __future__ import annotations

from common.choices import did_you_mean

__all__ = ["add_reproduction_options", "parse_params", "check_dt_option", "split_range"]


def add_reproduction_options(parser) -> None:
    """Add ``--dt`` and ``--param`` to a subcommand's parser."""
    parser.add_argument("--dt", default=None, metavar="VALUE_WITH_UNIT",
                        help="integration time step, a time, e.g. 0.05ms; validated up to 0.2ms "
                             "(hh, traub) or 0.1ms (lif, izhikevich, adex): a warning above, "
                             "refused above 10x that (default: the model's, 0.01ms)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE_WITH_UNIT",
                        help="override one model parameter, repeatable: e.g. DeltaT=0.5mV "
                             "(adex), gNa=100mS/cm2 (hh, traub); the value needs the default's "
                             "dimension; `neurosim models MODEL` lists names, defaults and "
                             "units (default: none, the model's set)")


def parse_params(specs, model) -> tuple[dict, dict]:
    """``--param NAME=VALUE_WITH_UNIT`` arguments -> ({name: Quantity}, {name: text}).

    Raises ``ValueError`` (one line, naming the argument): no ``=``, a name the model lacks
    (listing the valid ones), a name given twice, a bad number or unit, another dimension than
    the parameter's (``--param DeltaT=0.5nA: DeltaT needs a voltage (e.g. 2mV)``), a value
    that breaks the model's sign constraints (:meth:`.model.NeuronModel.check_parameters`).
    """
    from brian2 import get_dimensions

    from .units import describe_dimension, parse_quantity

    values, texts = {}, {}
    for spec in specs:
        name, sep, text = (part.strip() for part in spec.partition("="))
        if not sep or not name or not text:
            raise ValueError(f"--param {spec!r}: expected NAME=VALUE_WITH_UNIT, e.g. "
                             f"{_example_param(model)}")
        if name not in model.parameters:
            raise ValueError(f"--param {spec}: model {model.name!r} has no parameter {name!r}; "
                             f"valid: {', '.join(model.parameters)}"
                             f"{did_you_mean(name, model.parameters)}")
        if name in values:
            raise ValueError(f"--param {spec}: {name} is given twice")
        default = model.parameters[name]
        if get_dimensions(default).is_dimensionless:
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"--param {spec}: {name} needs a plain number") from None
        else:
            need = f"{name} needs {describe_dimension(default, default)}"
            try:
                value = parse_quantity(text, label=f"--param {spec}")
            except ValueError as e:
                raise ValueError(f"{e}; {need}") from None
        model.check_parameters({name: value}, prefix="--param ", given={name: text})
        values[name], texts[name] = value, text
    return values, texts


def _example_param(model) -> str:
    from brian2 import get_dimensions

    from .units import describe_dimension

    name, default = next(iter(model.parameters.items()))
    if get_dimensions(default).is_dimensionless:
        return f"{name}={float(default):g}"
    return f"{name}=" + describe_dimension(default, default).split("(e.g. ")[1].rstrip(")")


def check_dt_option(protocol, dt) -> None:
    """``--dt``: positive, finite, each protocol segment gets a step (``codegen.check_dt``)."""
    from ..codegen import check_dt

    check_dt(dt, [s.duration for s in protocol.segments], "--dt")


def split_range(text: str, parse, example: str, n_min: int):
    """``--currents START:STOP:N`` -> ``(start, stop, n)``, shared by ``fi`` and ``bifurcation``.

    ``parse(part, what)`` reads START and STOP (``what`` is ``"--currents START"`` or
    ``"--currents STOP"``); N is an integer, ``n_min <= N <= 10000``. One ``ValueError`` line
    otherwise (``example`` shows a valid range).
    """
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"--currents {text!r}: expected START:STOP:N, e.g. {example}")
    start = parse(parts[0], "--currents START")
    stop = parse(parts[1], "--currents STOP")
    try:
        n = int(parts[2])
    except ValueError:
        raise ValueError(f"--currents {text!r}: N={parts[2]!r} is not an integer") from None
    if not n_min <= n <= 10000:
        raise ValueError(f"--currents {text!r}: N={n} must be between {n_min} and 10000")
    return start, stop, n
