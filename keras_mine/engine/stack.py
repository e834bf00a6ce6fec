"""`CriticStack`: k critics trained at once, each exactly as it would train alone.

The trainable state of the engine: a `keras_mine.core.critics.StackedMLPCritic`
of k critics (a `StackedSeparableCritic` for InfoNCE, whose objective needs
each batch's score matrix), one Adam optimizer with a learning-rate factor
per critic (`StackedAdam`; 0 for a stopped critic), its best weights and
MINE's moving average. Every op of a step is either per critic (batched
matmuls, reductions over rows) or shared by all critics (the batch order and
the marginal shuffles come from one stream), so critic i of a stack computes
bit for bit what a stack of one computes on the same rows: k = 1 is
`keras_mine.estimate_mi`, k > 1 `keras_mine.estimate_mi_many`, and the two
agree (tests/test_engine.py).

A stack is made once per shape and `reset` for each fold: the compiled epoch
and scoring functions are traced once (the row count is dynamic) and serve
every fold, the halves of the extrapolation included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from keras_mine.core.bounds import split_score_matrix
from keras_mine.core.critics import StackedMLPCritic, StackedSeparableCritic
from keras_mine.core.data import NCE_READOUT_BLOCK, READOUT_BLOCK, VALIDATION_BLOCK
from keras_mine.core.densities import StackedDensityCritic
from keras_mine.core.objectives import OBJECTIVES, MovingAverageState, moving_average_objective
from keras_mine.core.preprocessing import MarginalTransform
from keras_mine.engine.marginal import SHUFFLE, Marginal
from keras_mine.engine.optimizer import StackedAdam
from keras_mine.engine.readout import READOUTS

__all__ = ["CriticStack"]


def _scores_by_blocks(score, x, z, block: int):
    """``score`` on consecutive row blocks of (k, n, d) inputs, concatenated: (k, n)."""
    n = tf.shape(x)[1]
    blocks = tf.TensorArray(x.dtype, size=0, dynamic_size=True, infer_shape=False)

    def body(i, blocks):
        rows = slice(i * block, (i + 1) * block)
        return i + 1, blocks.write(i, tf.transpose(score(x[:, rows], z[:, rows])))

    _, blocks = tf.while_loop(lambda i, _: i * block < n, body, (tf.constant(0), blocks))
    return tf.transpose(blocks.concat())


class CriticStack:
    """k MLP critics of one objective, trained together (the engine's state).

    Parameters
    ----------
    k : int
        Number of critics.
    widths : (int, int) or (tuple, tuple)
        Columns of each critic's (transformed) x and z, or the shape of
        one sample of each (with encoders).
    method : str
        A key of `keras_mine.core.objectives.OBJECTIVES` scored on pairs.
    options : dict
        The objective's checked options (`Objective.options`).
    critic : dict
        ``hidden_dim``, ``num_hidden_layers`` and ``activation``.
    learning_rate : float
        Adam's rate; each critic's step is scaled by its own factor.
    marginal : Shuffle, NearestNeighbour or Reference
        Where the critics' marginal rows come from (`keras_mine.engine.marginal`).
    encoders : (layer or None, layer or None), optional
        Encoders of x and z; with them, or with `widths` that are sample
        shapes of more than one axis (images, sequences: default
        encoders), the critics are Keras critics
        (`keras_mine.engine.encoded.KerasCritics`).
    """

    def __init__(self, k: int, widths: tuple, method: str, options: dict[str, Any],
                 critic: dict[str, Any], learning_rate: float,
                 marginal: Marginal = SHUFFLE, encoders: tuple = (None, None)) -> None:  # fmt: skip
        self.k, self.widths, self.method = k, tuple(widths), method
        self.marginal = marginal
        self.objective = OBJECTIVES[method]
        self.options = options
        shapes = tuple(w if isinstance(w, tuple) else (w,) for w in widths)
        self.encoded = any(e is not None for e in encoders) or any(len(s) > 1 for s in shapes)
        if self.encoded:
            from keras_mine.engine.encoded import KerasCritics

            self.critic = KerasCritics(k, shapes, self.objective.score_matrix, critic, encoders)
        elif self.objective.density:  # a pair of density models (difference of entropies)
            self.critic = StackedDensityCritic(k, options["components"], seed=None, **critic)
        else:
            critic_class = (StackedSeparableCritic if self.objective.score_matrix
                            else StackedMLPCritic)  # fmt: skip
            self.critic = critic_class(k, seed=None, **critic)
        #: The validation log the stopping and best-epoch rule maximizes: the
        #: MI readout, or for density models their likelihood (selecting the
        #: epoch of highest MI would favour a poor marginal model).
        self.monitor = "val_log_likelihood" if self.objective.density else "val_mi"
        if not self.encoded:
            self.critic.build((k, None, widths[0]), (k, None, widths[1]))
        self.variables = self.critic.trainable_variables
        self.best = [tf.Variable(v) for v in self.variables]
        self.optimizer = StackedAdam(self.variables, learning_rate,
                                     owners=getattr(self.critic, "owners", None), k=k)
        self.log_moving_average = tf.Variable(tf.zeros(k))
        self.updates = tf.Variable(0.0)
        self._transforms: dict[tuple, MarginalTransform] = {}
        self.epoch_function = tf.function(self._train_epoch, reduce_retracing=True)
        self.score_function = tf.function(
            lambda x, z: _scores_by_blocks(self.critic, x, z, READOUT_BLOCK),
            reduce_retracing=True,
        )
        self.block_bound_function = tf.function(
            lambda x, z: self.objective.train(self.critic.score_matrix(x, z)),
            reduce_retracing=True,
        )

    # ------------------------------------------------------------------ state
    def transform(self, part: int, mode: str, norm_feature: bool) -> MarginalTransform:
        """The input transform of part `part` (0: x), made once per stack and mode.

        Refitted (`adapt`) for each critic and fold by `keras_mine.engine.loop.cross_fit`;
        its settings are checked once, on the call's entry.
        """
        key = (part, mode, norm_feature)
        if key not in self._transforms:
            self._transforms[key] = MarginalTransform(mode, norm_feature=norm_feature)
        return self._transforms[key]

    def reset(self, init_seed: int | None) -> None:
        """Start every critic where `MLPCritic(seed=init_seed)` starts; fresh optimizer.

        (`SeparableCritic(seed=init_seed)` for a score-matrix objective; with
        encoders, the Keras critic made from `init_seed`.)
        """
        self.optimizer.reset()
        self.log_moving_average.assign(tf.zeros(self.k))
        self.updates.assign(0.0)
        if self.encoded:
            self.critic.reset(init_seed)
            self.keep_best(np.ones(self.k, bool))
            return
        initializers = self.critic.initializers(init_seed)
        for kernel, bias, initializer in zip(self.critic.kernels, self.critic.biases,
                                             initializers, strict=True):  # fmt: skip
            one = initializer(kernel.shape[1:], dtype=kernel.dtype)
            kernel.assign(tf.broadcast_to(one, kernel.shape))
            bias.assign(tf.zeros(bias.shape, bias.dtype))
        for weight in self.critic.extra_weights:
            weight.assign(tf.zeros(weight.shape, weight.dtype))
        self.keep_best(np.ones(self.k, bool))

    def start(self, data: dict) -> None:
        """After `reset`: density models start at the Gaussian fit of the training z.

        (Critics start where `reset` put them.) Saved as the best weights so far.
        """
        if self.objective.density:
            self.critic.start_gaussian(*(data[name].numpy() for name in ("x", "z", "x_val",
                                                                          "z_val")))  # fmt: skip
            self.keep_best(np.ones(self.k, bool))

    def set_rates(self, factors: np.ndarray) -> None:
        """Each critic's rate factor (0: frozen)."""
        self.optimizer.rates.assign(np.asarray(factors, np.float32))

    def keep_best(self, improved: np.ndarray) -> None:
        """Save the current weights of the critics where `improved` (k,) is true."""
        improved = np.asarray(improved, bool)
        owners = getattr(self.critic, "owners", None)
        for j, (variable, best) in enumerate(zip(self.variables, self.best, strict=True)):
            if owners is None:
                best.assign(tf.where(tf.constant(improved)[:, None, None], variable, best))
            elif improved[owners[j]]:
                best.assign(variable)

    def restore_best(self) -> None:
        """Every critic back to its best saved weights."""
        for variable, best in zip(self.variables, self.best, strict=True):
            variable.assign(best)

    def critic_weights(self, i: int) -> list:
        """Critic i's (kernel (in, out), bias (out,)) per layer, as its Keras critic's
        ``dense_layers`` (`MLPCritic`, `SeparableCritic`); with encoders, the
        ``get_weights()`` of its Keras critic."""
        if self.encoded:
            return self.critic.weights(i)
        return [(k.numpy()[i], b.numpy()[i, 0])
                for k, b in zip(self.critic.kernels, self.critic.biases, strict=True)]  # fmt: skip

    # --------------------------------------------------------------- training
    def objective_value(self, t_joint, t_marginal):
        """Each critic's objective (k,) on scores (k, b); updates MINE's moving average."""
        if not self.objective.moving_average:
            return self.objective.train(t_joint, t_marginal, **self.options)
        state = MovingAverageState(self.log_moving_average, self.updates)
        objective, state = moving_average_objective(t_joint, t_marginal, state, **self.options)
        self.log_moving_average.assign(state.log_average)
        self.updates.assign(state.updates)
        return objective

    def _train_step(self, x, z, seed):
        with tf.GradientTape() as tape:
            if self.objective.density:  # maximum likelihood; no marginal rows
                log_conditional, log_marginal = self.critic.log_densities(x, z)
                objective = self.objective.train(log_conditional, log_marginal, **self.options)
                t_joint, t_marginal = log_conditional - log_marginal, log_marginal[:, :0]
            elif self.objective.score_matrix:  # every pair of the batch: nothing is shuffled
                scores = self.critic.score_matrix(x, z)
                objective = self.objective.train(scores)
                t_joint, t_marginal = split_score_matrix(scores)
            else:
                t_joint = self.critic(x, z)
                t_marginal = self.critic(*self.marginal.train(x, z, seed))
                objective = self.objective_value(t_joint, t_marginal)
            loss = -tf.reduce_sum(objective)  # critic i's gradient is its own objective's
        gradients = tape.gradient(loss, self.variables)
        self.optimizer.apply(gradients)
        return -objective, t_joint, t_marginal

    def _train_epoch(self, x, z, x_val, z_val, x_val_marginal, z_val_marginal, batch_size, seed):
        n = tf.shape(x)[1]
        order = tf.argsort(tf.random.stateless_uniform([n], seed))
        steps = (n + batch_size - 1) // batch_size
        zeros = tf.zeros(self.k)
        # Training metrics over the epoch, as Keras' Mean and DV metrics accumulate them.
        initial = (tf.constant(0), zeros, zeros, tf.fill([self.k], -np.inf), tf.constant(0), zeros)

        def body(step, loss_sum, joint_sum, marginal_lse, marginal_rows, bound_sum):
            rows = order[step * batch_size : (step + 1) * batch_size]
            step_seed = tf.random.experimental.stateless_fold_in(seed, step + 1)
            loss, t_joint, t_marginal = self._train_step(
                tf.gather(x, rows, axis=1), tf.gather(z, rows, axis=1), step_seed
            )
            marginal_lse = tf.reduce_logsumexp(
                tf.stack([marginal_lse, tf.reduce_logsumexp(t_marginal, axis=-1)]), axis=0
            )
            batch_rows = tf.cast(tf.shape(t_joint)[-1], tf.float32)
            return (step + 1, loss_sum + loss, joint_sum + tf.reduce_sum(t_joint, -1),
                    marginal_lse, marginal_rows + tf.shape(t_marginal)[-1],
                    bound_sum - loss * batch_rows)  # fmt: skip

        _, loss_sum, joint_sum, marginal_lse, marginal_rows, bound_sum = tf.while_loop(
            lambda step, *_: step < steps, body, initial
        )
        rows = tf.cast(n, tf.float32)
        logs = {"loss": loss_sum / tf.cast(steps, tf.float32)}
        if self.objective.score_matrix:  # the bound itself, per row (Keras' InfoNCE metric)
            logs["mi"] = bound_sum / rows
            logs["val_mi"] = self._bound_by_blocks(x_val, z_val)
            logs["val_loss"] = -logs["val_mi"]
            return logs
        if self.objective.density:  # the mean log ratio, on training and validation rows
            logs["mi"] = joint_sum / rows
            conditional, marginal = (
                _scores_by_blocks(lambda a, b, i=i: self.critic.log_densities(a, b)[i],
                                  x_val, z_val, VALIDATION_BLOCK)
                for i in (0, 1))  # fmt: skip
            logs["val_mi"] = tf.reduce_mean(conditional - marginal, axis=-1)
            logs["val_log_likelihood"] = self.objective.train(conditional, marginal,
                                                              **self.options)  # fmt: skip
            logs["val_loss"] = -logs["val_log_likelihood"]
            return logs
        logs["mi"] = joint_sum / rows - (marginal_lse
                                         - tf.math.log(tf.cast(marginal_rows, tf.float32)))
        t_joint = _scores_by_blocks(self.critic, x_val, z_val, VALIDATION_BLOCK)
        t_marginal = _scores_by_blocks(self.critic, x_val_marginal, z_val_marginal,
                                       VALIDATION_BLOCK)  # fmt: skip
        logs["val_mi"] = READOUTS["dv"](t_joint, t_marginal)[0]
        logs["val_loss"] = -self.objective.train(t_joint, t_marginal, **self.options)
        return logs

    def _bound_by_blocks(self, x, z):
        """A score-matrix bound on consecutive blocks of `NCE_READOUT_BLOCK` rows, row-weighted."""
        n = tf.shape(x)[1]

        def body(i, total):
            rows = slice(i * NCE_READOUT_BLOCK, (i + 1) * NCE_READOUT_BLOCK)
            block = tf.cast(tf.shape(x[:, rows])[1], tf.float32)
            return i + 1, total + block * self.objective.train(
                self.critic.score_matrix(x[:, rows], z[:, rows]))

        _, total = tf.while_loop(lambda i, _: i * NCE_READOUT_BLOCK < n, body,
                                 (tf.constant(0), tf.zeros(self.k)))  # fmt: skip
        return total / tf.cast(n, tf.float32)

    def train_epoch(self, data: dict, batch_size: int, seed: np.ndarray) -> dict:
        """One epoch over ``data`` (tensors of `epoch_data`); the logs, each (k,), in numpy."""
        names = ("x", "z", "x_val", "z_val", "x_val_marginal", "z_val_marginal")
        logs = self.epoch_function(*(data[name] for name in names), tf.constant(batch_size),
                                   tf.constant(seed, tf.int64))  # fmt: skip
        return {name: value.numpy() for name, value in logs.items()}

    def epoch_data(self, x, z, train, val, rng: np.random.Generator) -> dict:
        """The training and validation tensors of stacked arrays (k, n, d) and rows.

        The validation rows' marginal sample is drawn once per fold, from
        `rng`, by the stack's `marginal` (the training rows' per batch, in the graph).
        """
        as_tensor = lambda a: tf.constant(a, tf.float32)  # noqa: E731
        x_val, z_val = x[:, val], z[:, val]
        x_val_marginal, z_val_marginal = self.marginal.validation(x_val, z_val, rng)
        return {"x": as_tensor(x[:, train]), "z": as_tensor(z[:, train]),
                "x_val": as_tensor(x_val), "z_val": as_tensor(z_val),
                "x_val_marginal": as_tensor(x_val_marginal),
                "z_val_marginal": as_tensor(z_val_marginal)}  # fmt: skip

    # ---------------------------------------------------------------- readout
    def read_out(self, x, z, rng: np.random.Generator, num_shuffles: int = 1, name: str = "dv",
                 options: dict | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Each critic's estimate and standard error on rows (k, n, d), each (k,).

        The marginal rows are the stack's `marginal` readout sample, drawn
        from `rng` (`num_shuffles` shuffles of z for `Shuffle`). A
        score-matrix objective (InfoNCE) is read out on the rows cut in order
        into equal blocks of at most `NCE_READOUT_BLOCK`: the row-weighted
        mean of each block's bound, and NaN for its error (a block's bound
        has no per-row noise formula).
        """
        if self.objective.score_matrix:
            blocks = np.array_split(np.arange(x.shape[1]), -(-x.shape[1] // NCE_READOUT_BLOCK))
            values = [self.block_bound_function(tf.constant(x[:, rows], tf.float32),
                                                tf.constant(z[:, rows], tf.float32)).numpy()
                      for rows in blocks]  # fmt: skip
            value = np.average(values, axis=0, weights=[len(rows) for rows in blocks])
            return value.astype(np.float64), np.full(self.k, np.nan)
        score = lambda a, b: self.score_function(tf.constant(a, tf.float32),  # noqa: E731
                                                 tf.constant(b, tf.float32))  # fmt: skip
        t_joint = score(x, z)
        if self.objective.density:  # the mean log ratio on joint rows: no marginal rows
            value, stderr = READOUTS[name](t_joint, t_joint[:, :0])
            return value.numpy().astype(np.float64), stderr.numpy().astype(np.float64)
        t_marginal = tf.concat([score(a, b) for a, b in self.marginal.readout(x, z, rng,
                                                                               num_shuffles)],
                               axis=1)  # fmt: skip
        value, stderr = READOUTS[name](t_joint, t_marginal, **(options or {}))  # name checked
        return value.numpy().astype(np.float64), stderr.numpy().astype(np.float64)
