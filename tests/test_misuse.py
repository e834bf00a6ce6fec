"""Silent misuse becomes a clear error that says what to do (issue 31, item 5)."""

import numpy as np
import pandas as pd
import pytest

import keras_mine
from keras_mine.classical import pmi_table
from keras_mine.core.validation import check_paired_samples
from keras_mine.tasks import bivariate_gaussian


def _pair(n=400):
    x, z = bivariate_gaussian(0.75).sample(n, seed=0)
    return x[:, 0], z[:, 0]


def test_pandas_objects_with_different_indexes_are_not_paired_by_position():
    x, z = _pair()
    order = np.random.default_rng(0).permutation(len(x))
    xs = pd.Series(x, name="x")
    zs = pd.Series(z, name="z").iloc[order]  # the same rows, shuffled with their labels
    # Paired by position this read 0.035 instead of 0.413 (issue 31).
    with pytest.raises(ValueError, match=r"different indexes.*x.align\(z, join='inner'"):
        keras_mine.estimate_mi(xs, zs, method="ksg")
    aligned_x, aligned_z = xs.align(zs, join="inner", axis=0)
    assert keras_mine.estimate_mi(aligned_x, aligned_z, method="ksg").mi == pytest.approx(
        keras_mine.estimate_mi(x, z, method="ksg").mi, abs=1e-12)  # fmt: skip
    # The same index (columns of one DataFrame) or one side without an index: no error.
    frame = pd.DataFrame({"x": x, "z": z}).iloc[order]
    check_paired_samples(frame["x"], frame["z"])
    check_paired_samples(zs, x)


def test_a_third_array_as_method_points_to_estimate_cmi():
    x, z = _pair()
    with pytest.raises(ValueError, match=r"keras_mine.estimate_cmi\(x, y, z\)"):
        keras_mine.estimate_mi(x, z, z)  # NPEET's cmi(x, y, z) call


def test_a_non_string_option_is_described_not_printed():
    x, z = _pair()
    with pytest.raises(ValueError, match=r"received an array of shape \(400,\)") as error:
        keras_mine.estimate_entropy(x, z)
    assert "[" not in str(error.value).split("received")[1]  # the array is not printed


def test_a_dataset_or_sparse_matrix_is_named():
    import scipy.sparse
    import tensorflow as tf

    x, z = _pair()
    dataset = tf.data.Dataset.from_tensor_slices((x, z)).batch(100)
    with pytest.raises(TypeError, match="is a tf.data.Dataset; .*model.fit\\(dataset\\)"):
        keras_mine.estimate_mi(dataset, method="ksg")
    with pytest.raises(TypeError, match=r"scipy.sparse matrix.*toarray\(\)"):
        keras_mine.estimate_mi(scipy.sparse.csr_matrix(x[:, None]), z, method="ksg")


def test_fit_without_compile_says_to_compile():
    x, z = _pair()
    with pytest.raises(ValueError, match=r"call `compile\(\)` before MINE.fit.*Adam"):
        keras_mine.MINE(seed=0).fit(x, z, epochs=1, verbose=0)


def test_pmi_table_of_labels_says_to_count_them():
    with pytest.raises(ValueError, match=r"must hold numbers.*pandas.crosstab\(a, b\)"):
        pmi_table(pd.DataFrame({"a": [1, 2], "b": ["x", 3]}))
    with pytest.raises(ValueError, match="must hold numbers"):
        pmi_table([["a", "b"], ["c", "d"]])


def test_copied_rows_warn_for_neighbour_methods_and_are_not_called_a_function():
    import warnings

    x, z = bivariate_gaussian(0.75).sample(2_000, seed=0)
    twice = np.concatenate([x, x]), np.concatenate([z, z])  # a join that copied every row
    with pytest.warns(UserWarning, match="2000 of 4000 rows repeat another row") as record:
        keras_mine.estimate_mi(*twice, method="ksg")
    # The wrong diagnosis of issue 31 ("x is nearly a function of z") is gone.
    assert not any("function of" in str(w.message) for w in record)
    rows = np.unique(np.column_stack(twice), axis=0, return_index=True)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the suggested fix: no warning, the truth back
        fixed = keras_mine.estimate_mi(twice[0][rows], twice[1][rows], method="ksg").mi
    assert fixed == pytest.approx(0.413, abs=0.03)
    # Discrete data repeat rows by nature: no warning.
    codes = np.random.default_rng(0).integers(0, 4, size=(2_000, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keras_mine.estimate_mi(codes[:, 0], codes[:, 1], method="mixed")


def test_ksg_is_invariant_at_extreme_scales():
    x, z = bivariate_gaussian(0.75).sample(2_000, seed=0)
    x = x.astype("float64") / np.abs(x).max()  # so that x * 1e300 stays finite
    for method in ("ksg", "mixed"):
        reference = keras_mine.estimate_mi(x, z, method=method).mi
        for scale in (1e300, 1e-310, 1e155, 1e-165):  # overflowed or underflowed (issue 31)
            value = keras_mine.estimate_mi(x * scale, z, method=method).mi
            assert value == pytest.approx(reference, abs=1e-9), (scale, method)
