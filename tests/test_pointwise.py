"""Pointwise MI from a trained critic (issue 15, part 2)."""

import numpy as np
import pytest
from scipy import stats

import keras_mine
from keras_mine.tasks import bivariate_gaussian

RHO = 0.8


def _closed_form_pmi(x, z, rho=RHO):
    joint = stats.multivariate_normal(cov=[[1, rho], [rho, 1]]).logpdf(np.column_stack([x, z]))
    return joint - stats.norm.logpdf(x) - stats.norm.logpdf(z)


@pytest.fixture(scope="module")
def trained():
    x, z = bivariate_gaussian(RHO).sample(4_000, seed=0)
    models = {}
    candidates = {
        "mine": keras_mine.MINE(seed=0),
        "classifier": keras_mine.ClassifierMI(readout="log_odds", seed=0),
    }
    for name, model in candidates.items():
        model.compile(optimizer="adam")
        model.fit(x, z, batch_size=256, epochs=40, verbose=0)
        models[name] = model
    return models


@pytest.mark.parametrize("name", ["mine", "classifier"])
def test_pointwise_mi_follows_the_closed_form_and_averages_to_the_estimate(trained, name):
    model = trained[name]
    x, z = bivariate_gaussian(RHO).sample(3_000, seed=1)  # fresh rows
    pmi = model.pointwise_mi(x, z, seed=3)
    assert pmi.shape == (3_000,) and pmi.dtype == np.float64
    truth = _closed_form_pmi(x[:, 0], z[:, 0])
    assert np.corrcoef(pmi, truth)[0, 1] >= 0.95
    assert np.mean(pmi) == pytest.approx(model.estimate(x, z, seed=3), abs=1e-6)


def test_pointwise_mi_of_smile_and_unsupported_models():
    x, z = bivariate_gaussian(RHO).sample(600, seed=0)
    model = keras_mine.MINE(loss="smile", tau=0.5, seed=0)
    model.compile(optimizer="adam")
    model.fit(x, z, batch_size=128, epochs=3, verbose=0)
    assert np.mean(model.pointwise_mi(x, z)) == pytest.approx(model.estimate(x, z), abs=1e-6)
    with pytest.raises(NotImplementedError, match="Use MINE or ClassifierMI"):
        keras_mine.InfoNCE(seed=0).pointwise_mi(x, z)
    with pytest.raises(NotImplementedError, match="not implemented"):
        keras_mine.ConditionalClassifierMI(seed=0).pointwise_mi(x, z, z)
    with pytest.raises(ValueError, match="adapt|fit"):
        keras_mine.MINE(seed=0).pointwise_mi(x, z)  # untrained: says what to do
