"""scikit-learn-like classifiers: hyper-parameters in ``__init__``, ``fit(X, y) -> self``,
``predict``, ``predict_proba``, ``score``; learned values in attributes ending in ``_``.

* :class:`Perceptron` — Rosenblatt's rule (``rule="rosenblatt"``): for each misclassified
  sample, ``w_t ← w_t + η x`` and ``w_p ← w_p − η x`` (true class ``t``, predicted ``p``; with
  two classes this is the classic ``w ← w + η y x``, ``y = ±1``). On linearly separable data it
  stops after finitely many mistakes (Novikoff 1962). ``rule="softmax"``/``"sigmoid"``: the same
  single layer trained by gradient descent on cross-entropy / squared error.
* :class:`MLPClassifier` — any depth, any activation, optional dropout and BatchNorm.
* :class:`CNNClassifier` — ``arch="lenet"`` (LeNet-5 style) or ``"cnn"`` (two conv stages with
  BatchNorm), for ``(N, 28, 28)`` or ``(N, H, W, C)`` images.

The network classifiers' optimizer hyper-parameters have one meaning each, as in
:func:`ann.optimizers.make_optimizer`: ``momentum`` is α (``optimizer="momentum"``), ``rho`` is
ρ (``"rmsprop"``), ``beta_1`` is β₁ (``"adam"``); each is used by its own optimizer only.

Labels may be any integers or strings; ``classes_`` holds them in sorted order.
"""

from __future__ import annotations

import numpy as np

from .network import Network
from .optimizers import make_optimizer
from .spec import LayerSpec, ModelSpec, cnn_spec, lenet5_spec
from .training import check_labelled, fit, prepare_images

__all__ = ["Perceptron", "MLPClassifier", "CNNClassifier"]


def _rng(random_state) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


