"""Graph architectures built as :class:`~ann.spec.ModelSpec` (the chains of the lecture are in
:mod:`ann.spec`).

:func:`resnet_spec` is a small residual network for 28×28 MNIST after He et al. (2016), "Deep
residual learning for image recognition" (CVPR), the CIFAR variant of its section 4.2: a 3×3
stem, stages of *basic blocks* and global average pooling. A basic block computes

    y = relu(BN(conv3×3(relu(BN(conv3×3(x))))) + shortcut(x)),

with ``shortcut(x) = x`` (identity) when the shape is kept, and ``BN(conv1×1/stride 2 (x))``
(a projection, the paper's option B) where a stage halves the image and changes the channels.
Convolutions before a BatchNorm have no bias (BN's ``β`` takes its place).
"""

from __future__ import annotations

from .checks import positive_int
from .spec import LayerSpec, ModelSpec

__all__ = ["resnet_spec"]


def _conv_bn(prefix: str, filters: int, k: int, stride: int, inputs=None) -> list[LayerSpec]:
    """``Conv2D`` (no bias, ``same`` for 3×3, ``valid`` for 1×1) then ``BatchNorm``."""
    pad = "same" if k > 1 else "valid"
    return [LayerSpec("Conv2D", {"filters": filters, "kernel_size": k, "strides": stride,
                                 "padding": pad, "use_bias": False},
                      name=f"{prefix}_conv", inputs=inputs),
            LayerSpec("BatchNorm", name=f"{prefix}_bn")]


def resnet_spec(blocks: int = 2, channels=(16, 32, 64), n_out: int = 10,
                input_shape=(28, 28, 1)) -> ModelSpec:
    """A ResNet (module docstring): stem conv 3×3 ``channels[0]`` + BN + ReLU; then one stage
    per entry of ``channels``, each ``blocks`` basic blocks, the first block of every stage but
    the first with stride 2 (28×28 → 14×14 → 7×7 by default); global average pooling; Dense
    ``n_out`` softmax.

    Layer names: ``stem``, then ``s{i}b{j}_…`` for stage ``i`` block ``j`` (``_a``/``_b`` the
    two convolutions, ``_proj`` the projection shortcut, ``_add``, ``_out`` the block's ReLU),
    ``gap`` and ``logits``. With the defaults: 174 970 trainable parameters.

    Raises
    ------
    ValueError
        ``blocks`` not a positive int, ``channels`` not a non-empty sequence of positive ints,
        or an input too small for the strides.
    """
    positive_int(blocks, "blocks")
    if not isinstance(channels, (tuple, list)) or not channels or not all(
            isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in channels):
        raise ValueError(f"channels must be a non-empty sequence of positive ints, "
                         f"got {channels!r}")
    relu = {"activation": "relu"}
    layers = _conv_bn("stem", channels[0], 3, 1) + [LayerSpec("Activation", relu, name="stem")]
    x, c_in = "stem", channels[0]
    for i, c in enumerate(channels):
        for j in range(blocks):
            p, stride = f"s{i}b{j}", 2 if i > 0 and j == 0 else 1
            layers += _conv_bn(f"{p}_a", c, 3, stride, inputs=(x,))
            layers += [LayerSpec("Activation", relu, name=f"{p}_a_relu")]
            layers += _conv_bn(f"{p}_b", c, 3, 1)
            shortcut = x
            if stride != 1 or c != c_in:
                layers += _conv_bn(f"{p}_proj", c, 1, stride, inputs=(x,))
                shortcut = f"{p}_proj_bn"
            layers += [LayerSpec("Add", inputs=(f"{p}_b_bn", shortcut), name=f"{p}_add"),
                       LayerSpec("Activation", relu, name=f"{p}_out")]
            x, c_in = f"{p}_out", c
    layers += [LayerSpec("GlobalAveragePooling2D", name="gap"),
               LayerSpec("Dense", {"units": n_out, "activation": "softmax"}, name="logits")]
    return ModelSpec(tuple(input_shape), tuple(layers), name="resnet")
