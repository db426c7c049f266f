"""A functional Keras model built and trained the way a Keras user would, for ``neurosim convert``.

Issue #13's user model: every graph layer neurosim converts, in one network written with plain
``keras.layers`` (no neurosim code builds or trains it):

* a stem convolution, each convolution followed by BatchNorm and ReLU;
* a residual block: two 3×3 convolutions and an identity shortcut joined by ``Add``;
* an inception-style merge: a 1×1 convolution branch and a depthwise-separable branch
  (``SeparableConv2D``, depthwise 3×3 then pointwise 1×1) joined by ``Concatenate``;
* a ``DepthwiseConv2D`` with stride 2, a 1×1 convolution, then ``GlobalAveragePooling2D`` and a
  softmax ``Dense``.

It is trained with Keras's own ``fit`` (Adam, a cosine learning-rate decay) on the 60 000 MNIST
training images and saved as ``.keras``; the script prints Keras's accuracy on the 10 000 test
images, the number ``neurosim convert`` must reproduce (issue #13: to ±0.05 points). Measured
here (seed 0, 6 epochs, 244 s): Keras 99.09 %, the imported ANN 99.09 %, the SNN 98.70 % at
T = 64 (the README's bridge section).

Usage::

    .venv/bin/python benchmarks/keras_graph_model.py --out /tmp/graph.keras   # ~4 min, 2 cores
    .venv/bin/neurosim convert /tmp/graph.keras -T 64
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build(keras, width: int = 16):
    """The functional model (module docstring); ``width`` channels in the first stage."""
    L = keras.layers

    def conv_bn_relu(x, filters, kernel, strides=1, name=""):
        x = L.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False,
                     name=f"{name}_conv")(x)
        x = L.BatchNormalization(name=f"{name}_bn")(x)
        return L.ReLU(name=f"{name}_relu")(x)

    inputs = keras.Input((28, 28, 1), name="image")
    x = conv_bn_relu(inputs, width, 3, name="stem")
    # residual block with an identity shortcut
    y = conv_bn_relu(x, width, 3, name="res_a")
    y = L.Conv2D(width, 3, padding="same", use_bias=False, name="res_b_conv")(y)
    y = L.BatchNormalization(name="res_b_bn")(y)
    x = L.ReLU(name="res_out")(L.Add(name="res_add")([x, y]))
    x = L.AveragePooling2D(2, name="pool")(x)                           # 14×14
    # inception-style merge of a 1×1 branch and a depthwise-separable branch
    a = conv_bn_relu(x, width, 1, name="branch_1x1")
    b = L.SeparableConv2D(2 * width, 3, padding="same", use_bias=False, name="branch_sep")(x)
    b = L.ReLU(name="branch_sep_relu")(L.BatchNormalization(name="branch_sep_bn")(b))
    x = L.Concatenate(name="merge")([a, b])                             # 3·width channels
    x = L.DepthwiseConv2D(3, strides=2, padding="same", use_bias=False, name="down_dw")(x)
    x = L.ReLU(name="down_dw_relu")(L.BatchNormalization(name="down_dw_bn")(x))   # 7×7
    x = conv_bn_relu(x, 4 * width, 1, name="down_pw")
    x = L.GlobalAveragePooling2D(name="gap")(x)
    outputs = L.Dense(10, activation="softmax", name="logits")(x)
    return keras.Model(inputs, outputs, name="keras_graph")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="where to save the .keras model")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--width", type=int, default=16)
    args = p.parse_args(argv)
    if args.out.suffix != ".keras":
        p.error(f"--out {args.out}: must end in .keras")

    import keras
    import numpy as np

    from ann.data import load_mnist
    from ann.training import prepare_images

    keras.utils.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = load_mnist()
    x_train, x_test = prepare_images(x_train), prepare_images(x_test)
    model = build(keras, args.width)
    steps = args.epochs * -(-len(x_train) // args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, steps)
    model.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    t0 = time.perf_counter()
    model.fit(x_train, np.asarray(y_train), epochs=args.epochs, batch_size=args.batch_size,
              verbose=2)
    seconds = time.perf_counter() - t0
    _, accuracy = model.evaluate(x_test, np.asarray(y_test), batch_size=500, verbose=0)
    model.save(args.out)
    print(f"{model.name}: {model.count_params()} parameters, Keras test accuracy "
          f"{100 * accuracy:.2f} % after {args.epochs} epochs ({seconds:.0f} s); saved to "
          f"{args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
