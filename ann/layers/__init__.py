"""Layers, one idea per file, each with ``forward`` and ``backward`` next to each other."""

from .activation import Activation, ReLU
from .base import Layer
from .batchnorm import BatchNorm
from .conv import Conv2D, ConvPool
from .dense import Dense
from .depthwise import DepthwiseConv2D, SeparableConv2D
from .dropout import Dropout
from .flatten import Flatten
from .global_pool import GlobalAveragePooling2D
from .merge import Add, Concatenate
from .pool import AvgPool2D, MaxPool2D
from .reshape import Reshape

__all__ = ["Layer", "Activation", "ReLU", "BatchNorm", "Conv2D", "ConvPool", "Dense", "Dropout",
           "Flatten", "MaxPool2D", "AvgPool2D", "Add", "Concatenate", "DepthwiseConv2D",
           "SeparableConv2D", "GlobalAveragePooling2D", "Reshape"]
