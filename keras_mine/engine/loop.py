"""The engine's one training loop, and cross-fitting on top of it.

`train` runs the epochs of a `CriticStack`: one compiled call per epoch
(the minibatch loop and the validation readout in the graph), then the
stopping, rate and best-epoch rule of `PlateauSchedule` for every critic at
once; the best weights are restored at the end. `cross_fit` cuts the rows
into folds, maps each pair's columns by a `MarginalTransform` fitted on the
fold's training rows, trains, and reads each critic out on the fold's
held-out rows. Every random choice comes from a named stream of one
`SeedStreams` (`keras_mine.core.seeds`), the same for every critic of the
stack, so a pair's result does not depend on which pairs it is stacked with.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import keras_mine.core.backend  # noqa: F401  (every neural estimate trains here: checked once)
from keras_mine.core.objectives import OBJECTIVES
from keras_mine.core.preprocessing import MarginalTransform
from keras_mine.core.seeds import SeedStreams
from keras_mine.engine.marginal import SHUFFLE, Marginal, NearestNeighbour
from keras_mine.engine.schedule import PlateauSchedule
from keras_mine.engine.spec import TrainingSpec
from keras_mine.engine.stack import CriticStack

__all__ = ["train", "cross_fit", "cross_fit_splits", "half_rows", "StackCache", "FoldState",
           "CrossFit"]  # fmt: skip


def cross_fit_splits(
    n: int, folds: int, val_size: float, seed: int | np.random.Generator | None
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Row indices (train, validation, test) for K-fold cross-fitting.

    The rows are permuted (from `seed`, an int or a Generator) and cut into
    `folds` parts. For fold k the test rows are part k; the other rows are
    split into validation (a `val_size` fraction of them) and training.
    Every row is a test row exactly once, so estimates read out on the test
    rows of all folds use all the data without ever reading a model out on
    rows it saw. The settings are checked by the caller (`NeuralSpec`).
    """
    smallest_rest = n - int(np.ceil(n / folds))
    if n < 2 * folds or smallest_rest - max(2, int(round(val_size * smallest_rest))) < 2:
        raise ValueError(
            f"{n} samples are too few for folds={folds} and val_size={val_size}: each fold "
            "needs 2 test rows, 2 validation rows and 2 training rows. Pass more samples."
        )
    parts = np.array_split(np.random.default_rng(seed).permutation(n), folds)
    splits = []
    for k, test in enumerate(parts):
        rest = np.concatenate([part for j, part in enumerate(parts) if j != k])
        n_val = max(2, int(round(val_size * len(rest))))
        splits.append((rest[n_val:], rest[:n_val], test))
    return splits


def half_rows(n: int, rng: np.random.Generator, folds: int, val_size: float) -> list[np.ndarray]:
    """Two disjoint random halves of n rows (sizes n // 2), each large enough to cross-fit.

    The halves of the sample-size extrapolation
    (`keras_mine.estimators.result.extrapolated_mi`). They have equal sizes
    (one row is left out when n is odd), so the halves of pairs stack.
    """
    order = rng.permutation(n)
    half = n // 2
    try:
        cross_fit_splits(half, folds, val_size, None)
    except ValueError as error:
        raise ValueError(
            f"extrapolate=True also fits each half of the {n} rows, and a half is too "
            f"small: {error} Pass extrapolate=False, or more rows."
        ) from None
    return [order[:half], order[half : 2 * half]]


def train(stack: CriticStack, data: dict, spec: TrainingSpec, streams: SeedStreams, *,
          verbose: bool = False, description: str = "epochs") -> pd.DataFrame:  # fmt: skip
    """Train every critic of `stack` until each stops; restore each one's best epoch.

    Parameters
    ----------
    stack : CriticStack
        Reset to its initial weights.
    data : dict
        `CriticStack.epoch_data`: training and validation tensors.
    spec : TrainingSpec
        Batch size, epochs and the stopping and rate rule.
    streams : SeedStreams
        Epoch e's batch order and shuffles come from ``streams.pair("epoch", e)``.
    verbose : bool
        A progress bar over epochs with the number of critics still training.
    description : str
        The bar's label.

    Returns
    -------
    pandas.DataFrame
        One row per critic and epoch it trained: ``critic``, ``epoch``,
        ``loss``, ``mi``, ``val_mi``, ``val_loss``, ``learning_rate``.
    """
    schedule = PlateauSchedule.from_spec(stack.k, spec)
    batch = spec.batch_for(int(data["x"].shape[1]))
    rows = []
    bar = tqdm(range(spec.max_epochs), desc=description, disable=not verbose, leave=False)
    for epoch in bar:
        logs = stack.train_epoch(data, batch, streams.pair("epoch", epoch))
        rates = spec.learning_rate * schedule.rate
        for critic in np.flatnonzero(schedule.active):
            rows.append({"critic": critic, "epoch": epoch,
                         **{name: float(value[critic]) for name, value in logs.items()},
                         "learning_rate": float(rates[critic])})  # fmt: skip
        stack.keep_best(schedule.update(epoch, logs[stack.monitor]))
        stack.set_rates(np.where(schedule.active, schedule.rate, 0.0))
        if stack.k == 1:
            bar.set_postfix(mi=f"{logs['mi'][0]:.4f}", val_mi=f"{logs['val_mi'][0]:.4f}",
                            refresh=False)  # fmt: skip
        else:
            bar.set_postfix(active=int(schedule.active.sum()), refresh=False)
        if not schedule.active.any():
            break
    bar.close()
    stack.restore_best()
    return pd.DataFrame(rows)


