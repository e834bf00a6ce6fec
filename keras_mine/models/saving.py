"""`load_model`: Keras' `load_model` with every keras_mine class registered.

Keras finds a saved custom class by its registered name, which exists once
the module defining the class has been imported. ``import keras_mine``
imports the models lazily (the classical estimators need no TensorFlow), so
in a fresh process ``keras.saving.load_model("mine.keras")`` right after
``import keras_mine`` would not know MINE. This module imports every module
that registers a class; `keras_mine.load_model` loads through it, and
``import keras_mine`` imports it when Keras is already imported (TensorFlow
is then loaded anyway), so ``import keras, keras_mine`` is enough too.
"""

from __future__ import annotations

import os
from typing import Any

import keras

import keras_mine.core.critics  # noqa: F401  (each import registers its classes)
import keras_mine.core.densities  # noqa: F401
import keras_mine.core.encoders  # noqa: F401
import keras_mine.core.metrics  # noqa: F401
import keras_mine.core.preprocessing  # noqa: F401
import keras_mine.models  # noqa: F401
import keras_mine.models.layers  # noqa: F401
import keras_mine.models.reference_kl  # noqa: F401
import keras_mine.models.regularized  # noqa: F401

__all__ = ["load_model"]


def load_model(filepath: str | os.PathLike, **kwargs: Any) -> keras.Model:
    """Load a ``.keras`` file saved from a keras_mine model (or any model using its layers).

    The same as ``keras.saving.load_model(filepath, **kwargs)`` (same
    arguments: ``custom_objects``, ``compile``, ``safe_mode``), with every
    keras_mine class registered first, in any process.

    Parameters
    ----------
    filepath : str or os.PathLike
        Path of the ``.keras`` file.
    **kwargs
        Passed to `keras.saving.load_model`.

    Returns
    -------
    keras.Model
        The restored model.
    """
    return keras.saving.load_model(filepath, **kwargs)
