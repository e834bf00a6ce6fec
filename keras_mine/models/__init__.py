"""Keras models that estimate mutual information."""

import keras_mine.core.backend  # noqa: F401  (raises unless Keras runs on TensorFlow)
from keras_mine.models.base import CriticModel
from keras_mine.models.classifier import CLASSIFIER_READOUTS, ClassifierMI
from keras_mine.models.conditional import ConditionalClassifierMI
from keras_mine.models.infonce import InfoNCE
from keras_mine.models.mine import MINE, MINE_LOSSES

__all__ = [
    "CriticModel",
    "MINE",
    "MINE_LOSSES",
    "ClassifierMI",
    "CLASSIFIER_READOUTS",
    "ConditionalClassifierMI",
    "InfoNCE",
]
