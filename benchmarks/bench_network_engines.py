"""NEST against Brian2 on the same network, in one run: wall-time ratio, 1 vs 2 threads, and
Brunel at order 2500 (12 500 neurons; 1 250 synapses each, 15.6 M): wall time and peak memory.

Every case runs in its own fresh Python process (so each peak RSS is that case's alone, read
from ``getrusage(...).ru_maxrss``: the process's, or the compiled binary's for Brian2 standalone,
whichever is larger) on the same description
(:func:`neurosim.network.models.brunel`, the identical seeded graph on both engines):

    brian2 runtime (Cython; 1 thread: runtime mode has no threads)
    brian2 cpp_standalone, 1 and 2 OpenMP threads (compilation included in its run time)
    nest, 1 and 2 threads (local_num_threads)

Times: ``build`` (description → engine objects, connectivity included) and ``run`` (simulate
warm-up + duration), wall-clock seconds, and ``cpu`` (user + system seconds of the case, all
threads: on a shared, loaded machine the steadier measure of work; wall time is what threads
shorten). Compare the ratios of one run.

    .venv/bin/python benchmarks/bench_network_engines.py                       # order 500
    .venv/bin/python benchmarks/bench_network_engines.py --order 2500 --cases nest1,nest2
    .venv/bin/python benchmarks/bench_network_engines.py --json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CASES = {"brian2": ("brian2", 1, False), "brian2-sa1": ("brian2", 1, True),
         "brian2-sa2": ("brian2", 2, True), "nest1": ("nest", 1, False),
         "nest2": ("nest", 2, False)}


def one_case(engine: str, threads: int, standalone: bool, order: int, duration_ms: float,
             seed: int) -> dict:
    """Run one case in this process; return its numbers (called in the child)."""
    import resource

    from brian2 import ms

    from neurosim.network.analysis import cv_isi, mean_rate
    from neurosim.network.models import brunel
    from neurosim.network.simulate import simulate

    def cpu():  # user + system seconds of this process (all threads) and its children
        return sum(getattr(resource.getrusage(who), f) for who in (
            resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))

    t0, c0 = time.perf_counter(), cpu()
    net = brunel(order, 5.0, 2.0, seed=seed)
    r = simulate(net, duration_ms * ms, warmup=100 * ms, engine=engine, threads=threads,
                 standalone=standalone)
    wall, cpu_s = time.perf_counter() - t0, cpu() - c0
    return {"engine": engine, "threads": threads, "standalone": standalone, "order": order,
            "n_neurons": net.n_neurons, "n_synapses": r.n_synapses, "build_s": r.build_s,
            "run_s": r.run_s, "wall_s": wall, "cpu_s": cpu_s, "detail": r.detail,
            "rate_exc_hz": mean_rate(r, "E"), "cv_isi": cv_isi(r, "E"),
            "peak_rss_mb": max(resource.getrusage(who).ru_maxrss for who in (
                resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024}  # standalone: child


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--order", type=int, default=500)
    p.add_argument("--duration", type=float, default=1000.0, help="ms after 100 ms warm-up")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cases", default=",".join(CASES), help=",".join(CASES))
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        engine, threads, standalone = CASES[args.child]
        print(json.dumps(one_case(engine, threads, standalone, args.order, args.duration,
                                  args.seed)))
        return 0
    rows = []
    for case in args.cases.split(","):
        if case not in CASES:
            p.error(f"unknown case {case!r}; choose from {', '.join(CASES)}")
        out = subprocess.run([sys.executable, __file__, "--child", case, "--order",
                              str(args.order), "--duration", str(args.duration), "--seed",
                              str(args.seed)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{case}: failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        rows.append(dict(json.loads(out.stdout.strip().splitlines()[-1]), case=case))
        if not args.json:
            r = rows[-1]
            print(f"{case:11s} {r['detail']:28s} build {r['build_s']:7.2f} s  run "
                  f"{r['run_s']:7.2f} s  wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:7.2f} s  peak {r['peak_rss_mb']:7.0f}"
                  f" MB  rate_E {r['rate_exc_hz']:6.2f} Hz  CV {r['cv_isi']:.3f}", flush=True)
    by = {r["case"]: r for r in rows}
    ratios = {}
    if "brian2" in by and "nest1" in by:
        ratios["brian2_runtime_over_nest1_wall"] = by["brian2"]["wall_s"] / by["nest1"]["wall_s"]
    if "nest1" in by and "nest2" in by:
        ratios["nest_1_over_2_threads_run"] = by["nest1"]["run_s"] / by["nest2"]["run_s"]
    if "brian2-sa1" in by and "brian2-sa2" in by:
        ratios["brian2_standalone_1_over_2_threads_run"] = (by["brian2-sa1"]["run_s"]
                                                            / by["brian2-sa2"]["run_s"])
    if args.json:
        print(json.dumps({"cases": rows, "ratios": ratios}))
    else:
        for k, v in ratios.items():
            print(f"{k}: {v:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
