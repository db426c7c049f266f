"""The package's validator module, :mod:`neurosim.checks`: one-line messages and old import paths."""

import math

import pytest

from neurosim import checks


def test_the_number_checks_raise_one_line_naming_the_value():
    with pytest.raises(ValueError, match=r"^current nan: must be finite$"):
        checks.require_finite(math.nan, "current nan")
    with pytest.raises(ValueError, match=r"^--duration '0ms': must be positive$"):
        checks.require_positive(0.0, "--duration '0ms'")
    with pytest.raises(ValueError, match=r"^bin_ms=nan: must be positive$"):
        checks.require_positive(math.nan, "bin_ms=nan")
    with pytest.raises(ValueError, match=r"^STDP tau_plus=inf: must be positive and finite$"):
        checks.require_positive_finite(math.inf, "STDP tau_plus=inf")
    with pytest.raises(ValueError, match=r"^--g -1.0: must be a finite number >= 0$"):
        checks.require_finite_number(-1.0, "--g -1.0", ">=")
    with pytest.raises(ValueError, match=r"^--eta 0.0: must be a finite number > 0$"):
        checks.require_finite_number(0.0, "--eta 0.0", ">")
    with pytest.raises(ValueError, match=r"^engine 'x': unknown; choose from brian2, nest$"):
        checks.require_choice("x", ("brian2", "nest"), "engine 'x'")
    with pytest.raises(ValueError, match=r"^--seed -1: must be >= 0$"):
        checks.require_at_least(-1, 0, "--seed -1")
    with pytest.raises(ValueError, match=r"^--warmup '-1ms': must not be negative$"):
        checks.require_nonnegative(-1e-3, "--warmup '-1ms'")
    checks.require_finite(1.0, "x")
    checks.require_at_least(1, 1, "x")
    checks.require_nonnegative(0.0, "x")
    checks.require_positive(1e-300, "x")
    checks.require_finite_number(0.0, "x", ">=")
    checks.require_choice("nest", ("brian2", "nest"), "engine")


def test_the_old_import_paths_give_the_same_functions():
    from neurosim import codegen
    from neurosim.network import checks as network_checks

    assert codegen.check_finite is checks.check_finite
    assert codegen.check_dt is checks.check_dt
    assert codegen.diverged is checks.diverged
    for name in ("check_quantity", "check_name", "check_int", "show"):
        assert getattr(network_checks, name) is getattr(checks, name)