class _Classifier:
    """Shared ``predict``/``score`` and label encoding."""

    def _encode(self, y):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D labels, got shape {y.shape}")
        self.classes_, idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least 2 classes, got {len(self.classes_)}")
        return idx.astype(np.intp)

    def _check_fitted(self):
        if not hasattr(self, "classes_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit first")

    def predict(self, X) -> np.ndarray:
        """Predicted labels ``(N,)``."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(self, X, y) -> float:
        """Mean accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class _NetworkClassifier(_Classifier):
    def _spec(self, input_shape, n_classes) -> ModelSpec:  # overridden
        raise TypeError("use a concrete classifier")

    def _prepare(self, X):
        return prepare_images(X) if np.asarray(X).dtype == np.uint8 else \
            np.asarray(X, dtype=np.float32)

    def fit(self, X, y):
        """Train on ``X`` and labels ``y``; returns ``self``. ``history_`` holds the epochs."""
        X = self._prepare(X)
        t = self._encode(y)
        check_labelled(X, t, len(self.classes_), name="fit")
        rng = _rng(self.random_state)
        n_val = int(round(len(X) * self.validation_split))
        val = (X[len(X) - n_val:], t[len(t) - n_val:]) if n_val else None
        spec = self._spec(X.shape[1:], len(self.classes_))
        self.network_ = Network.from_spec(spec, np.random.default_rng(rng.integers(2**63)))
        own = {"momentum": {"alpha": self.momentum}, "rmsprop": {"rho": self.rho},
               "adam": {"beta_1": self.beta_1}}.get(self.optimizer, {})
        opt = make_optimizer(self.optimizer, self.lr, clip_norm=self.clip_norm,
                             weight_decay=self.weight_decay, **own)
        self.history_ = fit(self.network_, X[:len(X) - n_val], t[:len(t) - n_val], opt,
                            epochs=self.epochs, batch_size=self.batch_size, rng=rng,
                            validation_data=val, lr_decay=self.lr_decay, progress=self.progress)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities ``(N, n_classes)`` (softmax outputs)."""
        self._check_fitted()
        return self.network_.predict_proba(self._prepare(X))


class MLPClassifier(_NetworkClassifier):
    """Multi-layer perceptron; defaults are the lecture's Keras MLP (784-512-10, ReLU,
    dropout 0.2, Adam, 5 epochs, batch 32). Inputs of any shape are flattened."""

    def __init__(self, hidden=(512,), activation="relu", dropout=0.2, batch_norm=False,
                 optimizer="adam", lr=1e-3, momentum=0.9, clip_norm=None, weight_decay=0.0,
                 lr_decay=1.0, epochs=5, batch_size=32, validation_split=0.0, random_state=0,
                 progress=None, rho=0.9, beta_1=0.9):
        self.hidden, self.activation, self.dropout, self.batch_norm = (hidden, activation,
                                                                       dropout, batch_norm)
        self.optimizer, self.lr, self.momentum, self.clip_norm = optimizer, lr, momentum, clip_norm
        self.rho, self.beta_1 = rho, beta_1
        self.weight_decay, self.lr_decay, self.epochs = weight_decay, lr_decay, epochs
        self.batch_size, self.validation_split = batch_size, validation_split
        self.random_state, self.progress = random_state, progress

    def _spec(self, input_shape, n_classes):
        layers = [LayerSpec("Flatten")] if len(input_shape) > 1 else []
        for units in self.hidden:
            if self.batch_norm:
                layers += [LayerSpec("Dense", {"units": units, "use_bias": False}),
                           LayerSpec("BatchNorm"),
                           LayerSpec("Activation", {"activation": self.activation})]
            else:
                layers.append(LayerSpec("Dense", {"units": units, "activation": self.activation}))
            if self.dropout:
                layers.append(LayerSpec("Dropout", {"rate": self.dropout}))
        layers.append(LayerSpec("Dense", {"units": n_classes, "activation": "softmax"}))
        return ModelSpec(tuple(int(s) for s in input_shape), tuple(layers), name="mlp")


class CNNClassifier(_NetworkClassifier):
    """Convolutional classifier for images ``(N, H, W)`` or ``(N, H, W, C)``;
    ``arch="lenet"`` (default) or ``"cnn"``."""

    def __init__(self, arch="lenet", dropout=0.0, batch_norm=False, optimizer="adam", lr=1e-3,
                 momentum=0.9, clip_norm=None, weight_decay=0.0, lr_decay=1.0, epochs=10,
                 batch_size=64, validation_split=0.0, random_state=0, progress=None, rho=0.9,
                 beta_1=0.9):
        self.arch, self.dropout, self.batch_norm = arch, dropout, batch_norm
        self.optimizer, self.lr, self.momentum, self.clip_norm = optimizer, lr, momentum, clip_norm
        self.rho, self.beta_1 = rho, beta_1
        self.weight_decay, self.lr_decay, self.epochs = weight_decay, lr_decay, epochs
        self.batch_size, self.validation_split = batch_size, validation_split
        self.random_state, self.progress = random_state, progress

    def _prepare(self, X):
        X = super()._prepare(X)
        return X[..., None] if X.ndim == 3 else X

    def _spec(self, input_shape, n_classes):
        if self.arch == "lenet":
            base = lenet5_spec(dropout=self.dropout, batch_norm=self.batch_norm)
        elif self.arch == "cnn":
            base = cnn_spec(dropout=self.dropout, batch_norm=self.batch_norm)
        else:
            raise ValueError(f"unknown arch {self.arch!r}; known: lenet, cnn")
        layers = list(base.layers[:-1]) + [LayerSpec("Dense", {"units": n_classes,
                                                                "activation": "softmax"})]
        return ModelSpec(tuple(int(s) for s in input_shape), tuple(layers), name=base.name)


class Perceptron(_Classifier):
    """Single-layer perceptron ``y = h(Wᵀx + b)``. Rosenblatt's rule (``rule="rosenblatt"``):
    for each misclassified sample ``w_t ← w_t + η x`` and ``w_p ← w_p − η x`` (true class
    ``t``, predicted ``p``; with two classes the classic ``w ← w + η y x``, ``y = ±1``);
    see the module docstring for the other rules."""

    def __init__(self, rule="rosenblatt", lr=1.0, epochs=20, batch_size=32, random_state=0):
        self.rule, self.lr, self.epochs = rule, lr, epochs
        self.batch_size, self.random_state = batch_size, random_state

    def fit(self, X, y):
        """Train; returns ``self``. ``mistakes_`` lists the errors per epoch (Rosenblatt) and
        ``history_`` the epochs (gradient rules)."""
        if self.rule not in ("rosenblatt", "softmax", "sigmoid"):
            raise ValueError(f"unknown rule {self.rule!r}; known: rosenblatt, softmax, sigmoid")
        X = np.asarray(X, dtype=np.float64 if self.rule == "rosenblatt" else np.float32)
        X = X.reshape(len(X), -1)
        t = self._encode(y)
        check_labelled(X, t, len(self.classes_), name="fit")
        rng = _rng(self.random_state)
        k = len(self.classes_)
        if self.rule == "rosenblatt":
            self.W_ = np.zeros((X.shape[1], k))
            self.b_ = np.zeros(k)
            self.mistakes_ = []
            for _ in range(self.epochs):
                mistakes = 0
                for i in rng.permutation(len(X)):
                    p = int(np.argmax(X[i] @ self.W_ + self.b_))
                    if p != t[i]:
                        self.W_[:, t[i]] += self.lr * X[i]
                        self.b_[t[i]] += self.lr
                        self.W_[:, p] -= self.lr * X[i]
                        self.b_[p] -= self.lr
                        mistakes += 1
                self.mistakes_.append(mistakes)
                if mistakes == 0:
                    break
            return self
        spec = ModelSpec((X.shape[1],), (LayerSpec("Dense", {"units": k,
                                                              "activation": self.rule}),),
                         name="perceptron")
        self.network_ = Network.from_spec(spec, np.random.default_rng(rng.integers(2**63)))
        self.history_ = fit(self.network_, X, t, make_optimizer("sgd", self.lr), epochs=self.epochs,
                            batch_size=self.batch_size, rng=rng)
        self.W_ = self.network_.layers[0].params["W"]
        self.b_ = self.network_.layers[0].params["b"]
        return self

    def decision_function(self, X) -> np.ndarray:
        """``Wᵀx + b`` per class ``(N, n_classes)``."""
        self._check_fitted()
        X = np.asarray(X, dtype=self.W_.dtype).reshape(len(X), -1)
        return X @ self.W_ + self.b_

    def predict_proba(self, X) -> np.ndarray:
        """Softmax of the decision function (for ``sigmoid``, the normalised sigmoids)."""
        z = self.decision_function(X)
        if self.rule == "sigmoid":
            s = 1.0 / (1.0 + np.exp(-z))
            return s / s.sum(axis=1, keepdims=True)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
