"""Input checks: each bad input raises a message naming the argument and problem."""

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from keras_mine.core.validation import check_paired_samples, check_samples, to_units


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
