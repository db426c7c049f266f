"""Images in: validation, image files, and the MNIST test digits — without importing ``ann``.

* :func:`check_images` turns array-like input into float32 luminance of shape ``(N, H, W)``
  and rejects what the pathway cannot use (wrong dimensions, too small, empty, NaN/inf,
  negative values, non-numeric data) with one ``ValueError``/``TypeError`` line.
* :func:`load_image_file` reads PNG (and, through Pillow, other formats) with
  ``matplotlib.image.imread``, or a 2-D ``.npy`` array (``allow_pickle=False``); colour becomes luminance with the Rec. 709 weights
  ``Y = 0.2126 R + 0.7152 G + 0.0722 B`` (alpha ignored).
* :func:`load_mnist_test_image` reads one digit of the MNIST test set from the cached raw IDX
  file ``t10k-images-idx3-ubyte`` in ``$NEUROSIM_DATA`` (else ``~/.cache/neurosim/mnist``),
  the cache that ``neurosim data`` fills. The file's SHA-256 must equal the published digest
  (the same value ``ann/data.py`` checks) and its IDX header must say ``uint8, (10000, 28,
  28)``; anything else is refused. IDX: two zero bytes, type code 0x08, ndim, then ndim
  big-endian uint32 sizes, then the data (LeCun et al., http://yann.lecun.com/exdb/mnist/).
* :func:`load_mnist_test_label` reads the digit's class (0–9) from ``t10k-labels-idx1-ubyte``
  in the same folder, checked the same way (SHA-256, IDX header ``uint8, (10000,)``).
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

import numpy as np

__all__ = ["check_images", "load_image_file", "mnist_test_path", "load_mnist_test_image",
           "load_mnist_test_label", "MNIST_T10K_SHA256", "MNIST_T10K_LABELS_SHA256"]

MNIST_T10K_SHA256 = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
MNIST_T10K_LABELS_SHA256 = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
_MIN_SIDE = 4


def check_images(images, name: str = "image") -> np.ndarray:
    """Validated luminance, float32 of shape ``(N, H, W)`` (a single ``(H, W)`` image gets
    ``N = 1``; ``uint8`` is divided by 255)."""
    a = np.asarray(images)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"{name}: dtype {a.dtype} is not numeric")
    if a.size == 0:
        raise ValueError(f"{name}: empty array of shape {a.shape}")
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3:
        raise ValueError(f"{name}: shape {a.shape} is not (H, W) or (N, H, W)")
    if min(a.shape[1:]) < _MIN_SIDE:
        raise ValueError(f"{name}: shape {a.shape[1:]} is smaller than "
                         f"{_MIN_SIDE}x{_MIN_SIDE} pixels")
    scale = 255.0 if a.dtype == np.uint8 else 1.0
    a = a.astype(np.float32) / np.float32(scale)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    if a.min() < 0:
        raise ValueError(f"{name}: negative luminance {a.min():.3g}")
    return a


def load_image_file(path) -> np.ndarray:
    """Luminance image ``(H, W)`` float32 in [0, 1] from an image file."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such image file")
    if path.suffix.lower() == ".npy":
        try:
            a = np.load(path, allow_pickle=False)
        except Exception as e:  # noqa: BLE001 - any failure means "not a NumPy array file"
            raise ValueError(f"{path}: not a readable .npy array ({type(e).__name__})") from None
        if a.ndim != 2:
            raise ValueError(f"{path}: array of shape {a.shape} is not one (H, W) image")
        return check_images(a, name=str(path))[0]
    import matplotlib.image as mpimg

    try:
        a = np.asarray(mpimg.imread(path))
    except Exception as e:  # noqa: BLE001 - every decoder failure is "not an image"
        raise ValueError(f"{path}: not a readable image ({type(e).__name__})") from None
    if a.dtype == np.uint8:
        a = a / 255.0
    elif np.issubdtype(a.dtype, np.integer):
        a = a / float(np.iinfo(a.dtype).max)
    if a.ndim == 3 and a.shape[2] in (3, 4):
        a = a[..., :3] @ np.array([0.2126, 0.7152, 0.0722])
    elif a.ndim == 3 and a.shape[2] in (1, 2):
        a = a[..., 0]
    return check_images(a, name=str(path))[0]


def mnist_test_path() -> Path:
    """``$NEUROSIM_DATA/t10k-images-idx3-ubyte`` or ``~/.cache/neurosim/mnist/...``."""
    env = os.environ.get("NEUROSIM_DATA")
    root = Path(env).expanduser() if env else Path.home() / ".cache" / "neurosim" / "mnist"
    return root / "t10k-images-idx3-ubyte"


def load_mnist_test_image(index: int, path=None) -> np.ndarray:
    """MNIST test digit ``index`` (0..9999) as float32 ``(28, 28)`` in [0, 1]."""
    path = mnist_test_path() if path is None else Path(path)
    if not path.is_file():
        raise OSError(f"{path}: MNIST test images not found (run `neurosim data` first)")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != MNIST_T10K_SHA256:
        raise OSError(f"{path}: SHA-256 differs from the published MNIST test images")
    magic, n, h, w = struct.unpack(">IIII", data[:16])
    if magic != 0x00000803 or (n, h, w) != (10000, 28, 28) or len(data) != 16 + n * h * w:
        raise OSError(f"{path}: not an IDX uint8 (10000, 28, 28) file")
    if not 0 <= index < n:
        raise ValueError(f"mnist:{index}: index must lie in 0..{n - 1}")
    off = 16 + index * h * w
    return np.frombuffer(data, np.uint8, h * w, off).reshape(h, w).astype(np.float32) / 255


def load_mnist_test_label(index: int, path=None) -> int:
    """The class (0–9) of MNIST test digit ``index`` (0..9999)."""
    path = mnist_test_path().with_name("t10k-labels-idx1-ubyte") if path is None else Path(path)
    if not path.is_file():
        raise OSError(f"{path}: MNIST test labels not found (run `neurosim data` first)")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != MNIST_T10K_LABELS_SHA256:
        raise OSError(f"{path}: SHA-256 differs from the published MNIST test labels")
    magic, n = struct.unpack(">II", data[:8])
    if magic != 0x00000801 or n != 10000 or len(data) != 8 + n:
        raise OSError(f"{path}: not an IDX uint8 (10000,) file")
    if not 0 <= index < n:
        raise ValueError(f"mnist:{index}: index must lie in 0..{n - 1}")
    return int(data[8 + index])
