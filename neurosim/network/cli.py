"""``neurosim network brunel|coba``: the canonical networks, simulated and summarised.

    neurosim network brunel [--order N] [--g G] [--eta ETA] [--duration 1000ms]
                            [--warmup 200ms] [--seed S] [--engine brian2|nest] [--threads K]
                            [--standalone] [--json] [--plot FILE]
    neurosim network coba   [--n 4000] [--p 0.02] [--duration 1000ms] [--warmup 200ms] ...

Statistics (:mod:`.analysis`) are over ``--duration`` after a ``--warmup`` that is simulated
first. JSON fields: ``rate_exc_hz``, ``rate_inh_hz``, ``cv_isi_mean``, ``fano``, ``synchrony``
(of the excitatory population; each population's in ``populations``), ``fano_bin_ms``,
``synchrony_bin_ms``, ``engine``, ``engine_detail``, ``n_neurons``, ``n_synapses``, ``wall_s``
(build + run, compilation included), ``build_s``, ``run_s``, ``duration_ms``, ``warmup_ms``,
``seed`` and the model's parameters; ``brunel`` adds ``theory_rate_hz`` and ``theory_cv`` (the
Siegert mean-field solution, :mod:`.theory`). Bad values are one line, exit status 2; a missing
NEST is one line saying how to install it, exit status 1.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from common.jsonout import rounded

from ..checks import (require_at_least, require_finite_number, require_nonnegative,
                      require_positive)
from .analysis import FANO_BIN_MS

__all__ = ["register", "run_brunel", "run_coba"]


def register(subparsers) -> None:
    """Add ``network`` (with ``brunel`` and ``coba``) to the ``neurosim`` parser."""
    p = subparsers.add_parser(
        "network", help="networks of spiking neurons: Brunel (2000) model A, Vogels-Abbott COBA",
        description="Simulate a canonical spiking network on Brian2 or NEST and print its "
                    "rates, ISI CV, Fano factor and synchrony.")
    sub = p.add_subparsers(dest="network_model", metavar="MODEL", required=True,
                           parser_class=type(p))
    b = sub.add_parser("brunel", help="Brunel (2000) model A as NEST's brunel_delta_nest",
                       description="Brunel (2000) model A: N_E = 4 order, N_I = order LIF "
                                   "neurons, delta synapses J = 0.1 mV and -gJ, delay 1.5 ms, "
                                   "in-degree 10 %, Poisson drive at eta * nu_thr.")
    b.add_argument("--order", type=int, default=2500, metavar="N",
                   help="N_E = 4 N, N_I = N neurons (default %(default)s: 12 500 neurons)")
    b.add_argument("--g", type=float, default=5.0,
                   help="relative inhibition: inhibitory weight -g J (default %(default)s)")
    b.add_argument("--eta", type=float, default=2.0,
                   help="external Poisson rate in units of nu_thr (default %(default)s)")
    _common(b)
    b.set_defaults(run=run_brunel)
    c = sub.add_parser("coba", help="Vogels & Abbott (2005) COBA network (Brette et al. 2007)",
                       description="Vogels & Abbott (2005) conductance-based E/I network, "
                                   "benchmark 1 of Brette et al. (2007): 4000 LIF neurons, "
                                   "p = 0.02, 6 nS / 67 nS synapses.")
    c.add_argument("--n", type=int, default=4000,
                   help="neurons, 80 %% excitatory (default %(default)s)")
    c.add_argument("--p", type=float, default=0.02,
                   help="connection probability per pair (default %(default)s)")
    _common(c)
    c.set_defaults(run=run_coba)


def _common(p) -> None:
    p.add_argument("--duration", default="1000ms", metavar="TIME",
                   help="measured time after the warm-up, with a unit (1000ms, 1s); the "
                        f"Fano factor needs >= {2 * FANO_BIN_MS:g} ms (default %(default)s)")
    p.add_argument("--warmup", default="200ms", metavar="TIME",
                   help="time with a unit simulated first, excluded from the statistics "
                        "(default %(default)s)")
    p.add_argument("--seed", type=int, default=1,
                   help="seed of connectivity, initial values and inputs (default %(default)s)")
    p.add_argument("--engine", choices=("brian2", "nest"), default="brian2",
                   help="simulator (default %(default)s)")
    p.add_argument("--threads", type=int, default=1, metavar="K",
                   help="OpenMP threads: NEST, or Brian2 with --standalone "
                        "(default %(default)s)")
    p.add_argument("--standalone", action="store_true",
                   help="Brian2 C++ standalone mode, compiled per run (default: off, runtime "
                        "mode)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (default: off, text)")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help="write a raster + population-rate figure (.png, .pdf, .svg) "
                        "(default: none)")


def _times(args):
    from brian2 import second

    from neurosim.neuron.units import parse_quantity

    duration = parse_quantity(args.duration, second, "--duration")
    warmup = parse_quantity(args.warmup, second, "--warmup")
    require_positive(float(duration), f"--duration {args.duration!r}")
    require_nonnegative(float(warmup), f"--warmup {args.warmup!r}")
    require_at_least(args.seed, 0, f"--seed {args.seed}")
    require_at_least(args.threads, 1, f"--threads {args.threads}")
    if args.engine == "brian2" and args.threads > 1 and not args.standalone:
        raise ValueError(f"--threads {args.threads}: Brian2 runs threads only with --standalone")
    if args.plot is not None:
        from neurosim.neuron.cli_plots import check_plot_path

        check_plot_path(args.plot)
    return duration, warmup


def _run(args, network, extra: dict, title: str) -> int:
    from .analysis import FANO_BIN_MS, SYNCHRONY_BIN_MS, summary
    from .simulate import simulate

    duration, warmup = _times(args)
    try:
        res = simulate(network, duration, engine=args.engine, warmup=warmup,
                       threads=args.threads, standalone=args.standalone)
    except ImportError as e:
        print(f"neurosim network: error: {str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    pops = {p: summary(res, p) for p in res.spikes}
    e, i = pops["E"], pops["I"]
    out = {"model": args.network_model, **extra,
           "rate_exc_hz": e["rate_hz"], "rate_inh_hz": i["rate_hz"],
           "cv_isi_mean": e["cv_isi_mean"], "fano": e["fano"], "synchrony": e["synchrony"],
           "fano_bin_ms": FANO_BIN_MS, "synchrony_bin_ms": SYNCHRONY_BIN_MS,
           "populations": pops, "engine": res.engine, "engine_detail": res.detail,
           "n_neurons": network.n_neurons, "n_synapses": res.n_synapses,
           "duration_ms": res.duration_ms, "warmup_ms": res.t_start_ms, "seed": network.seed,
           "dt_ms": res.dt_ms, "wall_s": res.wall_s, "build_s": res.build_s,
           "run_s": res.run_s}
    out = _rounded(out)
    if args.plot is not None:
        from .cli_plots import plot_raster

        plot_raster(res, args.plot, title=title)
    if args.json:
        print(json.dumps(out))
        if args.plot is not None:
            print(f"plot: {args.plot}", file=sys.stderr)
        return 0
    print(f"{title}: {out['n_neurons']} neurons, {out['n_synapses']} synapses, "
          f"{res.engine} ({res.detail})")
    for p, s in out["populations"].items():
        print(f"  {p}: rate {s['rate_hz']} Hz, CV(ISI) {_cv_text(s['cv_isi_mean'])}, "
              f"Fano {_binned_text(s['fano'], FANO_BIN_MS, out['duration_ms'])}, synchrony "
              f"chi {_binned_text(s['synchrony'], SYNCHRONY_BIN_MS, out['duration_ms'])}")
    if "theory_rate_hz" in out:
        print(f"  Siegert mean-field rate {out['theory_rate_hz']} Hz, CV {out['theory_cv']}")
    print(f"  {out['duration_ms']:g} ms after {out['warmup_ms']:g} ms warm-up; wall "
          f"{out['wall_s']} s (build {out['build_s']} s, run {out['run_s']} s)")
    if args.plot is not None:
        print(f"  plot: {args.plot}")
    return 0


def _cv_text(cv) -> str:
    """The ISI CV, or why there is none (JSON keeps null)."""
    return f"{cv}" if cv is not None else "n/a (no neuron with >= 3 spikes)"


def _binned_text(value, bin_ms: float, duration_ms: float) -> str:
    """A statistic over ``bin_ms`` bins, or why there is none (JSON keeps null)."""
    if value is not None:
        return f"{value} ({bin_ms:g} ms bins)"
    if duration_ms < 2 * bin_ms:
        return (f"n/a (needs >= 2 bins of {bin_ms:g} ms; use a longer --duration, >= "
                f"{2 * bin_ms:g}ms)")
    return f"n/a (no spikes in {bin_ms:g} ms bins)"


def _rounded(x):
    """Floats to 4 significant digits (seconds to 0.01 s), NaN to None, recursively."""
    if isinstance(x, dict):
        return {k: (round(v, 2) if k.endswith("_s") and isinstance(v, float) else _rounded(v))
                for k, v in x.items()}
    return rounded(x, 4, nonfinite_to_none=True)


def run_brunel(args) -> int:
    """``neurosim network brunel``."""
    from .models import brunel, brunel_sizes
    from .theory import brunel_stationary

    require_finite_number(args.g, f"--g {args.g}", ">=")
    require_finite_number(args.eta, f"--eta {args.eta}", ">")
    sizes = brunel_sizes(args.order)
    _times(args)
    net = brunel(args.order, args.g, args.eta, seed=args.seed)
    th = brunel_stationary(args.g, args.eta, C_E=sizes["C_E"])
    extra = {"order": args.order, "g": args.g, "eta": args.eta,
             "theory_rate_hz": th.rate_hz, "theory_cv": th.cv}
    return _run(args, net, extra, f"Brunel model A, order {args.order}, g {args.g:g}, "
                                  f"eta {args.eta:g}")


def run_coba(args) -> int:
    """``neurosim network coba``."""
    from .models import coba

    if not (math.isfinite(args.p) and 0 <= args.p <= 1):
        raise ValueError(f"--p {args.p}: probability must be in [0, 1]")
    _times(args)
    net = coba(args.n, p=args.p, seed=args.seed)
    return _run(args, net, {"n": args.n, "p": args.p}, f"COBA (Vogels & Abbott 2005), "
                                                       f"{args.n} neurons, p {args.p:g}")
