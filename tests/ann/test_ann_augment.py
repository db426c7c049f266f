"""Random translation (``ann.augment``, ``--shift``): every augmented image is its original moved
by at most ``shift`` pixels with zeros moved in, every offset occurs, a resumed run trains on the
same batches, and the Keras backend draws from the same set of translations."""

import numpy as np
import pytest

from ann.augment import random_shift, shift_generator
from ann.network import Network
from ann.optimizers import Adam
from ann.spec import LayerSpec, ModelSpec
from ann.training import fit


def translated(x, dy, dx):
    """``x (H, W, C)`` moved by ``(dy, dx)``, zeros moved in (the definition, written plainly)."""
    out = np.zeros_like(x)
    h, w = x.shape[:2]
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[i, j] = x[i - dy, j - dx]
    return out


def offset_of(orig, moved, shift):
    """The ``(dy, dx)`` that turns ``orig`` into ``moved``, or ``None``."""
    hits = [(dy, dx) for dy in range(-shift, shift + 1) for dx in range(-shift, shift + 1)
            if np.array_equal(translated(orig, dy, dx), moved)]
    return hits[0] if len(hits) == 1 else None


@pytest.fixture(scope="module")
def images():
    # positive everywhere, so that every translation is distinguishable
    return np.random.default_rng(0).uniform(0.1, 1, (300, 7, 6, 2)).astype(np.float32)


def test_each_image_is_translated_within_the_range_and_every_offset_occurs(images):
    out = random_shift(images, 2, np.random.default_rng(1))
    assert out.shape == images.shape and out.dtype == images.dtype
    offsets = [offset_of(a, b, 2) for a, b in zip(images, out)]
    assert None not in offsets
    assert set(offsets) == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}


def test_shift_zero_is_the_identity_and_bad_values_are_refused(images):
    assert random_shift(images, 0, np.random.default_rng(0)) is images
    for bad in (-1, 6, 1.5, True):
        with pytest.raises(ValueError, match="shift must be an int in"):
            random_shift(images, bad, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"needs images \(N, H, W, C\)"):
        random_shift(images[0], 1, np.random.default_rng(0))


def test_a_resumed_run_trains_on_the_same_shifted_batches(tmp_path, images):
    spec = ModelSpec((7, 6, 2), (LayerSpec("Flatten"),
                                 LayerSpec("Dense", {"units": 3, "activation": "softmax"})))
    y = np.arange(len(images)) % 3

    def augment(xb, epoch, step):
        return random_shift(xb, 1, shift_generator(5, epoch, step))

    def run(**kw):
        net = Network.from_spec(spec, np.random.default_rng(0))
        fit(net, images, y, Adam(0.01), epochs=2, batch_size=32, rng=np.random.default_rng(1),
            augment=augment, **kw)
        return net.get_weights()

    reference = run()

    def stop(ev):
        if ev["kind"] == "batch" and ev["epoch"] == 2 and ev["step"] == 7:
            raise KeyboardInterrupt

    ckpt = tmp_path / "c.npz"
    with pytest.raises(KeyboardInterrupt):
        run(checkpoint=ckpt, checkpoint_every=5, progress=stop)
    resumed = run(checkpoint=ckpt, checkpoint_every=5)
    for a, b in zip(reference, resumed):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    net = Network.from_spec(spec, np.random.default_rng(0))   # the shifts did change training
    fit(net, images, y, Adam(0.01), epochs=2, batch_size=32, rng=np.random.default_rng(1))
    assert not np.array_equal(net.get_weights()[1]["W"], reference[1]["W"])


def test_keras_backend_draws_from_the_same_translations(images):
    import tensorflow as tf

    from ann.keras_data import shifted

    ds = shifted(tf, tf.data.Dataset.from_tensor_slices((images, np.arange(len(images)))), 2, 3)
    moved = {int(label): image.numpy() for image, label in ds}
    offsets = [offset_of(images[k], moved[k], 2) for k in range(len(images))]
    assert None not in offsets
    assert len(set(offsets)) == 25
