"""Normalized and adjusted MI of labelings; pointwise MI of tables and collocations (issue 15)."""

import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

import keras_mine
from keras_mine.classical.labelings import AVERAGES

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("average", AVERAGES)
def test_normalized_and_adjusted_mi_equal_scikit_learns(average):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, 1000)
    b = np.where(rng.uniform(size=1000) < 0.6, a, rng.integers(0, 7, 1000)) + 10  # other codes
    assert keras_mine.normalized_mi(a, b, average) == pytest.approx(
        normalized_mutual_info_score(a, b, average_method=average), abs=1e-12
    )
    assert keras_mine.adjusted_mi(a, b, average) == pytest.approx(
        adjusted_mutual_info_score(a, b, average_method=average), abs=1e-12
    )
    random_labels = rng.integers(0, 50, 1000)
    assert keras_mine.normalized_mi(a, random_labels, average) > 0.02  # chance inflates NMI ...
    assert abs(keras_mine.adjusted_mi(a, random_labels, average)) < 0.02  # ... not AMI


def test_labelings_checks():
    with pytest.raises(ValueError, match="Valid values: arithmetic, geometric, min, max"):
        keras_mine.normalized_mi([0, 1], [1, 0], average_method="mean")
    with pytest.raises(ValueError, match="non-integer"):
        keras_mine.adjusted_mi([0.5, 1.0], [1, 0])
    with pytest.raises(ValueError, match="paired row by row"):
        keras_mine.normalized_mi([0, 1, 1], [1, 0])


def test_pmi_table_against_the_definition_and_the_plug_in_mi():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 3, 2000), rng.integers(0, 4, 2000)
    b = np.where(rng.uniform(size=2000) < 0.5, a, b)
    counts = pd.crosstab(pd.Series(a, name="a"), pd.Series(b, name="b"))
    pmi = keras_mine.pmi_table(counts)
    assert list(pmi.index) == list(counts.index) and list(pmi.columns) == list(counts.columns)
    p = counts / counts.to_numpy().sum()
    i, j = 1, 2
    expected = np.log(p.iloc[i, j] / (p.iloc[i].sum() * p.iloc[:, j].sum()))
    assert pmi.iloc[i, j] == pytest.approx(expected)
    # Averaged over the joint frequencies, PMI is the plug-in MI.
    assert float((p * pmi).to_numpy().sum()) == pytest.approx(
        keras_mine.estimate_mi(a, b, method="discrete").mi
    )
    npmi = keras_mine.pmi_table(counts.to_numpy(), normalized=True)
    assert isinstance(npmi, pd.DataFrame)
    assert npmi.to_numpy().min() >= -1 and npmi.to_numpy().max() <= 1


def test_pmi_table_edges():
    independent = np.outer([1, 2, 3], [4, 5])  # counts of independent variables: PMI 0
    assert np.allclose(keras_mine.pmi_table(independent).to_numpy(), 0.0)
    assert np.allclose(keras_mine.pmi_table(independent, normalized=True).to_numpy(), 0.0)
    single = keras_mine.pmi_table([[7]], normalized=True)
    assert single.iloc[0, 0] == 1.0
    for bad in ([[1, -1]], [[0, 0]], [[np.nan, 1]], [1, 2, 3], np.ones((2, 2, 2))):
        with pytest.raises(ValueError, match="counts"):
            keras_mine.pmi_table(bad)


def test_collocation_example_finds_the_planted_pairs():
    example = runpy.run_path(str(EXAMPLES / "find_collocations.py"))
    ranked = example["collocations"](example["make_text"]())
    top = set(ranked.index[:4])
    assert top == set(example["PLANTED"])
    assert ranked.iloc[4] < 0.5  # the first unplanted pair is far below
