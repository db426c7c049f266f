"""``ann.blas``: setting OpenBLAS threads round-trips and restores; bad values are refused."""

import pytest

from ann.blas import blas_threads, get_blas_threads, set_blas_threads


def test_blas_threads_context_restores():
    before = get_blas_threads()
    if before is None:
        pytest.skip("this NumPy is not linked against a discoverable OpenBLAS")
    with blas_threads(1):
        assert get_blas_threads() == 1
    assert get_blas_threads() == before


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_bad_thread_counts(bad):
    with pytest.raises(ValueError, match="threads must be a positive int"):
        set_blas_threads(bad)
