"""The objective registry: one place per loss name, used by every trainer."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_mine
from keras_mine.core.bounds import donsker_varadhan, log_mean_exp
from keras_mine.core.objectives import (
    OBJECTIVES,
    MovingAverageState,
    get_objective,
    moving_average_objective,
)
from keras_mine.engine.stack import CriticStack
from keras_mine.estimators.methods import ENGINE_METHODS, METHODS
from keras_mine.models.layers import LAYER_LOSSES

RNG = np.random.default_rng(0)
T_JOINT = tf.constant(RNG.normal(1.0, 1.0, size=64), tf.float32)
T_MARGINAL = tf.constant(RNG.normal(0.0, 1.0, size=64), tf.float32)


def test_every_trainer_takes_its_names_and_defaults_from_the_registry():
    assert set(keras_mine.MINE_LOSSES) == set(OBJECTIVES) - {"classifier", "infonce", "doe"}
    assert set(LAYER_LOSSES) <= set(OBJECTIVES)
    assert set(ENGINE_METHODS) == set(OBJECTIVES) == {
        "mine_biased", "mine", "remine", "nwj", "smile", "js", "infonce", "classifier", "doe"
    }  # fmt: skip
    for name, objective in OBJECTIVES.items():
        if name != "classifier":  # the classifier's option is its readout, not the objective's
            assert set(objective.defaults) <= set(METHODS[name].options), name
        if name in keras_mine.MINE_LOSSES:
            assert keras_mine.MINE(loss=name).options == dict(objective.defaults), name


def test_options_of_another_loss_are_errors_not_ignored():
    with pytest.raises(ValueError, match=r"\['tau'\] do not apply to loss='mine'"):
        keras_mine.MINE(loss="mine", tau=3.0)
    with pytest.raises(ValueError, match="Unknown loss='mine_v2'"):
        get_objective("mine_v2")
    with pytest.raises(ValueError, match=r"do not apply to this loss \(its options: alpha\)"):
        OBJECTIVES["mine"].check_options(tau=1.0)
    # One range per option, checked wherever it enters (MINE, the stacked trainer).
    with pytest.raises(ValueError, match=r"\(0.0, 1.0\] for `alpha`"):
        keras_mine.MINE(loss="mine", alpha=1.5)
    with pytest.raises(ValueError, match=r"\(0.0, 1.0\] for `alpha`"):
        OBJECTIVES["mine"].check_options(alpha=0.0)
    with pytest.raises(ValueError, match=r"\(0.0, inf\) for `tau`"):
        keras_mine.MutualInformation(loss="smile", tau=0.0)
    model = keras_mine.MINE(loss="remine", log_partition_target=0.5)
    assert model.log_partition_target == 0.5 and model.reg_weight == 0.1 and model.alpha is None


def test_moving_average_objective_is_a_pure_function_of_scores_and_state():
    state = MovingAverageState(tf.constant(0.0), tf.constant(0.0))
    with tf.GradientTape() as tape:
        tape.watch(T_MARGINAL)
        value, first = moving_average_objective(T_JOINT, T_MARGINAL, state, alpha=0.1)
    # The value is the DV bound; the first update starts at the batch value.
    np.testing.assert_allclose(value, donsker_varadhan(T_JOINT, T_MARGINAL), rtol=1e-6)
    np.testing.assert_allclose(first.log_average, log_mean_exp(T_MARGINAL), rtol=1e-6)
    assert float(first.updates) == 1.0 and float(state.updates) == 0.0  # the input is untouched
    # The gradient divides by the moving average, not the batch mean.
    expected = -np.exp(T_MARGINAL.numpy()) / (64 * np.exp(float(first.log_average)))
    np.testing.assert_allclose(tape.gradient(value, T_MARGINAL), expected, rtol=1e-5)
    shifted = T_MARGINAL + 1.0
    _, second = moving_average_objective(T_JOINT, shifted, first, alpha=0.1)
    average = 0.9 * np.exp(float(first.log_average)) + 0.1 * np.mean(np.exp(shifted.numpy()))
    np.testing.assert_allclose(second.log_average, np.log(average), rtol=1e-6)


def test_mine_model_and_stacked_trainer_share_the_moving_average():
    # One objective function behind both: the same scores give the same state.
    model = keras_mine.MINE(loss="mine", alpha=0.2)
    fit = CriticStack(1, (1, 1), "mine", {"alpha": 0.2},
                      dict(hidden_dim=4, num_hidden_layers=1, activation="relu"), 1e-3)  # fmt: skip
    for shift in (0.0, 0.5, -0.3):
        joint, marginal = T_JOINT + shift, T_MARGINAL - shift
        by_model = model.compute_objective(joint, marginal, training=True)
        by_stack = fit.objective_value(joint[None], marginal[None])
        np.testing.assert_allclose(by_model, by_stack[0], rtol=1e-6)
    np.testing.assert_allclose(model.log_moving_average.numpy(), fit.log_moving_average.numpy()[0],
                               rtol=1e-6)  # fmt: skip


def test_layer_returns_its_bound_or_the_dv_readout_of_a_non_bound():
    x = keras.random.normal((128, 2), seed=1)
    for loss in LAYER_LOSSES:
        layer = keras_mine.MutualInformation(loss=loss, seed=0)
        objective, estimate = layer.objective_and_estimate(x, x[:, :1])
        same = np.isclose(float(objective), float(estimate))
        assert same == OBJECTIVES[loss].is_bound, loss