#: Idle stacks kept for later calls, at most `POOL_SIZE` (the oldest go first):
#: a stack traced by one `estimate_mi` serves the next one of the same shape.
POOL_SIZE = 16
_POOL: OrderedDict[tuple, list[CriticStack]] = OrderedDict()
_POOL_LOCK = threading.Lock()


class StackCache:
    """The stacks of one call: one `CriticStack` per shape and setting, reset per fold.

    Its compiled functions are traced once per shape, so every fold of the
    call (the halves of the extrapolation too) reuses them. Used as a
    context manager, it takes idle stacks from a process-wide pool and gives
    them back at the end, so the next call of the same shape traces nothing
    (tracing was half of a default `estimate_mi` on 2,000 rows); two calls
    at once (threads) never share a stack.
    """

    def __init__(self) -> None:
        self._stacks: dict[tuple, CriticStack] = {}
        self._pooled = False
        self._unpooled: set = set()

    def __enter__(self) -> StackCache:
        self._pooled = True
        return self

    def __exit__(self, *exc_info) -> None:
        with _POOL_LOCK:
            for key, stack in self._stacks.items():
                if key in self._unpooled:
                    continue
                _POOL.setdefault(key, []).append(stack)
                _POOL.move_to_end(key)
            while sum(len(stacks) for stacks in _POOL.values()) > POOL_SIZE:
                oldest = next(iter(_POOL))
                _POOL[oldest].pop(0)
                if not _POOL[oldest]:
                    del _POOL[oldest]
        self._stacks = {}

    def get(self, k: int, widths: tuple, method: str, options: dict[str, Any],
            critic: dict[str, Any], learning_rate: float,
            marginal: Marginal = SHUFFLE,
            encoders: tuple = (None, None)) -> CriticStack:  # fmt: skip
        """The stack of these settings (made, or taken from the pool, once per call).

        Stacks with encoders the user gave are never pooled: the next call
        may bring the same encoder object with other weights.
        """
        key = (k, tuple(widths), method, tuple(sorted(options.items())),
               tuple(sorted(critic.items())), learning_rate, marginal,
               tuple(id(e) for e in encoders))  # fmt: skip
        given = any(e is not None for e in encoders)
        if key not in self._stacks:
            stack = None
            if self._pooled and not given:
                with _POOL_LOCK:
                    idle = _POOL.get(key)
                    if idle:
                        stack = idle.pop()
                        if not idle:
                            del _POOL[key]
            if stack is None:
                stack = CriticStack(k, widths, method, options, critic, learning_rate, marginal,
                                    encoders)  # fmt: skip
            self._stacks[key] = stack
            if given:
                self._unpooled.add(key)
        return self._stacks[key]

    def stacks_made(self) -> list[CriticStack]:
        """The stacks this call uses, in order."""
        return list(self._stacks.values())


@dataclass
class FoldState:
    """What a fold trained, to rebuild its critics as Keras models."""

    init_seed: int
    weights: list  # per critic: [(kernel, bias), ...] per layer
    transforms: list  # per critic, per part (x, z or x, y, z): fitted MarginalTransform variables
    log_moving_average: np.ndarray  # (k,)


@dataclass
class CrossFit:
    """The cross-fitted readouts of k critics.

    Attributes
    ----------
    estimates, stderrs : np.ndarray
        Shape (folds, k): each fold's readout on its held-out rows, and its error.
    history : pandas.DataFrame
        ``train``'s rows with a ``fold`` column.
    folds : list of FoldState
        Empty unless asked for (``keep_state=True``).
    """

    estimates: np.ndarray
    stderrs: np.ndarray
    history: pd.DataFrame
    folds: list = field(default_factory=list)


def _fitted(layer: MarginalTransform, values: np.ndarray, train: np.ndarray) -> np.ndarray:
    """All rows of one variable through `layer` fitted on rows `train`."""
    layer.adapt(values[train])
    return keras.ops.convert_to_numpy(layer(values))


