"""The bridge's shared argument checks (bridge.checks): one-line messages, value returned."""

import numpy as np
import pytest

from bridge.checks import one_of, positive_int, positive_number


def test_positive_int_returns_the_value_and_names_it_when_refused():
    assert positive_int(3, "T") == 3
    assert positive_int(np.int64(2), "T") == 2
    for bad in (0, -1, 1.0, True, "3"):
        with pytest.raises(ValueError, match=r"^T must be a positive int, got "):
            positive_int(bad, "T")
    with pytest.raises(ValueError, match=r"^n_test must be a positive int, got "):
        positive_int(np.int64(2), "n_test", numpy_ints=False)


def test_positive_number_refuses_zero_inf_nan_bool_and_text():
    assert positive_number(0.5, "dt") == 0.5
    assert positive_number(np.float32(2), "dt") == 2
    for bad in (0, -1.0, float("inf"), float("nan"), True, "1"):
        with pytest.raises(ValueError, match=r"^--dt must be a positive number, got "):
            positive_number(bad, "--dt")


def test_one_of_lists_the_known_names():
    assert one_of("reset", "zero", ("subtract", "zero")) == "zero"
    with pytest.raises(ValueError, match=r"^unknown reset 'sub'; known: subtract, zero$"):
        one_of("reset", "sub", ("subtract", "zero"))
