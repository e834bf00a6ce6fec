"""The edges of the nearest-neighbour estimators and of the checks on a result.

Written against the mutants that survived the first mutation run over
`keras_mine.classical.knn` and `keras_mine.estimators.result` (issue 35;
docs/benchmarks.md, "Mutation testing"): each test pins a property the
other tests left free. All are pure numpy, milliseconds each.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.special import digamma

from keras_mine.classical.knn import (
    KSG_STDERR_FACTOR,
    PARALLEL_ROWS,
    jitter,
    ksg_cmi,
    ksg_mi,
    ksg_stderr,
    mixed_mi,
    tree_workers,
    unit_variance,
)
from keras_mine.estimators.result import (
    MIResult,
    data_messages,
    dependence_message,
    plausibility_messages,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(300, 1))
Z = X + RNG.normal(size=(300, 1))
Y = X - Z + RNG.normal(size=(300, 1))


def test_unit_variance_scales_each_column_on_its_own_at_any_scale():
    # One column near the largest double, one near the smallest normal one, a
    # uniform and a Gaussian column (different stds after dividing by the peak).
    values = np.c_[X * 1e300, X * 1e-300, RNG.uniform(size=(300, 1)), X]
    scaled = unit_variance(values)
    assert np.all(np.isfinite(scaled))
    np.testing.assert_allclose(scaled.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaled[:, 0], scaled[:, 1], rtol=1e-12)
    # Denormals: the std of x * 1e-310 underflows unless the peak is divided out first.
    np.testing.assert_allclose(unit_variance(X * 1e-310), unit_variance(X), rtol=1e-6)
    # Constant columns (zero or not) stay finite and constant.
    constant = unit_variance(np.c_[np.zeros(5), np.full(5, 3.0), np.arange(5.0)])
    assert np.array_equal(constant[:, 0], np.zeros(5))
    assert np.array_equal(constant[:, 1], np.ones(5))


def test_float32_inputs_give_the_float64_result_exactly():
    # Every estimator casts to float64 first: float32 arithmetic would round differently.
    x32, z32, y32 = (a.astype("float32") for a in (X, Z, Y))
    x64, z64, y64 = (a.astype("float64") for a in (x32, z32, y32))
    assert ksg_mi(x32, z32) == ksg_mi(x64, z64)
    assert ksg_cmi(x32, y32, z32) == ksg_cmi(x64, y64, z64)
    assert mixed_mi(np.round(x32), z32) == mixed_mi(np.round(x64), z64)
    # Values distinct only beyond float32's precision stay distinct (no false duplicates).
    # 1 + 1e-9 X holds X's information in float64 and none in float32 (all 1.0).
    fine = 1.0 + 1e-9 * X
    assert ksg_mi(fine, Z) == pytest.approx(ksg_mi(X, Z), abs=1e-9)
    assert ksg_cmi(fine, Z, Y) == pytest.approx(ksg_cmi(X, Z, Y), abs=1e-9)
    assert ksg_cmi(Z, fine, Y) == pytest.approx(ksg_cmi(Z, X, Y), abs=1e-9)
    assert ksg_cmi(Z, Y, fine) == pytest.approx(ksg_cmi(Z, Y, X), abs=1e-9)
    # Without standardization nothing else casts: the distances themselves must be float64.
    assert ksg_mi(x32, z32, standardize=False) == ksg_mi(x64, z64, standardize=False)
    assert ksg_cmi(x32, y32, z32, standardize=False) == ksg_cmi(x64, y64, z64, standardize=False)
    assert np.array_equal(jitter(x32), jitter(x64))
    terms = RNG.normal(size=50).astype("float32")
    assert ksg_stderr(terms) == ksg_stderr(terms.astype("float64"))


def test_ksg_stderr_is_the_scaled_standard_error_of_the_terms():
    terms = RNG.normal(size=40)
    expected = KSG_STDERR_FACTOR * np.std(terms, ddof=1) / np.sqrt(40)
    assert ksg_stderr(terms) == pytest.approx(expected, rel=1e-12)


def test_tree_workers_threshold():
    assert tree_workers(PARALLEL_ROWS - 1) == 1
    assert tree_workers(PARALLEL_ROWS) == -1


def test_copies_are_refused_with_the_count_and_what_to_do():
    x = np.r_[X[:, 0], np.repeat(X[:5, 0], 3)]  # 5 values 4 times each: 20 samples at distance 0
    z = np.r_[Z[:, 0], np.repeat(Z[:5, 0], 3)]
    tail = ("method='discrete' for discrete data, or add noise far below the data's "
            "resolution (e.g. 1e-10 times its scale).")  # fmt: skip
    head = ("20 sample(s) have 3 or more exact duplicates, so their neighbour distance is 0: "
            "the KSG estimator needs continuous data.")  # fmt: skip
    with pytest.raises(ValueError) as raised:
        ksg_mi(x, z)
    assert str(raised.value) == (
        f"{head} Use method='mixed' for data with ties or discrete columns, {tail}"
    )
    with pytest.raises(ValueError) as raised:
        ksg_cmi(x, z, z)
    assert str(raised.value) == f"{head} {tail}"  # no "mixed" for conditional MI


def test_argument_names_in_the_errors():
    with pytest.raises(ValueError, match=r"^Expected an integer >= 1 for `k`\. Received: k=0$"):
        ksg_mi(X, Z, k=0)
    with pytest.raises(ValueError, match=r"^`x` has 300 samples but `y` has 299;"):
        ksg_cmi(X, Y[:-1], Z)
    with pytest.raises(ValueError, match=r"^`x` has 300 samples but `z` has 299;"):
        ksg_cmi(X, Y, Z[:-1])


def test_ksg_cmi_standardizes_by_default():
    scaled = Y * 1000.0  # standardizing changes the neighbours
    assert ksg_cmi(X, scaled, Z) == ksg_cmi(X, scaled, Z, standardize=True)
    assert ksg_cmi(X, scaled, Z) != ksg_cmi(X, scaled, Z, standardize=False)


def _mixed_reference(x: np.ndarray, z: np.ndarray, k: int) -> float:
    """Gao et al.'s estimator by brute force (their reference code's loop, max-norm)."""
    joint = np.c_[x, z]
    n = len(joint)
    d = np.max(np.abs(joint[:, None] - joint[None]), axis=2)
    dx = np.max(np.abs(x[:, None] - x[None]), axis=2)
    dz = np.max(np.abs(z[:, None] - z[None]), axis=2)
    total = 0.0
    for i in range(n):
        rho = np.sort(d[i])[k]  # the k-th other sample (sample i is at distance 0)
        if rho == 0:
            k_i, n_x, n_z = np.sum(d[i] == 0), np.sum(dx[i] == 0), np.sum(dz[i] == 0)
        else:
            k_i, n_x, n_z = k, np.sum(dx[i] < rho), np.sum(dz[i] < rho)
        total += digamma(k_i) + np.log(n) - digamma(n_x) - digamma(n_z)
    return total / n


def test_mixed_mi_is_gaos_estimator_with_and_without_point_masses():
    discrete = RNG.integers(0, 3, size=(200, 1)).astype(float)
    continuous = discrete + RNG.normal(size=(200, 1))
    masses = np.where(RNG.uniform(size=(200, 1)) < 0.3, 0.0, continuous)  # an atom at 0
    for x, z in ((discrete, continuous), (discrete, masses), (continuous, masses)):
        for k in (1, 3):
            expected = _mixed_reference(unit_variance(x), unit_variance(z), k)
            assert mixed_mi(x, z, k=k) == pytest.approx(expected, abs=1e-12)


def test_jitter_is_seeded_noise_scaled_to_each_column():
    values = np.c_[X, 50.0 * Z]
    noise = np.random.default_rng(0).standard_normal(values.shape)
    np.testing.assert_allclose(jitter(values), values + 1e-10 * values.std(axis=0) * noise,
                               rtol=0, atol=1e-18 * 50)  # fmt: skip
    assert np.array_equal(jitter(values), jitter(values, seed=0))
    assert not np.array_equal(jitter(values), jitter(values, seed=1))


def test_float_of_a_result_is_in_its_units():
    result = MIResult(np.log(2.0), "ksg", 0.0, n_samples=10)
    assert float(result) == np.log(2.0)
    assert float(MIResult(np.log(2.0), "ksg", 0.0, n_samples=10, units="bits")) == 1.0


def test_the_infinite_mi_check_runs_on_distinct_rows():
    x = RNG.normal(size=(400, 1))
    z = RNG.normal(size=(400, 1))
    copies = np.r_[x, x], np.r_[z, z]  # every row twice: its own nearest neighbour
    assert dependence_message(x, z) is None
    assert dependence_message(*copies) is None
    assert data_messages(*copies, local=False) == [None, None]
    local = data_messages(*copies, local=True)
    assert local[0] is None and "400 of 800 rows repeat another row" in local[1]
    # A function, copied or not, is found; and on both sides.
    for a, b in ((x, x**3), (x**3, x), (np.r_[x, x[:50]], np.r_[x, x[:50]] ** 3)):
        assert "function" in dependence_message(a, b)
    # A near-deterministic relation that is not an exact function is found too.
    assert dependence_message(x, np.sin(3 * x) + 1e-4 * z) is not None


def test_plausibility_messages_come_from_the_results_own_parts():
    quiet = MIResult(0.3, "ksg", 0.0, n_samples=5000, fold_estimates=(0.3,), fold_stderrs=(0.01,))
    assert plausibility_messages(quiet) == [None, None, None, None, None]
    negative = MIResult(-0.5, "ksg", 0.0, n_samples=5000, fold_estimates=(-0.5,),
                        fold_stderrs=(0.01,))  # fmt: skip
    messages = plausibility_messages(negative)
    assert messages[0] is not None and messages[1:] == [None, None, None, None]
    history = pd.DataFrame({"epoch": [0], "val_mi": [0.3]})
    folds = MIResult(0.5, "mine", 0.0, n_samples=5000, fold_estimates=(0.2, 0.8),
                     fold_stderrs=(0.01, 0.01), history=history)  # fmt: skip
    assert plausibility_messages(folds)[1].startswith("The folds disagree")
    # The ceiling is ln of the rows one fold reads out: 2 folds of 100 rows, 0.8 ln 50 = 3.1.
    high = MIResult(3.8, "mine", 0.0, n_samples=100, fold_estimates=(3.8, 3.8),
                    fold_stderrs=(0.1, 0.1), history=history)  # fmt: skip
    assert "ln(50)" in plausibility_messages(high)[2]
    one = MIResult(3.8, "ksg", 0.0, n_samples=100)  # no folds: all rows (0.8 ln 100 = 3.7)
    assert "ln(100)" in plausibility_messages(one)[2]
    # The advice on a negative estimate is the critic's where there is a training history.
    trained = MIResult(-0.5, "mine", 0.0, n_samples=5000, fold_estimates=(-0.5,),
                       fold_stderrs=(0.01,), history=history)  # fmt: skip
    assert "critic" in plausibility_messages(trained)[0]
    assert "repeated values" in plausibility_messages(negative)[0]
    # Two rows per fold still get a ceiling (ln 2), not none: 0.7 nats is above 0.8 ln 2.
    tiny = MIResult(0.7, "mine", 0.0, n_samples=4, fold_estimates=(0.7, 0.7),
                    fold_stderrs=(0.1, 0.1), history=history)  # fmt: skip
    assert "ln(2)" in plausibility_messages(tiny)[2]
    # "mixed" with many levels: its bias measured on permuted z (`null_level`).
    biased = MIResult(0.31, "mixed", 0.0, n_samples=100, null_level=0.24)
    assert "read 0.240 nats" in plausibility_messages(biased)[4]
    assert plausibility_messages(MIResult(0.31, "mixed", 0.0, n_samples=100,
                                          null_level=0.01))[4] is None  # fmt: skip
    # A plug-in estimate is checked against its levels.
    counted = MIResult(5.0, "discrete", 0.0, n_samples=5000, levels=(1000, 1000))
    assert plausibility_messages(counted)[3] is not None
    assert plausibility_messages(replace(counted, levels=None))[3] is None