def cross_fit(x: np.ndarray, z, method: str, options: dict[str, Any],
              settings: dict[str, Any], streams: SeedStreams, cache: StackCache, *,
              readout: str = "dv", verbose: bool = False, keep_state: bool = False,
              description: str = "fit") -> CrossFit:  # fmt: skip
    """Cross-fit one critic per stacked sample, all trained together.

    Parameters
    ----------
    x : np.ndarray
        Shape (k, n, dx): k samples of the same widths.
    z : np.ndarray or (np.ndarray, np.ndarray)
        Shape (k, n, dz): MI I(X;Z), the marginal rows by shuffling z
        (`Shuffle`). Or (y, z), each (k, n, d): conditional MI I(X;Y|Z),
        the marginal rows by the y of z's nearest neighbour
        (`NearestNeighbour`). Each part is transformed on its own; the
        critic's second input is the parts side by side.
    method : str
        An objective of `keras_mine.core.objectives.OBJECTIVES` scored on pairs.
    options : dict
        Its checked options.
    settings : dict
        Checked settings (`keras_mine.estimators.settings.check_settings`):
        folds, val_size, num_shuffles, preprocessing, norm_feature, the
        critic's, and ``spec``, the `TrainingSpec` made from them.
    streams : SeedStreams
        Every random choice: ``folds``, then per fold ``init``,
        ``validation``, ``batches`` and ``readout``.
    cache : StackCache
        The stacks of this call.
    readout : str
        A key of `keras_mine.engine.readout.READOUTS`.
    verbose : bool
        Progress bars over epochs.
    keep_state : bool
        Keep each fold's weights and transforms (`FoldState`).
    description : str
        Label of the progress bars.
    """
    spec = settings["spec"]
    critic = {key: settings[key] for key in ("hidden_dim", "num_hidden_layers", "activation")}
    encoders = (settings.get("x_encoder"), settings.get("z_encoder"))
    parts = (x, *z) if isinstance(z, tuple) else (x, z)
    k, n = x.shape[:2]
    mode, norm_feature = settings["preprocessing"], settings["norm_feature"]
    # A density model of z needs z's columns alone: a norm feature would be a
    # deterministic column, of infinite density. Images and sequences are
    # mapped per channel, with no norm feature.
    features = [norm_feature and part.ndim == 3 and (p == 0 or not OBJECTIVES[method].density)
                for p, part in enumerate(parts)]  # fmt: skip
    shapes = [MarginalTransform.output_sample_shape(part.shape[2:], mode, feature)
              for part, feature in zip(parts, features, strict=True)]  # fmt: skip
    structured = any(len(shape) > 1 for shape in shapes)
    if (structured or any(e is not None for e in encoders)) and (
            len(parts) > 2 or OBJECTIVES[method].density):
        raise ValueError(
            f"method={method!r} takes tabular samples, (n, features) each, and no encoder: "
            "images, sequences and encoders are for the critic methods of I(X;Z) "
            "('mine', 'nwj', 'smile', 'js', 'classifier', 'infonce'). Flatten the samples "
            "(reshape(len(x), -1)) or encode them first."
        )
    if structured or any(e is not None for e in encoders):
        widths = tuple(shapes)
    else:
        widths = [shape[0] for shape in shapes]
        widths = (widths[0], sum(widths[1:]))
    # (y, z): the marginal swaps y's columns, as many as the transform makes of them.
    marginal = NearestNeighbour(shapes[1][0]) if len(parts) > 2 else SHUFFLE
    stack = cache.get(k, widths, method, options, critic, spec.learning_rate, marginal,
                      encoders)  # fmt: skip
    layers = [stack.transform(p, mode, feature) for p, feature in enumerate(features)]
    estimates, stderrs, histories, states = [], [], [], []
    splits = cross_fit_splits(n, settings["folds"], settings["val_size"], streams.rng("folds"))
    for fold, (train_rows, val, test) in enumerate(splits):
        fold_streams = streams.child("fold", fold)
        mapped, fitted = [], []  # per critic: each part mapped; each part's fitted state
        for i in range(k):
            mapped.append([_fitted(layer, part[i], train_rows)
                           for layer, part in zip(layers, parts, strict=True)])  # fmt: skip
            fitted.append([[v.numpy().copy() for v in layer.variables] for layer in layers])
        x_fold = np.stack([critic_parts[0] for critic_parts in mapped])
        z_fold = np.stack([np.concatenate(critic_parts[1:], axis=-1) for critic_parts in mapped])
        init_seed = fold_streams.integer("init")
        stack.reset(init_seed)
        data = stack.epoch_data(x_fold, z_fold, train_rows, val, fold_streams.rng("validation"))
        stack.start(data)
        history = train(stack, data, spec, fold_streams.child("batches"), verbose=verbose,
                        description=f"{description} fold {fold + 1}/{len(splits)}")  # fmt: skip
        history.insert(0, "fold", fold)
        histories.append(history)
        estimate, stderr = stack.read_out(x_fold[:, test], z_fold[:, test],
                                          fold_streams.rng("readout"),
                                          settings.get("num_shuffles", 1), readout,
                                          options)  # fmt: skip
        estimates.append(estimate)
        stderrs.append(stderr)
        if keep_state:
            states.append(FoldState(init_seed, [stack.critic_weights(i) for i in range(k)],
                                    fitted,
                                    stack.log_moving_average.numpy().copy()))  # fmt: skip
    return CrossFit(np.array(estimates), np.array(stderrs),
                    pd.concat(histories, ignore_index=True), states)  # fmt: skip
