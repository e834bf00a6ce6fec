"""Everyday MI workflows: feature ranking, MI matrices, confidence intervals, examples."""

import functools
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

import keras_mine
from keras_mine.bench.plots import plot_feature_ranking, plot_mi_matrix, plot_sample_size
from keras_mine.tasks import bivariate_gaussian

EXAMPLES = Path(__file__).parent.parent / "examples"


def _example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _features(n=2000, seed=0):
    # y depends on column 0 linearly and on column 1 only through its square,
    # which correlation cannot see; columns 4 and 5 are correlated noise.
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    X[:, 5] = X[:, 4] + 0.5 * rng.normal(size=n)
    y = X[:, 0] + (X[:, 1] ** 2 - 1) + 0.3 * rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("method", ["ksg", "mine"])
def test_select_k_best_with_the_mi_scorer_finds_the_informative_columns(method):
    X, y = _features()
    by_correlation = SelectKBest(f_regression, k=2).fit(X, y).get_support(indices=True)
    assert 1 not in by_correlation  # the square is invisible to correlation
    selector = SelectKBest(score_func=keras_mine.MIScorer(method), k=2).fit(X, y)
    assert list(selector.get_support(indices=True)) == [0, 1]
    # Measured: ksg 0.49, 0.41; mine 0.42, 0.33; noise columns within 0.04 of 0.
    assert selector.scores_[[0, 1]].min() > 0.25
    assert np.abs(np.delete(selector.scores_, [0, 1])).max() < 0.06


def test_rank_features_names_columns_and_handles_class_labels():
    X, y = _features()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    labels = (y > 0.5).astype(int)
    for method, settings in (("ksg", {}), ("classifier", {"max_epochs": 60})):
        ranking = keras_mine.rank_features(frame, labels, method, **settings)
        assert list(ranking.index[:2]) == ["f1", "f0"], ranking
    with pytest.raises(ValueError, match="continuous target"):
        keras_mine.mi_scores(X, labels, "kde")
    with pytest.raises(ValueError, match="do not apply"):
        keras_mine.mi_scores(X, labels, "ksg", bins=4)
    fig = plot_feature_ranking(keras_mine.rank_features(frame, y))
    assert len(fig.axes[0].patches) == 8


