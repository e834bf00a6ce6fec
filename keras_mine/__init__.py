"""keras_mine: mutual information estimation with TensorFlow and Keras."""

import os as _os

from keras_mine.bench import startup as _startup

if _startup.launched_as_command() and not _os.environ.get(_startup.SHOW_LOGS_VARIABLE):
    _startup.import_tensorflow_quietly()  # the command line shows no TensorFlow start-up lines

import keras as _keras  # noqa: E402

if _keras.backend.backend() != "tensorflow":
    raise ImportError(
        "keras_mine runs on the TensorFlow backend of Keras 3; the active backend "
        f"is {_keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before "
        "importing keras."
    )

from keras_mine.classical import adjusted_mi, normalized_mi, pmi_table  # noqa: E402
from keras_mine.core import bounds  # noqa: E402
from keras_mine.core.critics import MLPCritic, SeparableCritic  # noqa: E402
from keras_mine.core.data import make_dataset  # noqa: E402
from keras_mine.core.metrics import DonskerVaradhanMetric  # noqa: E402
from keras_mine.core.version import __version__  # noqa: E402
from keras_mine.estimators.conditional import estimate_cmi  # noqa: E402
from keras_mine.estimators.entropy import (  # noqa: E402
    EntropyResult,
    conditional_entropy,
    estimate_entropy,
)
from keras_mine.estimators.estimate import METHODS, MIResult, estimate_mi  # noqa: E402
from keras_mine.estimators.many import estimate_mi_many  # noqa: E402
from keras_mine.models import (  # noqa: E402
    CLASSIFIER_READOUTS,
    MINE,
    MINE_LOSSES,
    ClassifierMI,
    ConditionalClassifierMI,
    CriticModel,
    InfoNCE,
)
from keras_mine.models.callbacks import default_callbacks  # noqa: E402
from keras_mine.models.layers import MutualInformation  # noqa: E402
from keras_mine.models.regularized import MIRegularizedModel  # noqa: E402
from keras_mine.workflows.feature_selection import MIScorer, mi_scores, rank_features  # noqa: E402
from keras_mine.workflows.independence import MITestResult, mi_test  # noqa: E402
from keras_mine.workflows.matrix import mi_matrix  # noqa: E402
from keras_mine.workflows.resampling import BootstrapCI, bootstrap_ci, mi_vs_sample_size  # noqa: E402

__all__ = [
    "bounds",
    "default_callbacks",
    "make_dataset",
    "MLPCritic",
    "SeparableCritic",
    "DonskerVaradhanMetric",
    "CriticModel",
    "MINE",
    "MINE_LOSSES",
    "ClassifierMI",
    "CLASSIFIER_READOUTS",
    "ConditionalClassifierMI",
    "InfoNCE",
    "estimate_cmi",
    "estimate_mi",
    "estimate_mi_many",
    "estimate_entropy",
    "conditional_entropy",
    "EntropyResult",
    "normalized_mi",
    "adjusted_mi",
    "pmi_table",
    "MutualInformation",
    "MIRegularizedModel",
    "mi_scores",
    "rank_features",
    "MIScorer",
    "mi_matrix",
    "mi_test",
    "MITestResult",
    "bootstrap_ci",
    "BootstrapCI",
    "mi_vs_sample_size",
    "MIResult",
    "METHODS",
    "__version__",
]
