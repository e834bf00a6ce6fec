"""Keras models that estimate mutual information."""

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
