"""The Keras twin's data: MNIST split as the NumPy backend splits it, and the ``tf.data``
pipelines :func:`ann.keras_train.train_keras` trains on (shuffled with the config's seed,
randomly translated with ``shift``, one-hot labels with label smoothing)."""

from __future__ import annotations

import numpy as np

from .config import TrainConfig
from .training import check_labelled, hold_out, prepare_images

__all__ = ["N_CLASSES", "split", "datasets", "one_hot", "shifted"]

#: MNIST's classes (the labels are checked against it in :func:`split`)
N_CLASSES = 10


def shifted(tf, ds, shift: int, seed: int):
    """``ds``'s images each moved by up to ``shift`` pixels (:mod:`ann.augment`): a stateless
    random crop of the image padded by ``shift``, its seed drawn from a seeded stream, so that
    a run repeats with op determinism on."""
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

    def move(pair, image_label):
        image, label = image_label
        padded = tf.pad(image, [[shift, shift], [shift, shift], [0, 0]])
        return tf.image.stateless_random_crop(padded, tf.shape(image), pair), label

    return tf.data.Dataset.zip((seeds, ds)).map(move)


def split(config: TrainConfig, mnist):
    """``((x_train, y_train), validation or None, (x_test, y_test))``: images scaled to [0, 1]
    NHWC, labels int64, the last ``validation_split`` of the training images held out."""
    x_train, y_train, x_test, y_test = mnist
    x, y = prepare_images(x_train), np.asarray(y_train).astype(np.int64)
    xt, yt = prepare_images(x_test), np.asarray(y_test).astype(np.int64)
    check_labelled(x, y, N_CLASSES)
    check_labelled(xt, yt, N_CLASSES, name="test data")
    return (*hold_out(x, y, config.validation_split), (xt, yt))


def one_hot(tf, config: TrainConfig, ds):
    """``ds`` of ``(image, label)`` with one-hot labels where label smoothing is on."""
    if not config.label_smoothing:
        return ds
    return ds.map(lambda x, y: (x, tf.one_hot(y, N_CLASSES)))


def datasets(tf, config: TrainConfig, x_tr, y_tr, val):
    """``(train, validation or None)`` ``tf.data`` pipelines: the training set shuffled with
    the config's seed (and shifted, with ``shift``), in mini-batches."""
    train_ds = (tf.data.Dataset.from_tensor_slices((x_tr, y_tr))
                .shuffle(len(x_tr), seed=config.seed, reshuffle_each_iteration=True))
    if config.shift:
        train_ds = shifted(tf, train_ds, config.shift, config.seed)
    train_ds = one_hot(tf, config, train_ds).batch(config.batch_size).prefetch(tf.data.AUTOTUNE)
    val_ds = None if val is None else \
        one_hot(tf, config, tf.data.Dataset.from_tensor_slices(val)).batch(1000)
    return train_ds, val_ds
