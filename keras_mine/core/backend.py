"""The one check of Keras' backend, run where keras_mine first needs TensorFlow.

Importing this module runs it (`keras_mine.models` and the engine's loop do),
so every neural path is checked once, and the classical ones never import Keras.
"""

from __future__ import annotations

__all__ = ["check_backend"]


def check_backend() -> None:
    """Raise an ImportError unless Keras runs on TensorFlow, saying how to set it."""
    import keras

    if keras.backend.backend() != "tensorflow":
        raise ImportError(
            "keras_mine runs on the TensorFlow backend of Keras 3; the active backend "
            f"is {keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before "
            "importing keras."
        )


check_backend()