@pytest.mark.parametrize("method", ["ksg", "mine"])
def test_mi_matrix_matches_the_gaussian_truth(method):
    # Three correlated Gaussians: MI of each pair is -0.5 ln(1 - rho^2).
    cov = np.array([[1.0, 0.8, 0.3], [0.8, 1.0, 0.0], [0.3, 0.0, 1.0]])
    data = np.random.default_rng(0).multivariate_normal(np.zeros(3), cov, size=4000)
    frame = pd.DataFrame(data, columns=["a", "b", "c"])
    matrix = keras_mine.mi_matrix(frame, method)
    off_diagonal = ~np.eye(3, dtype=bool)
    truth = np.full((3, 3), np.nan)
    truth[off_diagonal] = -0.5 * np.log1p(-(cov[off_diagonal] ** 2))
    assert list(matrix.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(matrix.to_numpy(), matrix.to_numpy().T)
    # 0.05: KSG's standard error at N = 4,000 is ~0.015 (bootstrap_ci), the
    # neural readout's ~0.02, plus its small downward bias at 0.51 nats.
    np.testing.assert_allclose(matrix.to_numpy(), truth, atol=0.05)
    fig = plot_mi_matrix(matrix)
    assert len(fig.axes) == 2  # heatmap and colorbar
    with pytest.raises(ValueError, match="at least 2 columns"):
        keras_mine.mi_matrix(frame[["a"]])


def test_mi_matrix_shards_merge_into_the_whole_matrix():
    # The recipe of docs/user-guide.md for many processes: each takes a share
    # of the pairs; the merged shares are the one-process matrix (KSG with one
    # seed: the same numbers), and each pair is estimated by exactly one share.
    data = np.random.default_rng(1).normal(size=(500, 5))
    data[:, 1] += data[:, 0]
    data[:, 4] += np.sin(3 * data[:, 2])
    whole = keras_mine.mi_matrix(data)
    shares = [keras_mine.mi_matrix(data, shard=(i, 3)) for i in range(3)]
    estimated = sum(share.notna().to_numpy().astype(int) for share in shares)
    assert (estimated == ~np.eye(5, dtype=bool)).all()
    merged = functools.reduce(pd.DataFrame.combine_first, shares)
    pd.testing.assert_frame_equal(merged, whole)
    for bad in [(3, 3), (0, 0), (-1, 2), (0.5, 2), 2]:
        with pytest.raises(ValueError, match="shard"):
            keras_mine.mi_matrix(data, shard=bad)


def test_bootstrap_interval_covers_the_truth_at_its_nominal_rate():
    # 60 independent data sets of a Gaussian with known MI: a 95% interval
    # must contain the truth in about 57 of them. Measured 0.95 (and 0.98 at
    # rho = 0.9); the reflected "basic" interval gave 0.78 here. Limits 0.85
    # to 1.0: the binomial standard deviation at 60 draws is 0.028.
    task = bivariate_gaussian(0.6)
    hits, widths = [], []
    for i in range(60):
        x, z = task.sample(1000, seed=100 + i)
        interval = keras_mine.bootstrap_ci(x, z, "ksg", n_replicates=50, seed=i)
        assert interval.low < interval.mi < interval.high
        hits.append(interval.low <= task.mi_true <= interval.high)
        widths.append(interval.high - interval.low)
    assert 0.85 <= np.mean(hits) <= 1.0, np.mean(hits)
    assert 0.08 < np.mean(widths) < 0.2  # +-1.96 x the ~0.032 spread across data sets
    with pytest.raises(ValueError, match="at least 20 rows"):
        keras_mine.bootstrap_ci(x[:10], z[:10])


def test_bootstrap_of_a_neural_estimate_trains_the_replicates_stacked():
    x, z = bivariate_gaussian(0.8).sample(2000, seed=0)
    interval = keras_mine.bootstrap_ci(x, z, "mine", n_replicates=10, max_epochs=80,
                                       extrapolate=False)  # fmt: skip
    assert len(interval.replicates) == 10
    assert interval.low < interval.mi < interval.high
    # The interval is the sampling spread only (std 0.023 measured), not the
    # neural estimator's bias at N = 2,000 (0.456 against the true 0.511). One fit
    # per replicate: the extrapolated default adds its training noise (std 0.075).
    assert 0.005 < interval.std < 0.06, interval


def test_sample_size_curve_settles_near_the_truth():
    task = bivariate_gaussian(0.9)
    x, z = task.sample(4000, seed=0)
    curve = keras_mine.mi_vs_sample_size(x, z, "ksg", repeats=5)
    assert list(curve["n"]) == sorted(curve["n"]) and curve["n"].iloc[-1] == 4000
    # The spread shrinks with n, and the largest sizes sit near the truth.
    assert curve["std"].iloc[0] > curve["std"].iloc[-2]
    assert abs(curve["mean"].iloc[-1] - task.mi_true) < 0.05
    fig = plot_sample_size(curve, mi_true=task.mi_true)
    assert fig.axes[0].get_xscale() == "log"
    with pytest.raises(ValueError, match="only 4000 rows"):
        keras_mine.mi_vs_sample_size(x, z, sizes=[100, 5000])


def test_compare_clusterings_example_agrees_with_scikit_learn():
    example = _example("compare_clusterings")
    labels = example.labelings(seed=0)
    mi, nmi, ami = example.compare(seed=0)
    for a in labels:
        for b in labels:
            assert nmi.loc[a, b] == pytest.approx(
                normalized_mutual_info_score(labels[a], labels[b]), abs=1e-9
            )
            assert ami.loc[a, b] == pytest.approx(
                adjusted_mutual_info_score(labels[a], labels[b]), abs=1e-9
            )
    assert nmi.loc["truth", "k-means"] > 0.3 and nmi.loc["truth", "random"] < 0.01
    assert abs(ami.loc["truth", "random"]) < 0.01 and ami.loc["truth", "k-means"] > 0.3
    expected = nmi.loc["truth", "k-means"] * np.log(4)  # NMI = MI / mean entropy, about ln 4
    assert mi.loc["truth", "k-means"] == pytest.approx(expected, rel=0.05)


def test_image_alignment_example_finds_the_shift_that_correlation_misses():
    example = _example("align_images_by_mi")
    for shift, seed in (((5, -3), 0), ((-2, 6), 1)):
        a, b = example.make_images(shift=shift, seed=seed)
        maps = example.similarity_maps(a, b)
        assert example.best_shift(maps["mi"]) == shift
        assert example.best_shift(maps["abs_correlation"]) != shift


def test_ksg_ranking_handles_real_data_with_flags_and_rounded_values():
    # scikit-learn's diabetes data: a two-valued "sex" column and rounded
    # measurements that repeat values. Continuous columns: the same KSG as
    # mutual_info_regression; both break ties with 1e-10 noise, and on "s4"
    # (66 distinct values in 442 rows) the draw of that noise moves the
    # estimate by up to 0.026 (other columns <= 0.013). Hence 0.035.
    # "sex" goes to Ross' discrete-continuous estimator.
    from sklearn.datasets import load_diabetes
    from sklearn.feature_selection import mutual_info_regression

    data = load_diabetes(as_frame=True)
    ranking = keras_mine.rank_features(data.data, data.target)
    reference = pd.Series(mutual_info_regression(data.data, data.target, random_state=0),
                          index=data.data.columns)  # fmt: skip
    continuous = [name for name in data.data.columns if name != "sex"]
    np.testing.assert_allclose(ranking[continuous], reference[continuous], atol=0.035)
    assert ranking.index[0] == "bmi"


def test_ksg_scores_take_the_options_estimate_mi_takes_and_show_progress(capsys):
    # Before: standardize=False raised ("do not apply to method='ksg'") and
    # verbose was ignored on the KSG path.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1_000, 2)) * np.array([1.0, 1e3])  # column 1 in other units
    y = X[:, 0] + X[:, 1] / 1e3 + rng.normal(size=1_000)
    standardized = keras_mine.mi_scores(X, y)
    raw = keras_mine.mi_scores(X, y, standardize=False, verbose=True)
    assert "ksg x2" in capsys.readouterr().err
    # On raw units the max-norm neighbourhoods of column 1 are all x-width:
    # its estimate collapses; standardized, both columns read alike.
    assert standardized[1] == pytest.approx(standardized[0], abs=0.05)
    assert raw[0] == pytest.approx(standardized[0], abs=0.05)
    assert raw[1] < standardized[1] - 0.1
    keras_mine.mi_scores(X, y)
    assert "ksg x2" not in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"\['bins'\] do not apply"):
        keras_mine.mi_scores(X, y, bins=10)


