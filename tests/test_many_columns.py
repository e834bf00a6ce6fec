"""MI over many columns: the fast KSG path of mi_matrix / mi_scores, n_jobs, Dask, chunks."""

import signal
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

from keras_mine import estimate_mi, estimate_mi_many, mi_matrix, mi_scores
from keras_mine.classical.knn import jitter
from keras_mine.estimators.diagnostics import (
    column_dependence,
    functional_dependence,
    near_deterministic,
)
from keras_mine.estimators.many import estimate_mi_columns
from keras_mine.estimators.neural import pairs_per_run
from keras_mine.estimators.settings import defaults_for


def _table(n: int = 1_500, seed: int = 0) -> pd.DataFrame:
    """Dependent, independent, rounded (repeated values) and skewed columns."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    return pd.DataFrame({
        "a": a,
        "b": a + rng.normal(size=n),
        "square": a**2 + 0.3 * rng.normal(size=n),
        "rounded": np.round(a + rng.normal(size=n), 1),
        "skewed": np.exp(rng.normal(size=n)) * 1e6,
        "noise": rng.normal(size=n) * 1e-9,
    })  # fmt: skip


def test_ksg_matrix_is_ksg_of_each_jittered_pair():
    """The shared-sort path gives the numbers of estimate_mi on each pair (the old path)."""
    df = _table()
    matrix = mi_matrix(df, seed=3).to_numpy()
    values = jitter(df.to_numpy(), 3)
    p = values.shape[1]
    for i in range(p):
        for j in range(i + 1, p):
            expected = estimate_mi(values[:, [i]], values[:, [j]], "ksg").mi
            assert matrix[i, j] == pytest.approx(expected, abs=1e-12)
            assert matrix[j, i] == matrix[i, j]
    assert np.isnan(np.diag(matrix)).all()
    # k is passed through, and changes the numbers.
    k5 = mi_matrix(df, seed=3, k=5).to_numpy()
    assert k5[0, 1] == pytest.approx(
        estimate_mi(values[:, [0]], values[:, [1]], "ksg", k=5).mi, abs=1e-12
    )
    assert k5[0, 1] != matrix[0, 1]


def test_ksg_pairs_of_samples_are_ksg_of_each_pair():
    """estimate_mi_many("ksg") on 1 x 1 pairs runs them as one table: the same results."""
    rng = np.random.default_rng(0)
    pairs = []
    for scale in (1.0, 1e-9, 1e6, 1.0):
        x = rng.normal(size=(400, 1)) * scale
        pairs.append((x, np.exp(x / scale) + rng.normal(size=(400, 1))))
    pairs[-1] = (pairs[-1][0], rng.standard_cauchy(size=(400, 1)))  # independent
    results = estimate_mi_many(pairs, "ksg", k=4)
    for (x, z), result in zip(pairs, results, strict=True):
        expected = estimate_mi(x, z, "ksg", k=4)
        assert result.mi == pytest.approx(expected.mi, abs=1e-12)
        assert result.stderr == pytest.approx(expected.stderr, rel=1e-9)
        assert result.method == "ksg" and result.n_samples == 400 and result.seconds > 0
    assert results[0].mi > 0.3 and abs(results[-1].mi) < 4 * results[-1].stderr
    noise = rng.normal(size=(400, 1))
    wider = estimate_mi_many([(np.c_[x, z], noise) for x, z in pairs[:2]], "ksg")  # 2 x 1
    assert wider[0].mi == pytest.approx(estimate_mi(np.c_[pairs[0]], noise, "ksg").mi, abs=1e-12)
    half = rng.normal(size=(200, 2))
    repeated = (np.r_[half, half][:, :1], np.r_[half, half][:, 1:])  # every row twice
    # Copies, not a function (issue 31): both calls say so, the same way.
    with pytest.warns(UserWarning, match="200 of 400 rows repeat another row"):
        many = estimate_mi_many([pairs[0], repeated], "ksg")[1].mi
    with pytest.warns(UserWarning, match="200 of 400 rows repeat another row"):
        assert many == pytest.approx(estimate_mi(*repeated, "ksg").mi, abs=1e-12)


def test_ksg_scores_are_ksg_of_each_jittered_column():
    df = _table()
    X, y = df.drop(columns="b"), df["b"]
    scores = mi_scores(X, y, discrete_features=False, seed=1)
    X_jittered = jitter(X.to_numpy(), 1)
    y_jittered = jitter(y.to_numpy()[:, None], 2)
    expected = [max(0.0, estimate_mi(c[:, None], y_jittered, "ksg").mi) for c in X_jittered.T]
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-12)


def test_n_jobs_gives_the_same_numbers():
    df = _table(n=1_000)
    np.testing.assert_array_equal(mi_matrix(df, n_jobs=2), mi_matrix(df, n_jobs=1))
    np.testing.assert_array_equal(
        mi_matrix(df, "histogram", n_jobs=2), mi_matrix(df, "histogram", n_jobs=1)
    )
    X, y = df.drop(columns="a"), df["a"]
    np.testing.assert_array_equal(mi_scores(X, y, n_jobs=2), mi_scores(X, y))
    np.testing.assert_array_equal(
        mi_scores(X, y, "mixed", n_jobs=-1), mi_scores(X, y, "mixed", n_jobs=1)
    )


def _kind(found):
    """What a dependence check found, without the names: (kind, which side is the function)."""
    if found is None:
        return None
    kind = next(word for word in ("nearly", "increasing", "decreasing") if word in found)
    return kind, found.split()[0] in ("x", "column")  # "x ..."/"column <i> ...": x is the function


def test_column_dependence_agrees_with_the_single_pair_checks():
    rng = np.random.default_rng(1)
    n = 2_000
    a = rng.normal(size=n)
    columns = [a, np.exp(a), -(a**3), np.sin(3 * a), np.sin(3 * a) + 0.01 * rng.normal(size=n),
               a**2, a + rng.normal(size=n), rng.normal(size=n), np.round(a),
               a * rng.normal(size=n)]  # fmt: skip
    values = np.column_stack(columns)
    pairs = [(i, j) for i in range(len(columns)) for j in range(len(columns)) if i != j]
    fast = column_dependence(values, pairs)
    kinds = set()
    for (i, j), found in zip(pairs, fast, strict=True):
        x, z = values[:, [i]], values[:, [j]]
        slow = functional_dependence(x, z) or near_deterministic(x, z)
        if slow is not None and slow.startswith("z"):  # "z is nearly a function of x"
            expected = ("nearly", False)
        else:
            expected = _kind(slow)
        if found is not None and "nearly" in found:
            # "column <j> is nearly a function of column <i>": the first one named is the function.
            expected_first = i if expected[1] else j
            assert found.startswith(f"column {expected_first} ")
            assert expected[0] == "nearly"
        else:
            assert _kind(found) == expected, (i, j, found, slow)
        kinds.add(None if expected is None else expected[0])
    assert kinds == {None, "nearly", "increasing", "decreasing"}  # every outcome was tested


def test_matrix_and_scores_name_the_columns_that_are_functions_of_others():
    rng = np.random.default_rng(0)
    price = np.exp(rng.normal(size=1_000)) * 1e6
    df = pd.DataFrame({"price": price, "log_price": np.log(price), "other": rng.normal(size=1_000)})
    with pytest.warns(UserWarning, match="column 'price' is an increasing function of column "
                                         "'log_price'.*infinite"):  # fmt: skip
        mi_matrix(df)
    y = pd.Series(-2 * df["other"], name="target")
    with pytest.warns(UserWarning, match="'other' is a decreasing function of column 'target'"):
        mi_scores(df, y)
    with warnings.catch_warnings():  # no false alarm on dependent, noisy columns
        warnings.simplefilter("error")
        mi_matrix(_table().drop(columns=["square"]))


def test_estimate_mi_columns_checks_its_input():
    values = np.random.default_rng(0).normal(size=(100, 3))
    with pytest.raises(ValueError, match=r"Column indices must lie in \[0, 3\)"):
        estimate_mi_columns(values, [(0, 3)])
    with pytest.raises(ValueError, match="`pairs` is empty"):
        estimate_mi_columns(values, [])
    with pytest.raises(ValueError, match="do not apply to method='ksg'"):
        estimate_mi_columns(values, [(0, 1)], bins=10)
    with pytest.raises(ValueError, match="n_jobs=2 applies to the methods run pair by pair"):
        mi_matrix(values, "mine", n_jobs=2)


def test_ksg_progress_bar_counts_pairs(capsys):
    mi_matrix(_table(n=300), verbose=True)
    assert "ksg x15" in capsys.readouterr().err


@contextmanager
def _time_limit(seconds: int):
    """Raise TimeoutError in the test if the block runs longer than `seconds`."""

    def stop(signum, frame):
        raise TimeoutError(f"the Dask run took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_mi_matrix_on_a_dask_cluster_equals_the_serial_run():
    joblib = pytest.importorskip("joblib")
    distributed = pytest.importorskip("dask.distributed")
    df = _table(n=1_000)
    serial = mi_matrix(df)
    # Worker processes import the classical estimators only: no TensorFlow.
    with (
        _time_limit(180),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            on_cluster = mi_matrix(df)  # n_jobs=None: the backend's setting, as scikit-learn
        with joblib.parallel_config(backend="dask", client=client):
            with_client = mi_matrix(df, n_jobs=-1)
        imported = client.run(lambda: "tensorflow" in __import__("sys").modules)
    assert len({task["worker"] for task in tasks.data}) == 2  # both workers took pairs
    assert not any(imported.values()), imported  # about 10 s per worker when they did
    np.testing.assert_array_equal(on_cluster, serial)
    np.testing.assert_array_equal(with_client, serial)


def test_pairs_per_run_scales_with_memory_and_rows():
    settings = defaults_for("mine", np.zeros((2, 1)), np.zeros((2, 1)))
    assert pairs_per_run(2_000, (1, 1), settings, memory_bytes=1) == 1
    small, large = pairs_per_run(2_000, (1, 1), settings), pairs_per_run(20_000, (1, 1), settings)
    assert large < small
    assert pairs_per_run(2_000, (1, 1), settings, memory_bytes=2**31) == pytest.approx(
        2 * small, abs=1
    )


def test_neural_pairs_train_in_chunks_with_a_time_per_pair(capsys):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(1_000, 1))
    pairs = [(a, rho * a + np.sqrt(1 - rho**2) * rng.normal(size=(1_000, 1)))
             for rho in (0.0, 0.6, 0.9)]  # fmt: skip
    results = estimate_mi_many(pairs, "mine", chunk_size=2, max_epochs=30, extrapolate=False,
                               verbose=True)  # fmt: skip
    assert "pair" in capsys.readouterr().err
    assert len(results) == 3
    truths = [-0.5 * np.log(1 - rho**2) for rho in (0.0, 0.6, 0.9)]
    # 30 epochs, 1,000 rows: the order and a loose level (0.22 and 0.83 nats).
    estimates = [r.mi for r in results]
    assert estimates[0] < estimates[1] < estimates[2]
    np.testing.assert_allclose(estimates, truths, atol=0.25)
    # Two runs (2 + 1 pairs): the first run's two pairs share its time per pair.
    assert results[0].seconds == results[1].seconds > 0 and results[2].seconds > 0


def test_ksg_standard_error_matches_the_spread_on_independent_columns():
    """The standard error a KSG estimate reports is its spread (within 25%) where MI = 0."""
    from keras_mine.classical.knn_pairs import ksg_mi_pairs

    for n, seed in ((300, 0), (1_000, 1)):
        values = np.random.default_rng(seed).normal(size=(n, 40))
        pairs = [(i, j) for i in range(40) for j in range(i + 1, 40)]
        estimates, stderrs = ksg_mi_pairs(values, pairs, return_stderr=True)
        assert 0.8 < estimates.std() / stderrs.mean() < 1.25  # measured 0.995 and 0.962
    x, z = values[:, :1], values[:, 1:2]
    result = estimate_mi(x, z, "ksg")
    assert result.stderr == pytest.approx(stderrs[0], rel=1e-9) and result.fold_estimates


def test_many_independent_columns_raise_no_false_alarm():
    """780 independent pairs of 300 rows: a fixed -0.05 threshold flagged about 10% of them."""
    values = np.random.default_rng(0).normal(size=(300, 40))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        matrix = mi_matrix(values).to_numpy()
    assert np.nanmin(matrix) < -0.05  # the noise that used to warn is there


def test_pairs_messages_allow_for_the_number_of_pairs():
    from keras_mine.estimators.diagnostics import negative_estimate, pairs_messages

    labels = [f"'c{i}' and 'y'" for i in range(19_900)]
    estimates, stderrs = np.zeros(19_900), np.full(19_900, 0.02)
    estimates[7] = -4.3 * 0.02  # beyond 4 standard errors: warns alone, not among 19,900
    assert negative_estimate(estimates[7], 0.02, neural=False) is not None
    assert pairs_messages(estimates, stderrs, labels, 2_000) == [None] * 5
    estimates[[3, 9]] = -5.5 * 0.02
    estimates[11] = 7.0
    found = [None] * 19_900
    found[5] = "column 'c5' is x"
    folds = [((0.0, 0.0), (0.01, 0.01))] * 19_900
    folds[4] = ((0.1, 0.9), (0.01, 0.01))
    functional, low, high, split, short = pairs_messages(
        estimates, stderrs, labels, 2_000, found=found, folds=folds)  # fmt: skip
    assert short is None  # no bounds passed
    assert split.startswith("1 of 19900 pairs have fold readouts that disagree") and "'c4'" in split
    assert functional.startswith("1 of 19900 pairs have a column that is (nearly) a function")
    assert low.startswith("2 of 19900 pairs read below zero") and "'c3' and 'y' at -0.110" in low
    assert "4.6 standard errors" in low and "'c7'" not in low
    assert high.startswith("1 of 19900 pairs read close to ln(2000)") and "'c11'" in high
    assert "repeated values" in negative_estimate(-1.0, 0.01, neural=False)
    assert "critic" in negative_estimate(-1.0, 0.01)


def test_discrete_sides_pass_n_jobs_to_scikit_learn():
    df = _table(n=800)
    labels = (df["a"] > 0).astype(int)
    X = df.drop(columns="a").assign(flag=(df["b"] > 0).astype(int))
    np.testing.assert_array_equal(mi_scores(X, labels, n_jobs=2), mi_scores(X, labels))
    np.testing.assert_array_equal(mi_scores(X, df["a"], n_jobs=2), mi_scores(X, df["a"]))


def test_other_methods_sum_up_their_warnings_per_kind_too():
    a = np.random.default_rng(0).normal(size=1_000)
    df = pd.DataFrame({"a": a, "exp_a": np.exp(a), "cube": a**3})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mi_matrix(df, "histogram")
    messages = [str(w.message) for w in caught if "function" in str(w.message)]
    assert len(messages) == 1 and messages[0].startswith("3 of 3 pairs have a column")
    assert "column 'a' is an increasing function of column 'exp_a'" in messages[0]
