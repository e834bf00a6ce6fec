"""The stacked trainer: k critics trained as one network (the engine of `estimate_mi_many`).

A rho sweep, a pairwise MI matrix or a feature ranking needs one estimate per
pair of variables. Trained apart, each pays the per-step overhead of a small
network; stacked (`keras_mine.core.critics.StackedMLPCritic`), the k critics share
every graph op. Each critic keeps its own schedule: early stopping, the
learning-rate reduction on plateaus and the best-weights restore are decided
per critic at epoch ends, with the rules of
`keras_mine.models.callbacks.default_callbacks` that `estimate_mi` uses.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from tqdm.auto import tqdm

from keras_mine.core.bounds import donsker_varadhan, donsker_varadhan_stderr
from keras_mine.core.critics import StackedMLPCritic
from keras_mine.core.data import READOUT_BLOCK, VALIDATION_BLOCK, marginal_permutations
from keras_mine.core.objectives import OBJECTIVES, MovingAverageState, moving_average_objective
from keras_mine.core.preprocessing import MarginalTransform, check_preprocessing
from keras_mine.core.validation import check_paired_samples
from keras_mine.estimators.crossfit import TrainingConfig, cross_fit_splits
from keras_mine.estimators.result import MIResult
from keras_mine.models.callbacks import PlateauSchedule

__all__ = [
    "fit_stacked",
    "stack_pairs",
    "pairs_per_run",
    "StackedFit",
    "STACKABLE_METHODS",
    "STACK_MEMORY_BYTES",
]

#: Methods `estimate_mi_many` trains stacked: the objectives of pairs read out
#: with DV (`keras_mine.core.objectives.OBJECTIVES`, where their options live).
STACKABLE_METHODS = tuple(
    name for name, o in OBJECTIVES.items() if o.readout == "dv" and not o.score_matrix
)
_EVAL_SEED = (1234, 0)
#: Memory one stacked run may take, in bytes (`pairs_per_run`): a laptop's
#: share. Pass ``chunk_size`` to `keras_mine.estimate_mi_many` to override.
STACK_MEMORY_BYTES = 2**30


def pairs_per_run(
    n_samples: int, widths: tuple[int, int], settings: dict[str, Any],
    memory_bytes: int = STACK_MEMORY_BYTES,
) -> int:  # fmt: skip
    """How many critics one stacked run can train within `memory_bytes` (at least 1).

    Per critic, in float32 unless said: its weights five times (weights,
    best weights, gradient, Adam's two moments); its samples four times
    (the float64 input, the fold's transformed copy, the training and the
    validation tensors); the activations of a readout block (every layer,
    the joint rows and each shuffle), and of a training batch three times
    (forward, backward, the shuffled marginal).

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
    batch = _batch(settings, n_samples)
    activations = h * layers * (rows * 2 + 3 * settings["num_shuffles"] * batch)
    per_critic = 4 * (5 * weights + activations) + n_samples * width * (8 + 4 + 4 + 4)
    return max(1, int(memory_bytes // per_critic))


def _batch(settings: dict[str, Any], n_samples: int) -> int:
    batch = settings["batch_size"]
    return n_samples if batch == "full" else min(int(batch), n_samples)


def stack_pairs(pairs: Sequence[tuple[Any, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Check the pairs and stack them, zero-padded to the widest x and z: (k, n, d)."""
    checked = [
        check_paired_samples(x, z, (f"pairs[{i}][0]", f"pairs[{i}][1]"), dtype="float64")
        for i, (x, z) in enumerate(pairs)
    ]
    lengths = {len(x) for x, _ in checked}
    if len(lengths) > 1:
        raise ValueError(
            f"All pairs must have the same number of samples to train stacked; received "
            f"lengths {sorted(lengths)}. Subsample them to a common length, or call "
            "estimate_mi on each."
        )
    # A zero column adds nothing: its first-layer weights get zero gradients.
    width_x = max(x.shape[1] for x, _ in checked)
    width_z = max(z.shape[1] for _, z in checked)
    pad = lambda a, w: np.pad(a, ((0, 0), (0, w - a.shape[1])))  # noqa: E731
    return (
        np.stack([pad(x, width_x) for x, _ in checked]),
        np.stack([pad(z, width_z) for _, z in checked]),
    )


def _transform_pairs(
    x: np.ndarray, z: np.ndarray, train: np.ndarray, preprocessing: str, norm_feature: bool
):
    """Each pair's x and z through a `MarginalTransform` fitted on its rows `train`.

    Shapes (k, n, d) in, (k, n, d + 1) out with `norm_feature` (else the
    same); the fitted maps are applied to all rows, the held-out ones
    included, as `estimate_mi`'s models do.
    """
    if check_preprocessing(preprocessing) == "none":
        return x.astype(np.float32), z.astype(np.float32)

    def transform(values: np.ndarray) -> np.ndarray:
        layer = MarginalTransform(preprocessing, norm_feature=norm_feature)
        layer.adapt(values[train])
        return keras.ops.convert_to_numpy(layer(values))

    return tuple(np.stack([transform(values) for values in a]) for a in (x, z))


def _shuffle_rows(z, seed):
    """An independent permutation of the rows of each critic's z: (k, b, d) -> (k, b, d)."""
    keys = tf.random.stateless_uniform(tf.shape(z)[:2], seed)
    return tf.gather(z, tf.argsort(keys, axis=1), batch_dims=1)


class StackedFit:
    """The training state of one fold: critic, optimizer, per-critic schedules."""

    def __init__(self, method, options, config, k, widths, critic_settings, seed):
        self.method, self.options, self.config, self.k = method, options, config, k
        self.critic = StackedMLPCritic(k, seed=seed, **critic_settings)
        self.critic.build((k, None, widths[0]), (k, None, widths[1]))
        self.variables = self.critic.trainable_variables
        self.best = [tf.Variable(v) for v in self.variables]
        self.optimizer = keras.optimizers.Adam(config.learning_rate)
        self.optimizer.build(self.variables)
        # Per-critic rate relative to Adam's: Adam's step is linear in the
        # rate, so scaling a critic's step by s trains it at rate s * lr;
        # s = 0 freezes a critic that has stopped.
        self.scale = tf.Variable(tf.ones(k))
        self.log_moving_average = tf.Variable(tf.zeros(k))
        self.updates = tf.Variable(0.0)
        # Seed of the stateless batch orders and shuffles; with seed=None a
        # fresh one, as the initialization then is.
        self.seed = int(np.random.default_rng().integers(2**31 - 1)) if seed is None else seed

    def objective(self, t_joint, t_marginal):
        spec = OBJECTIVES[self.method]
        if not spec.moving_average:
            return spec.train(t_joint, t_marginal, **self.options)
        state = MovingAverageState(self.log_moving_average, self.updates)
        objective, state = moving_average_objective(t_joint, t_marginal, state, **self.options)
        self.log_moving_average.assign(state.log_average)
        self.updates.assign(state.updates)
        return objective

    def train_step(self, x, z, seed):
        with tf.GradientTape() as tape:
            t_joint = self.critic(x, z)
            t_marginal = self.critic(x, _shuffle_rows(z, seed))
            loss = -tf.reduce_sum(self.objective(t_joint, t_marginal))
        gradients = tape.gradient(loss, self.variables)
        before = [tf.identity(v) for v in self.variables]
        self.optimizer.apply(gradients, self.variables)
        scale = self.scale[:, None, None]
        for variable, old in zip(self.variables, before, strict=True):
            variable.assign(old + scale * (variable - old))

    def make_epoch(self, n_train: int, batch_size: int):
        steps = -(-n_train // batch_size)

        @tf.function
        def epoch(x, z, x_val, z_val, epoch_index):
            # One stateless seed per (seed, epoch) for the batch order, and
            # one derived from it per step for the marginal shuffles.
            epoch_seed = tf.random.experimental.stateless_fold_in(
                tf.constant([self.seed, 0], tf.int64), epoch_index
            )
            # argsort of uniform keys: a shuffle with GPU kernels (stateless_shuffle has none)
            order = tf.argsort(tf.random.stateless_uniform([n_train], epoch_seed))
            for step in tf.range(steps):
                rows = order[step * batch_size : (step + 1) * batch_size]
                self.train_step(
                    tf.gather(x, rows, axis=1),
                    tf.gather(z, rows, axis=1),
                    tf.random.experimental.stateless_fold_in(epoch_seed, step + 1),
                )
            return self.dv(x_val, z_val, _EVAL_SEED)

        return epoch

    def dv(self, x, z, seed):
        """DV of each critic on all rows of (x, z) (fixed permutation seed): (k,)."""
        joint, marginal = [], []
        n = x.shape[1]
        for start in range(0, n, VALIDATION_BLOCK):
            xb, zb = x[:, start : start + VALIDATION_BLOCK], z[:, start : start + VALIDATION_BLOCK]
            joint.append(self.critic(xb, zb))
            marginal.append(self.critic(xb, _shuffle_rows(zb, seed)))
        return donsker_varadhan(tf.concat(joint, 1), tf.concat(marginal, 1))

    @tf.function
    def keep_best(self, improved):
        for variable, best in zip(self.variables, self.best, strict=True):
            best.assign(tf.where(improved[:, None, None], variable, best))

    def restore_best(self):
        for variable, best in zip(self.variables, self.best, strict=True):
            variable.assign(best)

    def readout(
        self, x, z, num_shuffles: int, block: int = READOUT_BLOCK
    ) -> tuple[np.ndarray, np.ndarray]:
        """DV of each critic on (x, z) and its standard error, each (k,).

        The marginal samples pair x with `num_shuffles` seeded permutations
        of z; every critic call scores at most `block` rows of each pair.
        """
        score = tf.function(self.critic, reduce_retracing=True)

        def scores(z_rows):
            return tf.concat([score(x[:, r], z_rows[:, r]) for r in _blocks(x.shape[1], block)], 1)

        joint = scores(z)
        marginal = tf.concat(
            [
                scores(tf.gather(z, permutation, axis=1))
                for permutation in marginal_permutations(x.shape[1], num_shuffles, seed=0)
            ],
            1,
        )
        return (
            donsker_varadhan(joint, marginal).numpy(),
            donsker_varadhan_stderr(joint, marginal).numpy(),
        )


def _blocks(n: int, block: int) -> list[slice]:
    return [slice(start, start + block) for start in range(0, n, block)]


def _train_fold(fit: StackedFit, x, z, train, val, config, verbose, description) -> pd.DataFrame:
    """Per-critic early stopping, rate schedule and best weights, decided at epoch ends.

    The rules are `PlateauSchedule`'s: those of the callbacks `estimate_mi` uses.
    """
    x_train, z_train = tf.constant(x[:, train]), tf.constant(z[:, train])
    x_val, z_val = tf.constant(x[:, val]), tf.constant(z[:, val])
    batch = len(train) if config.batch_size == "full" else min(config.batch_size, len(train))
    epoch_function = fit.make_epoch(len(train), batch)
    schedule = PlateauSchedule(
        fit.k, patience=config.stop_patience, min_delta=config.stop_min_delta,
        lr_factor=config.lr_factor, lr_patience=config.lr_patience,
    )  # fmt: skip
    rows = []
    bar = tqdm(range(config.max_epochs), desc=description, disable=not verbose, leave=False)
    for epoch in bar:
        val_mi = epoch_function(x_train, z_train, x_val, z_val, tf.constant(epoch)).numpy()
        for critic in np.flatnonzero(schedule.active):
            rows.append(
                dict(
                    critic=critic,
                    epoch=epoch,
                    val_mi=val_mi[critic],
                    learning_rate=config.learning_rate * schedule.rate[critic],
                )  # fmt: skip
            )
        fit.keep_best(tf.constant(schedule.update(epoch, val_mi)))
        fit.scale.assign(np.where(schedule.active, schedule.rate, 0.0).astype(np.float32))
        bar.set_postfix(active=int(schedule.active.sum()), refresh=False)
        if not schedule.active.any():
            break
    bar.close()
    fit.restore_best()
    return pd.DataFrame(rows)


def fit_stacked(
    x: np.ndarray, z: np.ndarray, method: str, settings: dict[str, Any], seed, verbose: bool
) -> list[MIResult]:
    """Cross-fit one critic per pair of stacked samples, trained together.

    Parameters
    ----------
    x, z : np.ndarray
        Shapes (k, n, dx) and (k, n, dz), as `stack_pairs` returns them.
    method : str
        A key of `STACKABLE_METHODS`.
    settings : dict
        Every setting of `keras_mine.estimators.settings.NEURAL_SETTINGS`
        and the method's options, already checked.
    seed : int or None
        Seeds the folds, the initialization, batch order and shuffles.
    verbose : bool
        Progress bar over epochs with the number of critics still training.

    Returns
    -------
    list of MIResult
        One per pair (see `keras_mine.estimate_mi_many`); ``seconds`` is the
        run's wall time divided by its k critics. No warnings issued.
    """
    start = time.perf_counter()
    config = TrainingConfig(**{key: settings[key] for key in TrainingConfig.__dataclass_fields__})
    critic_settings = {key: settings[key] for key in ("hidden_dim", "num_hidden_layers",
                                                      "activation")}  # fmt: skip
    own = OBJECTIVES[method].defaults
    options = OBJECTIVES[method].options(**{k: v for k, v in settings.items() if k in own})
    k, n = x.shape[:2]
    estimates, stderrs, histories = [], [], []
    splits = cross_fit_splits(n, settings["folds"], settings["val_size"], seed)
    for fold, (train, val, test) in enumerate(splits):
        fold_seed = None if seed is None else seed + fold
        x_fold, z_fold = _transform_pairs(
            x, z, train, settings["preprocessing"], settings["norm_feature"]
        )
        fit = StackedFit(method, options, config, k, (x_fold.shape[2], z_fold.shape[2]),
                          critic_settings, fold_seed)  # fmt: skip
        history = _train_fold(fit, x_fold, z_fold, train, val, config, verbose,
                              f"{method} x{k} fold {fold + 1}/{len(splits)}")  # fmt: skip
        history.insert(0, "fold", fold)
        histories.append(history)
        estimate, stderr = fit.readout(x_fold[:, test], z_fold[:, test], settings["num_shuffles"])
        estimates.append(estimate)
        stderrs.append(stderr)
    seconds = (time.perf_counter() - start) / k  # the run's time per critic
    estimates, stderrs = np.array(estimates), np.array(stderrs)  # (folds, k)
    history = pd.concat(histories, ignore_index=True)
    results = [
        MIResult(
            mi=float(estimates[:, i].mean()),
            method=method,
            seconds=seconds,
            history=history[history["critic"] == i].drop(columns="critic").reset_index(drop=True),
            fold_estimates=tuple(float(e) for e in estimates[:, i]),
            fold_stderrs=tuple(float(e) for e in stderrs[:, i]),
            n_samples=n,
            mi_full_sample=float(estimates[:, i].mean()),
        )
        for i in range(k)
    ]
    return results