def test_select_k_best_with_a_discrete_mask_ranks_as_scikit_learn_does():
    # scikit-learn's conventions: discrete_features (mask or indices),
    # n_neighbors, random_state; the same ranking as mutual_info_classif.
    from functools import partial

    from sklearn.feature_selection import mutual_info_classif

    rng = np.random.default_rng(3)
    n = 2_000
    y = rng.integers(0, 3, n)
    X = np.column_stack([
        y + rng.normal(size=n),                     # continuous, informative
        rng.normal(size=n),                         # continuous, independent
        np.sin(y) + 0.5 * rng.normal(size=n),       # continuous, informative
        (y + rng.integers(0, 2, n)) % 3,            # discrete codes, informative
        rng.integers(0, 4, n),                      # discrete, independent
        (y == 2).astype(int),                       # a flag, informative
    ]).astype(float)  # fmt: skip
    mask = np.array([False, False, False, True, True, True])
    ours = keras_mine.mi_scores(X, y, discrete_features=mask, n_neighbors=4, random_state=0)
    theirs = mutual_info_classif(X, y, discrete_features=mask, n_neighbors=4, random_state=0)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    assert list(np.argsort(ours)) == list(np.argsort(theirs))
    selected = [
        SelectKBest(score_func=scorer, k=3).fit(X, y).get_support(indices=True)
        for scorer in (
            keras_mine.MIScorer("ksg", discrete_features=[3, 4, 5], random_state=0),
            partial(mutual_info_classif, discrete_features=mask, random_state=0),
        )
    ]
    np.testing.assert_array_equal(*selected)
    assert set(selected[0].tolist()) == {0, 3, 5}  # MI 0.27, 0.41, 0.62; the others <= 0.24
    with pytest.raises(ValueError, match="`n_neighbors` or `k`"):
        keras_mine.mi_scores(X, y, n_neighbors=4, k=4)
    with pytest.raises(ValueError, match="boolean mask of length n_features"):
        keras_mine.mi_scores(X, y, discrete_features=[True, False])
    with pytest.raises(ValueError, match="methods 'ksg' and 'mixed' only"):
        keras_mine.mi_scores(X, y, "histogram", discrete_features=mask)


def test_negative_estimates_read_zero_for_every_column():
    # Before: scikit-learn clipped the discrete columns at 0 and KSG's
    # continuous ones came back below 0 (-0.01 here).
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=2_000), rng.normal(size=2_000),
                         rng.integers(0, 3, 2_000)])  # fmt: skip
    y = X[:, 0] ** 2 + 0.1 * rng.normal(size=2_000)
    scores = keras_mine.mi_scores(X, y)
    assert scores[0] > 1.5 and np.all(scores >= 0.0)
    assert scores[1] == 0.0  # KSG read -0.01
    assert np.array_equal(keras_mine.mi_scores(X, y, random_state=5),
                          keras_mine.mi_scores(X, y, seed=5))  # fmt: skip
