"""``ann.gradcheck`` itself: exact on a closed form, and it flags a wrong backward pass."""

import numpy as np

from ann.gradcheck import layer_gradient_errors, numerical_gradient, rel_error
from ann.layers import Dense


def test_numerical_gradient_of_a_closed_form():
    """E = Σ sin(a)·a² has ∂E/∂a = cos(a)·a² + 2a·sin(a); central differences agree to ~1e-9."""
    a = np.random.default_rng(0).standard_normal((3, 4))
    g = numerical_gradient(lambda: float(np.sum(np.sin(a) * a**2)), a)
    assert rel_error(g, np.cos(a) * a**2 + 2 * a * np.sin(a)) < 1e-8
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0


def test_a_correct_layer_passes_and_a_wrong_backward_is_flagged():
    rng = np.random.default_rng(1)
    layer = Dense(rng.standard_normal((5, 3)), rng.standard_normal(3), "tanh")
    x = rng.standard_normal((4, 5))
    errors = layer_gradient_errors(layer, x, rng)
    assert set(errors) == {"x", "W", "b"} and max(errors.values()) < 1e-8

    class WrongBias(Dense):                       # forgets the batch sum in ∂E/∂b
        def backward(self, dy):
            dx = super().backward(dy)
            self.grads["b"] = self.grads["b"] / len(dy)
            return dx

    wrong = WrongBias(layer.params["W"].copy(), layer.params["b"].copy(), "tanh")
    errors = layer_gradient_errors(wrong, x, rng)
    assert errors["b"] > 0.5 and errors["W"] < 1e-8
