"""Training loop (filled in below); :class:`TrainConfig` lives in :mod:`ann.config`.

Result dict of :func:`train_numpy` (and of ``ann.keras_train.train_keras``): ``model``,
``backend``, ``test_accuracy`` (full 10 000-image test set), ``test_loss``, ``train_seconds``,
``epochs``, ``model_path`` (``None`` when not saved), ``history`` (one dict per epoch: ``loss``,
``accuracy``, ``val_loss``, ``val_accuracy``, ``lr``, ``seconds``), ``config``
(:meth:`TrainConfig.to_dict`).
"""

from .config import MODELS, OPTIMIZERS, TrainConfig

__all__ = ["TrainConfig", "MODELS", "OPTIMIZERS"]
