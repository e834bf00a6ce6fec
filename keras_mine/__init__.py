"""keras_mine: mutual information estimation with TensorFlow and Keras."""

import importlib as _importlib

from keras_mine.core.version import __version__

#: Where each public name is defined. They are imported on first use: the
#: classical estimators need no TensorFlow, so ``import keras_mine`` takes
#: about a second instead of five, and processes that only run them (Dask
#: workers of `mi_matrix`, ``keras-mine --version``, a script that computes
#: a KSG matrix) never import it. The one-call functions and the workflows
#: import it when a neural method is run (`keras_mine.core.backend`).
_SOURCES = {
    "adjusted_mi": "keras_mine.classical",
    "normalized_mi": "keras_mine.classical",
    "pmi_table": "keras_mine.classical",
    "MLPCritic": "keras_mine.core.critics",
    "SeparableCritic": "keras_mine.core.critics",
    "ConvEncoder": "keras_mine.core.encoders",
    "make_dataset": "keras_mine.core.data",
    "load_model": "keras_mine.models.saving",
    "npy_dataset": "keras_mine.core.streaming",
    "tfrecord_dataset": "keras_mine.core.streaming",
    "write_tfrecord": "keras_mine.core.streaming",
    "DonskerVaradhanMetric": "keras_mine.core.metrics",
    "estimate_cmi": "keras_mine.estimators.conditional",
    "EntropyResult": "keras_mine.estimators.entropy",
    "conditional_entropy": "keras_mine.estimators.entropy",
    "estimate_entropy": "keras_mine.estimators.entropy",
    "METHODS": "keras_mine.estimators.estimate",
    "MIResult": "keras_mine.estimators.estimate",
    "estimate_mi": "keras_mine.estimators.estimate",
    "estimate_mi_many": "keras_mine.estimators.many",
    "CLASSIFIER_READOUTS": "keras_mine.models",
    "MINE": "keras_mine.models",
    "MINE_LOSSES": "keras_mine.models",
    "ClassifierMI": "keras_mine.models",
    "ConditionalClassifierMI": "keras_mine.models",
    "CriticModel": "keras_mine.models",
    "InfoNCE": "keras_mine.models",
    "default_callbacks": "keras_mine.models.callbacks",
    "MutualInformation": "keras_mine.models.layers",
    "MIRegularizedModel": "keras_mine.models.regularized",
    "MIScorer": "keras_mine.workflows.feature_selection",
    "mi_scores": "keras_mine.workflows.feature_selection",
    "rank_features": "keras_mine.workflows.feature_selection",
    "MITestResult": "keras_mine.workflows.independence",
    "mi_test": "keras_mine.workflows.independence",
    "mi_matrix": "keras_mine.workflows.matrix",
    "BootstrapCI": "keras_mine.workflows.resampling",
    "bootstrap_ci": "keras_mine.workflows.resampling",
    "mi_vs_sample_size": "keras_mine.workflows.resampling",
    "lagged_mi": "keras_mine.timeseries",
    "surrogate_test": "keras_mine.timeseries",
    "transfer_entropy": "keras_mine.timeseries",
    "TEResult": "keras_mine.timeseries",
    "te_matrix": "keras_mine.timeseries",
    "TEMatrix": "keras_mine.timeseries",
}
_MODULES = {"bounds": "keras_mine.core.bounds"}  # public names that are modules


#: The sources that import TensorFlow only when a neural method runs.
_TENSORFLOW_FREE = (
    "keras_mine.classical", "keras_mine.estimators.", "keras_mine.workflows.",
    "keras_mine.timeseries",
)


def _register_if_keras_is_loaded() -> None:
    """With Keras (and so TensorFlow) already imported, register the saved classes now.

    Then ``keras.saving.load_model`` finds keras_mine's models right after
    ``import keras_mine``, at the price of importing the models (about 0.3 s
    more once TensorFlow is loaded). Without Keras, `load_model` does it.
    """
    import sys

    keras = sys.modules.get("keras")
    try:
        on_tensorflow = keras is not None and keras.backend.backend() == "tensorflow"
    except AttributeError:  # a partly imported Keras
        on_tensorflow = False
    if on_tensorflow:
        _importlib.import_module("keras_mine.models.saving")


def __getattr__(name: str):
    source = _SOURCES.get(name) or _MODULES.get(name)
    if source is None:
        raise AttributeError(f"module 'keras_mine' has no attribute {name!r}")
    if not source.startswith(_TENSORFLOW_FREE):
        import keras_mine.core.backend  # noqa: F401  (raises unless Keras runs on TensorFlow)
    module = _importlib.import_module(source)
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "bounds",
    "default_callbacks",
    "make_dataset",
    "load_model",
    "npy_dataset",
    "tfrecord_dataset",
    "write_tfrecord",
    "MLPCritic",
    "SeparableCritic",
    "ConvEncoder",
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
    "lagged_mi",
    "surrogate_test",
    "transfer_entropy",
    "TEResult",
    "te_matrix",
    "TEMatrix",
    "MIResult",
    "METHODS",
    "__version__",
]

_register_if_keras_is_loaded()
