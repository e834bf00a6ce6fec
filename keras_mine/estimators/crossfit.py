"""The training recipe shared by the one-call estimators and the compat layer.

Cross-fitting: the rows are cut into K folds; for each fold a model trains on
the other folds (early stopping and learning-rate reduction watching the MI
on a validation part of them) and is read out on the fold it never saw. The
average over folds uses every row for the readout, and no readout is
optimistic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import pandas as pd

from keras_mine.core.data import take_rows
from keras_mine.core.seeds import SeedStreams
from keras_mine.engine.loop import cross_fit_splits
from keras_mine.engine.spec import TrainingSpec
from keras_mine.models.callbacks import ProgressBar, default_callbacks

__all__ = ["fit_epochs", "copy_state", "FoldTrainer", "cross_fit"]


def fit_epochs(model: keras.Model, data: dict, *, epochs: int, callbacks: list) -> pd.DataFrame:
    """Train a compiled model with one compiled call per epoch and no Keras loop.

    The same epoch step as ``model.fit`` on arrays (`train_epoch_step`: the
    minibatch loop and the validation in one graph call,
    `keras_mine.models.epochs`), driven by a plain Python loop that calls the
    Keras `callbacks` at epoch ends: it saves the few milliseconds per epoch
    that `fit`'s own loop spends, which matter when an epoch is only tens of
    small steps (see benchmarks/speed.py).

    Parameters
    ----------
    model : keras.Model
        A compiled `CriticModel` (input transforms fitted) or `StandardNormalKL`.
    data : dict
        ``model.epoch_inputs(...)``: the training and validation rows.
    epochs : int
        Upper bound on epochs (callbacks may stop sooner).
    callbacks : list of keras.callbacks.Callback
        Called at the start and end of training and of each epoch.

    Returns
    -------
    pandas.DataFrame
        One row per epoch run: ``epoch``, the logs, and the ``learning_rate``
        the epoch trained with.
    """
    model.optimizer.build(model.trainable_variables)
    epoch_step = model.make_train_epoch_function()
    callback_list = keras.callbacks.CallbackList(callbacks, model=model, epochs=epochs)
    model.stop_training = False
    callback_list.on_train_begin()
    rows = []
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        logs = {name: float(value) for name, value in epoch_step(data).items()}
        logs["learning_rate"] = float(np.asarray(model.optimizer.learning_rate))
        callback_list.on_epoch_end(epoch, logs)
        rows.append({"epoch": epoch, **logs})
        if model.stop_training:
            break
    callback_list.on_train_end()
    return pd.DataFrame(rows)


def copy_state(source: keras.Model, target: keras.Model) -> None:
    """Assign every variable of compiled `source` to `target`, built alike.

    The weights, the input transforms, the seed generators' states and the
    optimizer's slots, step count and learning rate: after it, `target` trains
    and reads out as `source` would.
    """
    pairs = [(source.variables, target.variables),
             (source.optimizer.variables, target.optimizer.variables)]  # fmt: skip
    for sources, targets in pairs:
        if len(sources) != len(targets):
            raise ValueError(
                f"Cannot copy the state of {source.name} into {target.name}: they have "
                f"{len(sources)} and {len(targets)} variables. Build them alike."
            )
        for value, variable in zip(sources, targets, strict=True):
            variable.assign(value)


class FoldTrainer:
    """Trains a new model per fold through one model whose epoch step is traced once.

    Tracing the compiled epoch step of a new model costs about 0.4 s on a
    CPU (its readout's scoring function about 0.1 s more), as much as
    training a small critic on a few thousand rows. So every fold's model, ``build(seed)``,
    is compiled and fitted to its training rows' transforms, its state
    (`copy_state`) is trained in one working model that keeps its compiled
    functions across folds and across calls on other numbers of rows, and
    the trained state is copied back: the fold's model ends as it would
    have trained on its own (same seeds, same values).

    Parameters
    ----------
    build : callable
        ``build(seed) -> model``: a new, uncompiled `CriticModel`.
    config : TrainingSpec
        Training settings.
    """

    def __init__(self, build: Callable[[int | None], keras.Model], config: TrainingSpec):
        self.build = build
        self.config = config
        self.worker: keras.Model | None = None  # trains; read out `worker` after `train`

    def _new_model(self, seed: int | None, x: np.ndarray, target) -> keras.Model:
        model = self.build(seed)
        model.compile(optimizer=keras.optimizers.Adam(self.config.learning_rate))
        model.adapt(x, target)  # input transforms: training rows only; builds the model
        model.optimizer.build(model.trainable_variables)
        return model

    def train(
        self,
        seed: int | None,
        x: np.ndarray,
        target,
        train: np.ndarray,
        val: np.ndarray,
        *,
        verbose: bool = False,
        description: str = "epochs",
    ) -> tuple[keras.Model, pd.DataFrame]:
        """Train ``build(seed)`` on rows `train`, validating on rows `val`.

        Parameters
        ----------
        seed : int or None
            Seed of the new model.
        x : np.ndarray
            Checked 2-D samples.
        target : np.ndarray or tuple of np.ndarray
            z, or (y, z) for a conditional model.
        train, val : np.ndarray
            Row indices.
        verbose : bool
            Show a progress bar over epochs with the live MI.
        description : str
            Label of the progress bar.

        Returns
        -------
        model : keras.Model
            The trained model; `worker` holds the same state until the next call.
        history : pandas.DataFrame
            One row per epoch run: ``epoch`` and every logged metric
            (``mi``, ``val_mi``, ``loss``, ``val_loss``, ``learning_rate``, ...).
        """
        config = self.config
        x_train, target_train = x[train], take_rows(target, train)
        model = self._new_model(seed, x_train, target_train)
        if self.worker is None:
            self.worker = self._new_model(seed, x_train, target_train)
        copy_state(model, self.worker)
        callbacks = default_callbacks(
            patience=config.stop_patience,
            min_delta=config.stop_min_delta,
            lr_factor=config.lr_factor,
            lr_patience=config.lr_patience,
        )
        if verbose:
            callbacks.append(ProgressBar(config.max_epochs, description))
        data = self.worker.epoch_inputs(
            x_train, target_train, batch_size=config.batch_for(len(train)),
            validation=(x[val], take_rows(target, val)),
        )  # fmt: skip
        history = fit_epochs(self.worker, data, epochs=config.max_epochs, callbacks=callbacks)
        copy_state(self.worker, model)
        return model, history


def cross_fit(
    trainer: FoldTrainer,
    x: np.ndarray,
    target,
    readout: Callable[[keras.Model, np.ndarray], Any],
    *,
    folds: int = 2,
    val_size: float = 0.2,
    streams: SeedStreams | None = None,
    verbose: bool = False,
    description: str = "fit",
) -> tuple[list[float], list[keras.Model], pd.DataFrame]:
    """Train one model per fold and read each out on its held-out rows.

    Parameters
    ----------
    trainer : FoldTrainer
        Builds and trains the fold models (one trainer may serve several calls).
    x, target : np.ndarray (target may be a tuple of arrays)
        Checked samples.
    readout : callable
        ``readout(model, test_rows)``: the estimate on rows `test_rows` (any value;
        `estimate_mi` returns the estimate and its standard error). It gets
        the trainer's working model, which holds the fold model's state.
    folds, val_size
        See `keras_mine.engine.loop.cross_fit_splits`.
    streams : SeedStreams
        The folds come from its stream ``folds``, fold f's model from
        ``("fold", f, "init")`` (default: ``SeedStreams(0)``).
    verbose, description
        See `FoldTrainer.train`.

    Returns
    -------
    estimates : list
        One readout per fold.
    models : list of keras.Model
        The trained models.
    history : pandas.DataFrame
        Every fold's per-epoch history, with a ``fold`` column.
    """
    estimates, models, histories = [], [], []
    streams = SeedStreams(0) if streams is None else streams
    splits = cross_fit_splits(len(x), folds, val_size, streams.rng("folds"))
    for fold, (train, val, test) in enumerate(splits):
        model, history = trainer.train(
            streams.integer("fold", fold, "init"),
            x,
            target,
            train,
            val,
            verbose=verbose,
            description=f"{description} fold {fold + 1}/{len(splits)}",
        )
        history.insert(0, "fold", fold)
        histories.append(history)
        estimates.append(readout(trainer.worker, test))
        models.append(model)
    return estimates, models, pd.concat(histories, ignore_index=True)
