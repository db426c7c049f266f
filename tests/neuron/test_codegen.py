"""neurosim.codegen: target selection, numpy fallback with a warning, cache outside the
working directory, concurrent builds of one module by two processes (Brian2's per-module
file lock, see brian2/codegen/runtime/cython_rt/extension_manager.py)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from neurosim.codegen import cache_dir, select_target


def test_bad_target_is_one_line_value_error():
    with pytest.raises(ValueError, match="'fortran'"):
        select_target("fortran")


def test_cache_dir_follows_env_and_is_versioned(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROSIM_BRIAN2_CACHE", str(tmp_path))
    d = cache_dir()
    assert d.parent == tmp_path.resolve()
    assert "brian2-2.9" in d.name and f"py{sys.version_info.major}." in d.name
    monkeypatch.delenv("NEUROSIM_BRIAN2_CACHE")
    cwd = Path.cwd().resolve()
    assert cwd != cache_dir() and cwd not in cache_dir().resolve().parents


def test_broken_compiler_falls_back_to_numpy_with_warning(tmp_path):
    code = ("import warnings\nimport brian2  # routes warnings into its logger on import\n"
            "from neurosim.codegen import select_target\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    t = select_target()\n"
            "print('TARGET', t, any(issubclass(x.category, RuntimeWarning) and 'numpy' in "
            "str(x.message) for x in w))\n")
    env = {**os.environ, "CC": "/nonexistent/cc", "CXX": "/nonexistent/c++",
           "NEUROSIM_BRIAN2_CACHE": str(tmp_path)}
    env.pop("NEUROSIM_CODEGEN", None)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=120)
    assert "TARGET numpy True" in p.stdout, p.stderr[-2000:]


def test_forced_numpy_target(monkeypatch):
    monkeypatch.setenv("NEUROSIM_CODEGEN", "numpy")
    from brian2 import prefs
    old = prefs.codegen.target
    try:
        assert select_target() == "numpy"
        assert prefs.codegen.target == "numpy"
    finally:
        prefs.codegen.target = old


@pytest.mark.slow
def test_two_processes_building_the_same_module_both_succeed(tmp_path):
    """Two fresh processes compile the same (new) code into one empty cache at once."""
    script = textwrap.dedent("""
        import sys
        from neurosim.codegen import select_target
        assert select_target() == "cython", "no compiler"
        from brian2 import NeuronGroup, Network, ms
        g = NeuronGroup(3, "dv/dt = (1.25 - v)/(7.5*ms) : 1", method="exact",
                        name="cachetest")
        net = Network(g)
        net.run(5 * ms)
        print("OK", round(float(g.v[0]), 6), 5.0)
    """)
    env = {**os.environ, "NEUROSIM_BRIAN2_CACHE": str(tmp_path)}
    env.pop("NEUROSIM_CODEGEN", None)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
    values = [out.split("OK")[1].split() for out, _ in outs]
    assert values[0] == values[1]
    # v(t) = 1.25 (1 - exp(-t/7.5 ms)) for this linear ODE started at 0 (below threshold)
    import math
    v, t = map(float, values[0])
    assert v == pytest.approx(1.25 * (1 - math.exp(-t / 7.5)), abs=1e-6)
