"""The default settings of the neural estimators, in one place."""

from __future__ import annotations

from typing import Any

import numpy as np

from keras_mine.core.preprocessing_modes import DEFAULT_PREPROCESSING, check_preprocessing
from keras_mine.core.validation import check_fraction, check_int
from keras_mine.engine.spec import TRAINING_DEFAULTS, TrainingSpec

__all__ = [
    "NEURAL_SETTINGS",
    "ONE_COLUMN_SETTINGS",
    "TRAINING_SETTINGS",
    "CRITIC_SETTINGS",
    "defaults_for",
    "check_settings",
]

#: Settings shared by the neural methods, with their defaults: the training
#: ones are `keras_mine.engine.spec.TrainingSpec`'s (written there once). A
#: 2 x 64 ReLU critic, chosen by measurement on Gaussian tasks with known MI
#: (docs/benchmarks.md).
NEURAL_SETTINGS: dict[str, Any] = {
    "folds": 2,
    "val_size": 0.2,
    **TRAINING_DEFAULTS,
    "hidden_dim": 64,
    "num_hidden_layers": 2,
    "activation": "relu",
    "num_shuffles": 5,
    "preprocessing": DEFAULT_PREPROCESSING,
    "norm_feature": True,
    "extrapolate": True,
    "x_encoder": None,
    "z_encoder": None,
}
#: Settings that replace NEURAL_SETTINGS' for a method when x and z have one
#: column each (see `defaults_for`): the critic must resolve sharp features
#: of a two-dimensional density ratio (additive uniform noise puts an edge of
#: -inf around a band), and Adam at 1e-3 stops short of them, while with more
#: columns 1e-2 was worse. Chosen on the published v1 suite (N = 5,000, seeds
#: 0-2; the figures are in docs/benchmarks.md, "Adam 1e-2 when x and z have
#: one column each"). The methods not listed were not measured and keep
#: their defaults.
ONE_COLUMN_SETTINGS: dict[str, dict[str, Any]] = {
    "mine": {"learning_rate": 1e-2},
    "classifier": {"learning_rate": 1e-2},
}
#: The settings that configure training (`keras_mine.engine.spec.TrainingSpec`).
TRAINING_SETTINGS = tuple(TRAINING_DEFAULTS)
#: The settings that configure the critic and its input transform.
CRITIC_SETTINGS = ("hidden_dim", "num_hidden_layers", "activation", "preprocessing",
                   "norm_feature", "x_encoder", "z_encoder")



def defaults_for(method: str, x: np.ndarray, target) -> dict[str, Any]:
    """The default settings of neural `method` for these inputs.

    `NEURAL_SETTINGS`, with `ONE_COLUMN_SETTINGS[method]` over them when `x`
    and `target` are tabular arrays of one column each (2-D, as checked; not
    images or sequences of one channel).

    Examples
    --------
    >>> import numpy as np
    >>> defaults_for("mine", np.zeros((5, 1)), np.zeros((5, 1)))["learning_rate"]
    0.01
    >>> defaults_for("mine", np.zeros((5, 2)), np.zeros((5, 1)))["learning_rate"]
    0.001
    >>> defaults_for("mine", np.zeros((5, 8, 8, 1)), np.zeros((5, 8, 8, 1)))["learning_rate"]
    0.001
    """
    one_column = (  # tabular only: an image of one channel, (n, h, w, 1), is not one column
        isinstance(target, np.ndarray) and np.ndim(x) == 2 and target.ndim == 2
        and np.shape(x)[-1] == 1 and target.shape[-1] == 1
    )
    return {**NEURAL_SETTINGS, **(ONE_COLUMN_SETTINGS.get(method, {}) if one_column else {})}


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Check a neural method's full settings once, on entry; return them.

    Every shared setting of `NEURAL_SETTINGS` is checked here (the training
    ones by building `keras_mine.engine.spec.TrainingSpec`, the critic's by
    `keras_mine.core.critics.check_mlp_settings`); the method's own options
    are checked by its objective. Functions below the entry trust them.

    Raises
    ------
    ValueError
        For a bad setting, naming it.
    """
    from keras_mine.core.critics import check_mlp_settings  # Keras: a neural call only

    spec = TrainingSpec.from_settings(settings)
    check_int(settings["folds"], "folds", 2)
    check_fraction(settings["val_size"], "val_size")
    if "num_shuffles" in settings:
        check_int(settings["num_shuffles"], "num_shuffles")
    settings = {**settings, "preprocessing": check_preprocessing(settings["preprocessing"]),
                "spec": spec}  # the engine trains by it, unchecked again
    check_mlp_settings(settings["hidden_dim"], settings["num_hidden_layers"],
                       settings["activation"])  # fmt: skip
    if settings["x_encoder"] is not None or settings["z_encoder"] is not None:
        from keras_mine.core.encoders import check_encoder

        check_encoder(settings["x_encoder"], "x_encoder")
        check_encoder(settings["z_encoder"], "z_encoder")
    return settings
