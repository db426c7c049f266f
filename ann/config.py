"""What a training run is: one frozen :class:`TrainConfig`, shared by the NumPy and Keras paths.

``neurosim train MODEL [options]`` builds a config with :meth:`TrainConfig.for_model` (options the
user leaves out take the model's defaults from :data:`MODEL_DEFAULTS`), then hands it to
:func:`ann.training.train_numpy` or, with ``--backend keras``, to
``ann.keras_train.train_keras``. Both build the architecture from :meth:`TrainConfig.spec`, so the
two backends train exactly the same network.

The defaults give good models, not toys (measured numbers in the README):

* ``perceptron`` — one softmax layer (multinomial logistic regression), SGD, 10 epochs.
* ``mlp`` — the lecture's Keras example: 784-512-10 ReLU, dropout 0.2, Adam, batch 32,
  5 epochs, with a learning-rate schedule (a lecture trick): ε = 2e-3 halved every epoch
  (2e-3, 1e-3, …, 1.25e-4). Keras's constant 1e-3 gives 97.76–97.98 % over seeds 0–4 on an
  AMD EPYC, either side of the 98 % target; the schedule gives 98.29–98.42 %.
* ``lenet`` — LeNet-5 style, ReLU + max pooling, dropout 0.2 after the two hidden dense layers,
  Adam 1e-3 decaying ×0.85 per epoch, batch 64, 15 epochs (without dropout it overfits: 99.9 %
  training accuracy and 98.9 % test accuracy after 12 epochs).
* ``cnn`` — two stages of two 3×3 convolutions (16 then 32 filters) with BatchNorm, 2×2 max
  pooling, Dense 128, dropout 0.25; Adam 2e-3 decaying ×0.7 per epoch, batch 64, 5 epochs
  (sized to train in under 15 minutes on two cores).
* ``resnet`` — :func:`ann.spec_models.resnet_spec` with one basic block per stage (16/32/64
  channels, BatchNorm after every convolution, projection shortcuts where the shape changes,
  global average pooling; 77 754 parameters); all 60 000 training images (no validation split),
  random one-pixel translations, label smoothing 0.1, Adam 2e-3 decaying ×0.75 per epoch,
  batch 64, 9 epochs: 99.53–99.61 % for seeds 0–2 in about 18 minutes on one core (README). Without
  smoothing and translations (8 epochs on 54 000 images) it fits the training set and stops at
  99.45–99.48 %. Two blocks per stage (174 970 parameters) take 3.5 minutes an epoch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from .checks import bounded, non_negative_int, positive_int
from .spec import ModelSpec, cnn_spec, lenet5_spec, mlp_spec, perceptron_spec
from .spec_models import resnet_spec

__all__ = ["TrainConfig", "MODELS", "OPTIMIZERS", "POOLS", "MODEL_DEFAULTS",
           "defaults_table", "architecture", "architectures_table"]

MODELS = ("perceptron", "mlp", "lenet", "cnn", "resnet")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
#: pooling of the convolutional models: ``max`` (default) or ``avg`` (average pooling, which the
#: spiking exports ``convert --nir`` and ``--brian2-check`` need)
POOLS = ("max", "avg")

#: per-model defaults for every option the user does not give
MODEL_DEFAULTS: dict[str, dict] = {
    "perceptron": dict(epochs=10, batch_size=32, optimizer="sgd", lr=0.1, dropout=0.0,
                       batch_norm=False),
    "mlp": dict(epochs=5, batch_size=32, optimizer="adam", lr=2e-3, dropout=0.2,
                batch_norm=False, lr_decay=0.5),
    "lenet": dict(epochs=15, batch_size=64, optimizer="adam", lr=1e-3, dropout=0.2,
                  batch_norm=False, lr_decay=0.85),
    "cnn": dict(epochs=5, batch_size=64, optimizer="adam", lr=2e-3, dropout=0.25,
                batch_norm=True, lr_decay=0.7),
    "resnet": dict(epochs=9, batch_size=64, optimizer="adam", lr=2e-3, dropout=0.0,
                   batch_norm=True, lr_decay=0.75, shift=1, label_smoothing=0.1,
                   validation_split=0.0),
}


@dataclass(frozen=True)
class TrainConfig:
    """Every option of a training run (the CLI's options, one field each).

    Attributes
    ----------
    model : one of :data:`MODELS`.
    epochs : passes over the training set (after the validation split).
    batch_size : samples per mini-batch.
    optimizer : one of :data:`OPTIMIZERS`.
    lr : learning rate ε.
    momentum : ``momentum`` only: the momentum coefficient α (v ← αv − εg).
    rho : ``rmsprop`` only: the decay rate ρ of the squared-gradient average (the lecture's
        eq. 16).
    beta_1 : ``adam`` only: the decay rate β₁ of the first moment (Kingma & Ba 2015).
    nesterov : ``momentum`` only: Nesterov's look-ahead step θ ← θ + αv − εg.
    clip_norm : clip the gradient to this global L2 norm (``None``: no clipping).
    dropout : dropout rate in the model (0 for none).
    batch_norm : insert BatchNorm before each hidden activation.
    seed : seeds weight initialisation, shuffling and dropout masks.
    validation_split : fraction of the 60 000 training images held out for validation (taken
        from the end, as Keras does).
    lr_decay : per-epoch multiplicative learning-rate decay (1.0: constant), ``ε_k = ε·decay^k``
        for epoch ``k = 0, 1, ...``.
    weight_decay : decoupled weight decay (AdamW style; 0 for none).
    pool : ``lenet`` and ``cnn``: ``"max"`` or ``"avg"`` pooling (one of :data:`POOLS`).
    shift : data augmentation: each training image moved by up to this many pixels in y and x
        (:mod:`ann.augment`; 0: none).
    label_smoothing : ``ε_ls`` in ``[0, 1)``: the cross-entropy's one-hot targets mixed with the
        uniform distribution, ``t_k = (1 − ε_ls)·[k = c] + ε_ls / K`` (:mod:`ann.losses`;
        0: none). The training loss reported includes it; the test loss does not.
    out : where to save the trained model (``None``: do not save).
    logdir : Keras backend only: TensorBoard log folder (``None``: none).
    """

    model: str = "mlp"
    epochs: int = 5
    batch_size: int = 32
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    rho: float = 0.9
    beta_1: float = 0.9
    nesterov: bool = False
    clip_norm: float | None = None
    dropout: float = 0.2
    batch_norm: bool = False
    seed: int = 0
    validation_split: float = 0.1
    lr_decay: float = 1.0
    weight_decay: float = 0.0
    pool: str = "max"
    shift: int = 0
    label_smoothing: float = 0.0
    out: Path | None = None
    logdir: Path | None = None

    def __post_init__(self):
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; known: {', '.join(MODELS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; "
                             f"known: {', '.join(OPTIMIZERS)}")
        for name in ("epochs", "batch_size"):
            positive_int(getattr(self, name), name)
        non_negative_int(self.seed, "seed")
        bounded(self.lr, "lr", lo=0.0, lo_open=True)
        for name in ("momentum", "rho", "beta_1"):
            bounded(getattr(self, name), name, lo=0.0, hi=1.0)
        if not isinstance(self.nesterov, bool):
            raise ValueError(f"nesterov must be a bool, got {self.nesterov!r}")
        if self.nesterov and self.optimizer != "momentum":
            raise ValueError(f"nesterov applies to the momentum optimizer, not "
                             f"{self.optimizer!r}")
        if self.clip_norm is not None:
            bounded(self.clip_norm, "clip_norm", lo=0.0, lo_open=True)
        bounded(self.dropout, "dropout", lo=0.0, hi=1.0, hi_open=True)
        bounded(self.validation_split, "validation_split", lo=0.0, hi=1.0, hi_open=True)
        bounded(self.lr_decay, "lr_decay", lo=0.0, hi=1.0, lo_open=True)
        bounded(self.weight_decay, "weight_decay", lo=0.0)
        bounded(self.label_smoothing, "label_smoothing", lo=0.0, hi=1.0, hi_open=True)
        if isinstance(self.shift, bool) or not isinstance(self.shift, int) or \
                not 0 <= self.shift < 14:
            raise ValueError(f"shift must be an int in [0, 14) (pixels of a 28x28 image), got "
                             f"{self.shift!r}")
        if self.pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(POOLS)}, got {self.pool!r}")
        if self.pool != "max" and self.model not in ("lenet", "cnn"):
            raise ValueError(f"pool applies to lenet and cnn (the models that pool), not "
                             f"{self.model}")
        if self.model == "perceptron" and (self.dropout or self.batch_norm):
            what = "dropout" if self.dropout else "batch_norm"
            raise ValueError(f"{what} does not apply to perceptron: it has no hidden layer")
        if self.model == "resnet" and self.dropout:
            raise ValueError("dropout does not apply to resnet: it has no dropout layer")
        if self.model == "resnet" and not self.batch_norm:
            raise ValueError("batch_norm cannot be off for resnet: it has BatchNorm after every "
                             "convolution")
        if self.out is not None:
            object.__setattr__(self, "out", Path(self.out))
        if self.logdir is not None:
            object.__setattr__(self, "logdir", Path(self.logdir))

    @classmethod
    def for_model(cls, model: str, **overrides) -> "TrainConfig":
        """The config for ``model`` with its defaults (:data:`MODEL_DEFAULTS`); ``overrides``
        whose value is ``None`` are ignored (so CLI options left out keep the defaults), except
        ``clip_norm``, ``out`` and ``logdir`` whose default is ``None`` anyway."""
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown TrainConfig option(s): {', '.join(sorted(unknown))}")
        values = {**MODEL_DEFAULTS[model],
                  **{k: v for k, v in overrides.items() if v is not None}}
        return cls(model=model, **values)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """The config a record of :meth:`to_dict` describes (a saved model's ``config``, a
        checkpoint's fingerprint). Records written before ``rho`` and ``beta_1`` were options
        of their own kept the optimizer's decay in ``momentum``: there it is moved to ``rho``
        (``rmsprop``) or ``beta_1`` (``adam``). Keys that are not fields are a ``TypeError``."""
        d = dict(d)
        if "momentum" in d and "rho" not in d and "beta_1" not in d:   # an old record
            own = {"rmsprop": "rho", "adam": "beta_1"}.get(d.get("optimizer"))
            if own is not None:
                d[own] = d.pop("momentum")
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise TypeError(f"unknown TrainConfig option(s): {', '.join(sorted(unknown))}")
        return cls(**d)

    def optimizer_options(self) -> dict:
        """The keyword arguments of :func:`ann.optimizers.make_optimizer` (and of
        :func:`ann.keras_train.make_keras_optimizer`) beyond the name and ``lr``: this
        optimizer's own hyper-parameter (α, ρ or β₁), clipping and weight decay."""
        own = {"sgd": {}, "momentum": {"alpha": self.momentum, "nesterov": self.nesterov},
               "rmsprop": {"rho": self.rho}, "adam": {"beta_1": self.beta_1}}[self.optimizer]
        return {**own, "clip_norm": self.clip_norm, "weight_decay": self.weight_decay}

    def learning_rate(self, epoch: int) -> float:
        """The learning rate of epoch ``epoch`` (0-based): ``ε_k = ε·decay^k``. Both backends
        take their schedule from here."""
        return self.lr * self.lr_decay ** epoch

    def replace(self, **changes) -> "TrainConfig":
        """A copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)

    def spec(self) -> ModelSpec:
        """The architecture this config trains (the same for both backends)."""
        if self.model == "perceptron":
            return perceptron_spec()
        if self.model == "mlp":
            return mlp_spec(hidden=(512,), dropout=self.dropout, batch_norm=self.batch_norm)
        pool = "MaxPool2D" if self.pool == "max" else "AvgPool2D"
        if self.model == "lenet":
            return lenet5_spec(pool=pool, dropout=self.dropout, batch_norm=self.batch_norm)
        if self.model == "cnn":
            return cnn_spec(filters=(16, 32), dense=128, dropout=self.dropout,
                            batch_norm=self.batch_norm, pool=pool)
        return resnet_spec(blocks=1)

    def to_dict(self) -> dict:
        """JSON-friendly dict (paths as strings)."""
        d = asdict(self)
        for k in ("out", "logdir"):
            d[k] = None if d[k] is None else str(d[k])
        return d


# the help tables live in ann.config_tables; their names stay importable from here
from .config_tables import architecture, architectures_table, defaults_table  # noqa: E402,F401
