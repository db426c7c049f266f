"""ann — artificial neural networks from first principles (NumPy), with a Keras twin.

Importing ``ann`` is cheap: TensorFlow is imported only by the Keras modules, when used.
"""

__version__ = "0.1.0"
