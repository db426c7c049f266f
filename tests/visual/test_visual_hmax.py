"""HMAX higher stages: template matching and MAX pooling against brute-force loops."""

import numpy as np
import pytest

from neurosim.visual import stimuli as st
from neurosim.visual.hmax import HMAX, c1_layer, max_pool, s_layer
from neurosim.visual.pathway import RatePath


def test_max_pool_matches_loops():
    rng = np.random.default_rng(0)
    x = rng.random((2, 3, 9, 8))
    for pool, stride in [(2, 2), (3, 2), (4, 2), (3, 3)]:
        out = max_pool(x, pool, stride)
        lo = -((pool - 1) // 2)
        for i, y0 in enumerate(range(0, 9, stride)):
            for j, x0 in enumerate(range(0, 8, stride)):
                ys = np.clip(np.arange(y0 + lo, y0 + lo + pool), 0, 8)
                xs = np.clip(np.arange(x0 + lo, x0 + lo + pool), 0, 7)
                ref = x[..., ys[:, None], xs[None, :]].max(axis=(-1, -2))
                np.testing.assert_array_equal(out[..., i, j], ref)


def test_s_layer_matches_loops_and_peaks_on_its_template():
    rng = np.random.default_rng(1)
    x = rng.random((2, 4, 7, 6))
    T = rng.random((3, 4, 3, 3))
    out = s_layer(x, T, sigma=0.7)
    assert out.shape == (2, 3, 5, 4)
    for n in range(2):
        for k in range(3):
            for y in range(5):
                for xx in range(4):
                    a = x[n, :, y:y + 3, xx:xx + 3]
                    d = np.sum((a / np.linalg.norm(a) - T[k] / np.linalg.norm(T[k])) ** 2)
                    assert out[n, k, y, xx] == pytest.approx(np.exp(-d / (2 * 0.49)), rel=1e-4)
    T2 = x[1:2, :, 2:5, 1:4] * 3.0                  # a scaled copy of a patch
    assert s_layer(x, T2)[1, 0, 2, 1] == pytest.approx(1.0, abs=1e-5)


def test_c3_is_tolerant_to_translation_and_selective_to_shape():
    """Depends on the imprinted templates (``rng``), not on BLAS. |C3(bar) − C3(moved bar)| /
    |C3(bar) − C3(rotated bar)| over seeds 0–19: 0.001–0.257 (mean 0.091; seed 0, used here:
    0.191); asserted < 0.5, twice the largest (a margin of 0.24 against a spread of 0.26 —
    the ratio's spread stays ~0.25 with 2× or 4× as many templates, so it is left as is)."""
    model = RatePath()
    rng = np.random.default_rng(0)
    train = np.stack([st.bar(28, 14, 3, th) for th in (0, 45, 90, 135)]
                     + [st.spot(28, 8), st.annulus(28, 6, 14)])
    c1 = lambda imgs: c1_layer(model.run(imgs, stages=["v1_complex"])["v1_complex"])  # noqa
    h = HMAX(n_s2=24, n_s3=12).fit(c1(train), rng)
    bar0 = st.bar(28, 14, 3, 0)
    moved = st.bar(28, 14, 3, 0, center=(13.5, 9.5))     # 4 px to the left
    other = st.bar(28, 14, 3, 90)
    c3 = h.transform(c1(np.stack([bar0, moved, other])))["c3"]
    same = np.linalg.norm(c3[0] - c3[1])
    diff = np.linalg.norm(c3[0] - c3[2])
    assert c3.shape == (3, 12)
    assert same < 0.5 * diff


def test_transform_before_fit_is_an_error():
    with pytest.raises(ValueError, match="fit"):
        HMAX().transform(np.zeros((1, 8, 14, 14)))
