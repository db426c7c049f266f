"""Layers, one idea per file, each with ``forward`` and ``backward`` next to each other."""

from .activation import Activation
from .base import Layer
from .batchnorm import BatchNorm
from .conv import Conv2D, ConvPool
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .pool import AvgPool2D, MaxPool2D

__all__ = ["Layer", "Activation", "BatchNorm", "Conv2D", "ConvPool", "Dense", "Dropout",
           "Flatten", "MaxPool2D", "AvgPool2D"]
