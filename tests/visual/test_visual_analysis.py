"""Tuning measures against closed-form values, and image validation/loading."""

import numpy as np
import pytest

from neurosim.visual.analysis import (circular_variance, f1_f0, fit_naka_rushton, half_width,
                                     naka_rushton, suppression_index)
from neurosim.visual.images import check_images, load_image_file, load_mnist_test_image


def test_circular_variance_closed_forms():
    th = np.arange(16) * 180 / 16
    assert circular_variance(th, np.ones(16)) == pytest.approx(1)
    assert circular_variance(th, np.eye(16)[3]) == pytest.approx(0)
    # r = 1 + cos(2 theta): |sum r e^{2i theta}| / sum r = (N/2) / N
    assert circular_variance(th, 1 + np.cos(np.deg2rad(2 * th))) == pytest.approx(0.5)


def test_half_width_of_a_triangle_and_von_mises():
    th = np.arange(180) * 1.0
    tri = np.maximum(0, 1 - np.minimum(np.abs(th - 90), 180 - np.abs(th - 90)) / 40)
    assert half_width(th, tri) == pytest.approx(20, abs=0.01)
    kappa = 4.0
    vm = np.exp(kappa * (np.cos(np.deg2rad(2 * (th - 30))) - 1))
    # exp(k (cos 2x - 1)) - min = half of (1 - min) at cos 2x = 1 + ln((1 + e^{-2k}) / 2) / k
    x = np.rad2deg(np.arccos(1 + np.log((1 + np.exp(-2 * kappa)) / 2) / kappa)) / 2
    assert half_width(th, vm) == pytest.approx(x, abs=0.05)


def test_f1_f0_of_sinusoids():
    dt, tf = 0.001, 5.0
    t = np.arange(400) * dt            # two cycles
    s = np.sin(2 * np.pi * tf * t)
    assert f1_f0(1 + 0.5 * s, dt, tf) == pytest.approx(0.5, abs=1e-9)
    # half-wave rectified sinusoid: F0 = A/pi, F1 = A/2
    assert f1_f0(np.maximum(s, 0), dt, tf) == pytest.approx(np.pi / 2, rel=1e-3)
    assert f1_f0(np.ones(400), dt, tf) == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValueError, match="shorter than one cycle"):
        f1_f0(np.ones(50), dt, tf)


def test_suppression_index_and_naka_rushton_recovery():
    assert suppression_index([1, 4, 3, 2]) == pytest.approx(0.5)
    c = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0])
    r = naka_rushton(c, 40, 0.15, 2.2, 3)
    fit = fit_naka_rushton(c, r)
    assert fit["c50"] == pytest.approx(0.15, rel=1e-3) and fit["n"] == pytest.approx(2.2, rel=1e-3)
    assert fit["r_max"] == pytest.approx(40, rel=1e-3) and fit["r2"] > 0.9999


@pytest.mark.parametrize("bad, exc, needle", [
    (np.zeros((2, 3, 4, 5)), ValueError, "is not (H, W) or (N, H, W)"),
    (np.zeros((0, 28, 28)), ValueError, "empty"),
    (np.full((8, 8), np.nan), ValueError, "NaN"),
    (np.full((8, 8), -1.0), ValueError, "negative"),
    (np.zeros((2, 2)), ValueError, "smaller than"),
    (np.array([["a"] * 8] * 8), TypeError, "not numeric"),
])
def test_check_images_rejects_bad_input(bad, exc, needle):
    with pytest.raises(exc, match=None) as e:
        check_images(bad)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_check_images_scales_uint8():
    out = check_images(np.full((5, 6), 255, np.uint8))
    assert out.shape == (1, 5, 6) and out.dtype == np.float32 and out.max() == 1


def test_load_png_and_reject_non_images(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rgb = np.zeros((12, 10, 3))
    rgb[..., 1] = 1.0                  # pure green
    plt.imsave(tmp_path / "g.png", rgb)
    img = load_image_file(tmp_path / "g.png")
    assert img.shape == (12, 10)
    np.testing.assert_allclose(img, 0.7152, atol=1e-3)
    (tmp_path / "x.png").write_text("not an image")
    with pytest.raises(ValueError, match="not a readable image"):
        load_image_file(tmp_path / "x.png")
    with pytest.raises(ValueError, match="no such image file"):
        load_image_file(tmp_path / "missing.png")


def test_mnist_reader_agrees_with_ann_loader_and_verifies(mnist, tmp_path):
    img = load_mnist_test_image(7)
    np.testing.assert_array_equal(np.round(img * 255).astype(np.uint8), mnist.x_test[7])
    with pytest.raises(ValueError, match="mnist:10000"):
        load_mnist_test_image(10000)
    fake = tmp_path / "t10k-images-idx3-ubyte"
    fake.write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 20)
    with pytest.raises(OSError, match="SHA-256"):
        load_mnist_test_image(0, fake)
