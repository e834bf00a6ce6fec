"""Neural estimates of pairs through the engine: `estimate_mi`'s and `estimate_mi_many`'s.

One function, `fit_pairs`, turns k pairs of the same widths into k results:
the cross-fitted estimate on all rows (`keras_mine.engine.loop.cross_fit`,
k critics stacked), then, with ``extrapolate``, the same on both halves of
every pair (2k critics stacked) and the sample-size extrapolation of
`MIResult.with_halves`. `estimate_mi` calls it with k = 1 and gets Keras
models of its fold critics back (`build_model`); `estimate_mi_many` calls it
once per group of pairs of equal widths. Every pair draws from the same named
streams of the call's seed (folds, initialization, batch order, shuffles,
readout), so a pair's result is the same whichever pairs it is stacked with.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from keras_mine.core.data import NCE_READOUT_BLOCK, READOUT_BLOCK
from keras_mine.core.objectives import OBJECTIVES
from keras_mine.core.preprocessing import normal_range
from keras_mine.core.seeds import SeedStreams
from keras_mine.core.validation import check_option
from keras_mine.engine.loop import CrossFit, FoldState, StackCache, cross_fit, half_rows
from keras_mine.estimators.result import MIResult
from keras_mine.models.classifier import CLASSIFIER_READOUTS

__all__ = ["fit_pairs", "width_groups", "pairs_per_run", "STACK_MEMORY_BYTES",
           "FoldModels"]  # fmt: skip

#: Memory one stacked run may take, in bytes (`pairs_per_run`): a laptop's
#: share. Pass ``chunk_size`` to `keras_mine.estimate_mi_many` to override.
STACK_MEMORY_BYTES = 2**30


def pairs_per_run(
    n_samples: int, widths: tuple[int, int], settings: dict[str, Any],
    memory_bytes: int = STACK_MEMORY_BYTES, method: str = "mine",
) -> int:  # fmt: skip
    """How many critics one stacked run can train within `memory_bytes` (at least 1).

    Per critic, in float32 unless said: its weights five times (weights,
    best weights, gradient, Adam's two moments); its samples four times
    (the float64 input, the fold's transformed copy, the training and the
    validation tensors); the activations of a readout block (every layer,
    the joint rows and each shuffle), and of a training batch three times
    (forward, backward, the shuffled marginal); for InfoNCE (`method`), a
    readout block's score matrix and a batch's three times.

    Examples
    --------
    >>> from keras_mine.estimators.settings import defaults_for
    >>> settings = defaults_for("mine", np.zeros((2, 1)), np.zeros((2, 1)))
    >>> pairs_per_run(2_000, (1, 1), settings)   # 1 GiB: about 4 MB per critic
    256
    """
    h, layers = settings["hidden_dim"], settings["num_hidden_layers"]
    width = sum(widths)
    weights = width * h + (layers - 1) * h * h + layers * h + h + 1
    rows = min(n_samples, READOUT_BLOCK)
    batch = n_samples if settings["batch_size"] == "full" else min(settings["batch_size"],
                                                                    n_samples)  # fmt: skip
    activations = h * layers * (rows * 2 + 3 * settings["num_shuffles"] * batch)
    if OBJECTIVES[method].score_matrix:
        activations += min(n_samples, NCE_READOUT_BLOCK) ** 2 + 3 * batch**2
    per_critic = 4 * (5 * weights + activations) + n_samples * width * (8 + 4 + 4 + 4)
    return max(1, int(memory_bytes // per_critic))


def width_groups(pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> dict[tuple, list[int]]:
    """The indices of the pairs of each (columns of x, columns of z), in order.

    Pairs of equal widths train stacked; pairs of other widths train in
    runs of their own, each with the defaults `estimate_mi` gives them.
    """
    groups: dict[tuple, list[int]] = {}
    for i, (x, z) in enumerate(pairs):
        groups.setdefault((x.shape[1], z.shape[1]), []).append(i)
    return groups


def _readout_name(method: str, settings: dict[str, Any]) -> str:
    """The readout of `method`: its objective's, or the classifier's ``readout`` setting."""
    if OBJECTIVES[method].readout != "dv":
        return OBJECTIVES[method].readout  # smile; infonce (read out by the stack itself)
    return check_option(settings.get("readout", "dv"), "readout", CLASSIFIER_READOUTS)


def _options(method: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The objective's checked options from the settings (the readout is not one)."""
    own = OBJECTIVES[method].defaults
    return OBJECTIVES[method].check_options(**{k: v for k, v in settings.items() if k in own})


def _model(build_model: Callable, fold: FoldState, i: int, shapes: tuple[tuple, ...],
           moving_average: bool) -> keras.Model:  # fmt: skip
    """Critic i of a fold as the Keras model `build_model(seed)` builds (no optimizer state)."""
    model = build_model(seed=fold.init_seed)
    model.build(tuple((None, *shape) for shape in shapes))
    for fitted, transform in zip(fold.transforms[i], model.input_transforms, strict=True):
        for value, variable in zip(fitted, transform.variables, strict=True):
            variable.assign(value)
    if fold.weights[i] and not isinstance(fold.weights[i][0], tuple):  # a Keras critic's
        model.critic.set_weights(fold.weights[i])
    else:
        for layer, (kernel, bias) in zip(model.critic.dense_layers, fold.weights[i],
                                         strict=True):  # fmt: skip
            layer.kernel.assign(kernel)
            layer.bias.assign(bias)
    if moving_average:
        model.log_moving_average.assign(fold.log_moving_average[i])
        model.moving_average_updates.assign(1.0)
    return model


class FoldModels(Sequence):
    """One critic's fold models as Keras models, built when first read.

    A sequence of `keras.Model`: ``result.models[0]``, ``len(result.models)``.
    The engine trains stacked critics, not Keras models; a result's models
    are rebuilt from each fold's state (weights, input transforms, moving
    average) only when asked for, so an estimate that nobody inspects
    builds no Keras model (and checks no setting twice).
    """

    def __init__(self, build_model: Callable, folds: list[FoldState], critic: int,
                 widths: tuple[int, ...], moving_average: bool) -> None:  # fmt: skip
        self._build = (build_model, folds, critic, widths, moving_average)
        self._models: tuple | None = None

    def _built(self) -> tuple:
        if self._models is None:
            build_model, folds, critic, widths, moving_average = self._build
            self._models = tuple(_model(build_model, fold, critic, widths, moving_average)
                                 for fold in folds)  # fmt: skip
        return self._models

    def __len__(self) -> int:
        return len(self._build[1])

    def __getitem__(self, index):
        return self._built()[index]

    def __repr__(self) -> str:
        return f"FoldModels({len(self)} folds)"


def _results(fit: CrossFit, method: str, n: int, seconds: float, models: list) -> list[MIResult]:
    """One `MIResult` per critic of `fit`, named `method`."""
    history = fit.history
    results = []
    for i in range(fit.estimates.shape[1]):
        mi = float(fit.estimates[:, i].mean())
        results.append(MIResult(
            mi=mi, method=method, seconds=seconds,
            history=history[history["critic"] == i].drop(columns="critic").reset_index(drop=True),
            models=models[i] if models else (),
            fold_estimates=tuple(float(e) for e in fit.estimates[:, i]),
            fold_stderrs=tuple(float(e) for e in fit.stderrs[:, i]),
            n_samples=n, mi_full_sample=mi,
        ))  # fmt: skip
    return results


def _in_range(values: np.ndarray) -> np.ndarray:
    """`normal_range` of stacked samples (k, n, ...): per column, or per channel of images."""
    if values.ndim <= 3:
        return normal_range(values)
    flat = values.reshape(values.shape[0], -1, values.shape[-1])  # every position a row
    return normal_range(flat).reshape(values.shape)


def fit_pairs(x: np.ndarray, z, method: str, settings: dict[str, Any],
              streams: SeedStreams, *, verbose: bool = False,
              build_model: Callable[[int], keras.Model] | None = None,
              cache: StackCache | None = None,
              name: str | None = None) -> list[MIResult]:  # fmt: skip
    """Cross-fit (and extrapolate) one critic per pair, all trained together.

    Parameters
    ----------
    x : np.ndarray
        Shape (k, n, dx): checked samples of the same widths; or
        (k, n, ...), images or sequences (encoded by the critics).
    z : np.ndarray or (np.ndarray, np.ndarray)
        Shape (k, n, dz) (or (k, n, ...)): MI I(X;Z), marginal rows by shuffling z. Or
        (y, z), each (k, n, d): conditional MI I(X;Y|Z), marginal rows
        by the y of z's nearest neighbour (CCMI).
    method : str
        One of `ENGINE_METHODS`.
    settings : dict
        Every setting of `NEURAL_SETTINGS` and the method's options, checked.
    streams : SeedStreams
        The call's streams: ``full`` for the fit on all rows, ``halves``
        for the halves' rows and their fit.
    verbose : bool
        Progress bars over epochs with the number of critics still training.
    build_model : callable, optional
        ``build_model(seed=s) -> model``: an uncompiled `keras_mine.MINE`,
        `keras_mine.ClassifierMI`, `keras_mine.InfoNCE` or
        `keras_mine.ConditionalClassifierMI` with the method's settings;
        then each result's ``models`` holds its fold critics as such models
        (weights, input transforms and moving average; a fresh optimizer),
        built when first read (`FoldModels`).
    cache : StackCache, optional
        The call's stacks (traced once per shape); default one drawing on
        the process-wide pool.
    name : str, optional
        The results' method name (default `method`).

    Returns
    -------
    list of MIResult
        One per pair; ``seconds`` is the wall time divided by k.
    """
    if cache is None:
        with StackCache() as cache:  # stacks from the process-wide pool, given back after
            return fit_pairs(x, z, method, settings, streams, verbose=verbose,
                             build_model=build_model, cache=cache, name=name)  # fmt: skip
    start = time.perf_counter()
    x = _in_range(x)  # before TensorFlow: it flushes float64 denormals to zero
    z = tuple(map(_in_range, z)) if isinstance(z, tuple) else _in_range(z)
    name = name or method
    k, n = x.shape[:2]
    parts = z if isinstance(z, tuple) else (z,)
    options, readout = _options(method, settings), _readout_name(method, settings)

    def fit(a, b, part_streams, label, keep):
        return cross_fit(a, b, method, options, settings, part_streams, cache, readout=readout,
                         verbose=verbose, keep_state=keep, description=label)  # fmt: skip

    label = name if k == 1 else f"{name} x{k}"
    full = fit(x, z, streams.child("full"), label, build_model is not None)
    models = []
    if build_model is not None:
        moving = OBJECTIVES[method].moving_average
        widths = tuple(a.shape[2:] for a in (x, *parts))
        models = [FoldModels(build_model, full.folds, i, widths, moving) for i in range(k)]
    if not settings["extrapolate"]:
        return _results(full, name, n, (time.perf_counter() - start) / k, models)
    first, second = half_rows(n, streams.rng("halves", "rows"), settings["folds"],
                              settings["val_size"])  # fmt: skip
    both = lambda a: np.concatenate([a[:, first], a[:, second]])  # noqa: E731
    halves = fit(both(x), tuple(map(both, z)) if isinstance(z, tuple) else both(z),
                 streams.child("halves"), f"{label} halves", False)  # fmt: skip
    seconds = (time.perf_counter() - start) / k
    full_results = _results(full, name, n, seconds, models)
    half_results = _results(halves, name, len(first), 0.0, [])
    return [result.with_halves([half_results[i], half_results[k + i]])
            for i, result in enumerate(full_results)]  # fmt: skip
