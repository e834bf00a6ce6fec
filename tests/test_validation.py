"""Input checks: each bad input raises a message naming the argument and problem."""

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import keras_mine
from keras_mine.core.validation import (
    check_number,
    check_option,
    check_paired_samples,
    check_samples,
    check_seed,
    to_units,
)


def test_accepts_common_containers_and_keeps_orientation():
    data = np.arange(12, dtype=np.float64).reshape(4, 3)
    for value in (data, tf.constant(data), pd.DataFrame(data), data.tolist()):
        out = check_samples(value)
        assert out.shape == (4, 3) and out.dtype == np.float32
        np.testing.assert_array_equal(out, data)
    assert check_samples(pd.Series([1, 2, 3])).shape == (3, 1)
    assert check_samples(np.array([True, False])).shape == (2, 1)
    # More columns than rows is still (samples, features): never transposed.
    assert check_samples(np.zeros((2, 50))).shape == (2, 50)


def test_returns_a_copy():
    data = np.ones((5, 2), dtype=np.float32)
    out = check_samples(data)
    out[0, 0] = 7.0
    assert data[0, 0] == 1.0


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (None, TypeError, "`x` is None"),
        (np.array(["a", "b", "c"]), TypeError, "must be numeric"),
        (np.array([1 + 1j, 2j]), TypeError, "must be numeric"),
        (pd.Series(["a", "b", "c"], dtype=object), TypeError, "non-numeric"),
        (np.float32(1.0), ValueError, r"1-D .* or 2-D"),
        (np.zeros((4, 2, 2)), ValueError, r"shape \(4, 2, 2\)"),
        (np.zeros((4, 0)), ValueError, "no features"),
        (np.zeros(1), ValueError, "1 sample"),
        (np.array([1.0, np.nan, 3.0]), ValueError, r"1 NaN .* row 1"),
        (np.array([[1.0, 2.0], [np.inf, 0.0], [0.0, 1.0]]), ValueError, "1 infinite"),
    ],
)
def test_bad_input_messages(value, error, pattern):
    with pytest.raises(error, match=pattern):
        check_samples(value, "x")


def test_mismatched_lengths():
    with pytest.raises(ValueError, match="`x` has 5 samples but `z` has 4"):
        check_paired_samples(np.zeros(5), np.zeros(4))


def test_units():
    assert to_units(np.log(2.0), "bits") == pytest.approx(1.0)
    assert to_units(0.3) == 0.3
    with pytest.raises(ValueError, match="nats"):
        to_units(1.0, "bans")


def test_check_option_lists_the_valid_values():
    assert check_option("b", "mode", ("a", "b")) == "b"
    with pytest.raises(ValueError, match=r"Unknown mode='c'\. Valid modes: a, b\."):
        check_option("c", "mode", {"a": 1, "b": 2}, "modes")
    with pytest.raises(ValueError, match="Valid values"):
        check_option(["a"], "mode", ("a",))  # unhashable: still a clear error


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), float("nan"), "0.5", None])
def test_check_number_rejects_booleans_nan_and_strings(bad):
    with pytest.raises(ValueError, match=r"Expected a number in \(0.0, 1.0\] for `alpha`"):
        check_number(bad, "alpha", low=0.0, high=1.0, low_open=True)


def test_check_number_bounds():
    assert check_number(np.float32(1.0), "a", low=0.0, high=1.0) == 1.0
    assert check_number(-3, "target") == -3.0
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\)"):
        check_number(1.0, "a", low=0.0, high=1.0, high_open=True)
    with pytest.raises(ValueError, match=r"\(0.0, inf\)"):
        check_number(0, "tau", low=0.0, low_open=True)


@pytest.mark.parametrize("bad", [True, -1, 1.5, "0"])
def test_one_seed_rule(bad):
    assert check_seed(None) is None and check_seed(np.int64(7)) == 7
    with pytest.raises(ValueError, match="integer >= 0 or None for `seed`"):
        check_seed(bad)


NOISE = tuple(np.random.default_rng(0).normal(size=(2, 50)))


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras_mine.MINE(alpha=True),
        lambda: keras_mine.MINE(loss="remine", reg_weight=False),
        lambda: keras_mine.MINE(loss="smile", tau=True),
        lambda: keras_mine.MutualInformation(loss="smile", tau=True),
        lambda: keras_mine.MutualInformation(loss="nwj", seed=True),
        lambda: keras_mine.MLPCritic(seed=-1),
        lambda: keras_mine.estimate_mi(*NOISE, seed=True),
        lambda: keras_mine.estimate_mi_many([NOISE], seed=-2),
        lambda: keras_mine.estimate_mi(*NOISE, method="kde", bandwidth=True),
        lambda: keras_mine.default_callbacks(lr_factor=True),
        lambda: keras_mine.default_callbacks(min_delta=float("nan")),
        lambda: keras_mine.tasks.bivariate_gaussian(True),
        lambda: keras_mine.tasks.student_identity(1, 1, df=True),
    ],
)
def test_booleans_and_negative_seeds_are_rejected_where_options_enter(make):
    # Before check_number/check_seed, alpha=True passed as 1.0 and seeds had three rules.
    with pytest.raises(ValueError, match="Expected"):
        make()
