"""`ReadoutMixin`: how a trained `CriticModel` reads out MI, its error and pointwise MI.

The readout scores every given row (joint pairs) and `num_shuffles`
product-of-marginals pairings of them (`_marginal_targets`: shuffles here,
nearest neighbours for `ConditionalClassifierMI`) and applies the model's
bound (`_readout`: DV here, log-odds or InfoNCE in subclasses).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.bounds import donsker_varadhan, donsker_varadhan_stderr, log_mean_exp
from keras_mine.core.data import (
    READOUT_BLOCK,
    dataset_chunks,
    marginal_permutations,
)
from keras_mine.core.seeds import SeedStreams
from keras_mine.core.validation import check_int, to_units

__all__ = ["ReadoutMixin", "NUM_SHUFFLES"]

#: Permutations of z whose pairs with x form the marginal samples of a readout.
NUM_SHUFFLES = 5


class ReadoutMixin:
    """The readout of `keras_mine.models.CriticModel`: scores, estimate, error, pointwise MI."""

    #: None where the readout pairs rows by `num_shuffles` shuffles drawn from
    #: `seed`; else what the readout's marginal is instead (then `num_shuffles`
    #: and `seed` do not apply and are refused, not ignored).
    fixed_readout_marginal: str | None = None

    def predict_step(self, data):
        """Critic scores T(x, z) of a batch of ``(x, z)`` passed as `x` to `predict`."""
        inputs, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if not isinstance(inputs, (tuple, list)) or len(inputs) != self._input_parts:
            names = "(x, z)" if self._input_parts == 2 else "(x, y, z)"
            raise ValueError(
                f"{type(self).__name__}.predict takes the pair {names} as its first "
                f"argument, predict({names}), and returns the critic scores T{names}; "
                "for the MI itself call estimate()."
            )
        return self(tuple(inputs), training=False)

    # --------------------------------------------------------------- readout
    def scores(self, x, z, batch_size: int = READOUT_BLOCK) -> np.ndarray:
        """Critic scores T(x_i, z_i) for paired raw rows, computed in batches."""
        return self._scores_checked(*self._check_inputs(x, z), batch_size)

    def _scores_checked(self, x: np.ndarray, target, batch_size: int) -> np.ndarray:
        self._build_for(x, target)
        self._require_adapted()
        return self._model_scores(*self._transform_arrays(x, target), batch_size)

    def _model_scores(self, x: np.ndarray, target, batch_size: int) -> np.ndarray:
        """Critic scores of transformed rows, in batches of `batch_size`."""
        if self._score_function is None:
            self._score_function = tf.function(
                lambda a, b: self._score(self._call_inputs(a, b), training=False),
                reduce_retracing=True,
            )
        chunks = []
        for i in range(0, len(x), batch_size):
            rows = slice(i, i + batch_size)
            chunk = tf.nest.map_structure(lambda a, r=rows: a[r], target)
            chunks.append(self._score_function(x[rows], chunk))
        return np.concatenate([np.asarray(c, dtype=np.float64) for c in chunks])

    def _marginal_targets(self, x: np.ndarray, target, num_shuffles: int, seed: int) -> list:
        """Targets paired with x as product-of-marginals samples for `estimate`."""
        return [target[p] for p in marginal_permutations(len(x), num_shuffles, seed)]

    def _readout(self, t_joint: np.ndarray, t_marginal: np.ndarray) -> float:
        """MI in nats from scores on joint and marginal samples: the DV bound."""
        return float(donsker_varadhan(tf.constant(t_joint), tf.constant(t_marginal)))

    def _estimate_checked(self, x, target, batch_size, num_shuffles, seed, units) -> float:
        value, _ = self.readout_with_error(x, target, batch_size=batch_size,
                                           num_shuffles=num_shuffles, seed=seed)  # fmt: skip
        return to_units(value, units)

    def readout_with_error(
        self, x: np.ndarray, target, *, batch_size: int = READOUT_BLOCK,
        num_shuffles: int = NUM_SHUFFLES, seed: int | None = None,
    ) -> tuple[float, float]:  # fmt: skip
        """The `estimate` of checked raw arrays, in nats, and its standard error.

        The standard error is the readout's sampling noise for this critic
        (`keras_mine.core.bounds.donsker_varadhan_stderr`), not the spread from
        training; NaN where no formula applies.
        """
        check_int(num_shuffles, "num_shuffles")
        if self.fixed_readout_marginal and (num_shuffles != NUM_SHUFFLES or seed is not None):
            raise ValueError(
                f"num_shuffles and seed do not apply to {type(self).__name__}'s readout: "
                f"{self.fixed_readout_marginal}, so nothing is shuffled. Drop them."
            )
        self._build_for(x, target)
        self._require_adapted()
        x, target = self._transform_arrays(x, target)
        seed = self.readout_seed if seed is None else seed
        return self._readout_transformed(x, target, batch_size, num_shuffles, seed)

    def _readout_scores(self, x, target, batch_size, num_shuffles, seed):
        """Scores of transformed joint rows and of `num_shuffles` marginal pairings of them."""
        t_joint = self._model_scores(x, target, batch_size)
        t_marginal = np.concatenate(
            [
                self._model_scores(x, marginal, batch_size)
                for marginal in self._marginal_targets(x, target, num_shuffles, seed)
            ]
        )
        return t_joint, t_marginal

    def _readout_transformed(self, x, target, batch_size, num_shuffles, seed):
        t_joint, t_marginal = self._readout_scores(x, target, batch_size, num_shuffles, seed)
        stderr = float(donsker_varadhan_stderr(t_joint, t_marginal))
        return self._readout(t_joint, t_marginal), stderr

    def _pointwise(self, t_joint: np.ndarray, t_marginal: np.ndarray) -> np.ndarray:
        """Per-row log density ratio: DV's score minus its log-partition term."""
        return t_joint - float(log_mean_exp(tf.constant(t_marginal)))

    def pointwise_mi(
        self, x, z=None, *, batch_size: int = READOUT_BLOCK, num_shuffles: int = NUM_SHUFFLES,
        seed: int | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Per-row estimates of the pointwise MI, log p(x_i, z_i) / (p(x_i) p(z_i)), in nats.

        A DV critic is the log density ratio up to a constant; the constant
        is its log-partition term ``log mean exp T`` over product-of-marginals
        pairs of the given rows (the term `estimate` subtracts). So the mean
        of the returned values is ``estimate(x, z)`` with the same
        `num_shuffles` and `seed`. A classifier with ``readout="log_odds"``
        returns its logits, whose mean is its log-odds readout.

        Args:
            x: Samples of X, (n_samples,) or (n_samples, dim_x).
            z: Samples of Z, paired with `x` by row.
            batch_size: Rows per critic call.
            num_shuffles: Permutations of z forming the marginal pairs of
                the log-partition term.
            seed: Seed of those permutations (default: the model's readout
                stream, a named stream of its `seed`).

        Returns:
            A float64 array of shape (n_samples,).
        """
        x, target = self._check_inputs(x, z)
        check_int(num_shuffles, "num_shuffles")
        self._build_for(x, target)
        self._require_adapted()
        x, target = self._transform_arrays(x, target)
        seed = self.readout_seed if seed is None else seed
        return self._pointwise(*self._readout_scores(x, target, batch_size, num_shuffles, seed))

    def estimate(
        self,
        x,
        z=None,
        *,
        batch_size: int = READOUT_BLOCK,
        num_shuffles: int = NUM_SHUFFLES,
        seed: int | None = None,
        units: str = "nats",
    ) -> float:
        """Estimate I(X;Z) from the trained critic with the Donsker-Varadhan formula.

        ``mean_i T(x_i, z_i) - log mean_{k,i} exp T(x_i, z_{pi_k(i)})`` over
        *all* given samples, where ``pi_1..pi_K`` are `num_shuffles` random
        permutations drawn from `seed`: the marginal samples are the same for
        the same data and seed, so the estimate is deterministic. More
        shuffles lower the variance of the second term.

        Pass samples the critic was *not* trained on (a held-out test set):
        on its own training samples the estimate is biased upward.

        Args:
            x, z: Paired samples (array-like), or a tf.data.Dataset of
                (x, z) batches as `x`, read in chunks (see
                `dataset_readout_with_error`).
            batch_size: Rows scored at once (memory only; the result does
                not depend on it).
            num_shuffles: Number of permutations of z forming the marginal
                samples.
            seed: Seed of those permutations (default: the model's readout
                stream, a named stream of its `seed`).
            units: "nats" or "bits".

        Returns:
            The MI estimate (float).
        """
        if not isinstance(x, tf.data.Dataset):
            return self._estimate_checked(*self._check_inputs(x, z), batch_size, num_shuffles,
                                          seed, units)  # fmt: skip
        if z is not None:
            raise ValueError("Pass either a dataset of (x, z) pairs as `x`, or x and z.")
        value, _ = self.dataset_readout_with_error(
            x, batch_size=batch_size, num_shuffles=num_shuffles, seed=seed)  # fmt: skip
        return to_units(value, units)

    def dataset_readout_with_error(
        self, dataset: tf.data.Dataset, *, batch_size: int = READOUT_BLOCK,
        num_shuffles: int = NUM_SHUFFLES, seed: int | None = None,
        chunk_size: int | None = None,
    ) -> tuple[float, float]:  # fmt: skip
        """`readout_with_error` of a dataset read in chunks of `chunk_size` rows.

        Default `chunk_size`: 65,536 rows, fewer for wide rows (about 8
        million values per chunk, at least 4,096 rows;
        `keras_mine.core.data.dataset_chunks`).

        Each chunk is read out as arrays are (its marginal pairs are drawn
        within it, from a named stream of `seed` per chunk; the first chunk
        from `seed` itself, so a dataset of at most `chunk_size` rows gives
        exactly the estimate of its rows as arrays). The estimate is the
        row-weighted mean of the chunks' estimates and its standard error
        combines theirs. Memory holds one chunk's rows: a dataset streamed
        from files larger than memory (`keras_mine.npy_dataset`) is read
        out in bounded memory; pass it unshuffled, every row once.
        """
        streams = SeedStreams(self.readout_seed if seed is None else seed)
        fixed = self.fixed_readout_marginal is not None  # its own check refuses a seed
        values, errors, rows = [], [], []
        if chunk_size is not None:
            check_int(chunk_size, "chunk_size")
        for i, parts in enumerate(dataset_chunks(dataset, chunk_size)):
            x, target = self._dataset_parts(parts)
            value, error = self.readout_with_error(
                x, target, batch_size=batch_size, num_shuffles=num_shuffles,
                seed=seed if i == 0 or fixed else streams.integer("chunk", i),
            )  # fmt: skip
            values.append(value), errors.append(error), rows.append(len(x))
        weights = np.asarray(rows) / sum(rows)
        return float(weights @ values), float(np.sqrt(weights**2 @ np.square(errors)))
