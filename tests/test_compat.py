"""keras_mine.compat: minepy's interface, each parameter doing what it says."""

import runpy
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from keras_mine.compat import ClassMI, Mine
from keras_mine.models.callbacks import LR_MIN_DELTA
from keras_mine.tasks import bivariate_gaussian

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_input_dim_must_match_the_data():
    x, z = bivariate_gaussian(0.5).sample(200, seed=0)
    with pytest.raises(ValueError, match="input_dim=3 but X has 1 and Z has 1 .* input_dim=2"):
        Mine(3).fit(x, z)
    with pytest.raises(ValueError, match="total width"):
        ClassMI(1)
    with pytest.raises(RuntimeError, match="not fitted"):
        Mine(2).get_mi()
    with pytest.raises(ValueError, match="Valid losses"):
        Mine(2, loss="dv-typo")
    with pytest.raises(ValueError, match="not both"):
        Mine(2, loss="remine", regWeight=0.1, reg_weight=0.2)


def test_aliases_and_hidden_layers():
    assert Mine(2, loss="remine", reg_weight=0.3, target_val=1.0)._options() == {
        "reg_weight": 0.3,
        "log_partition_target": 1.0,
    }
    assert Mine(2, loss="remine", regWeight=0.4, targetVal=2.0)._options() == {
        "reg_weight": 0.4,
        "log_partition_target": 2.0,
    }
    x, z = bivariate_gaussian(0.5).sample(300, seed=0)
    model = Mine(2, hidden_dim=7, num_hidden_layers=3, seed=0).fit(x, z, max_epochs=1)
    critic = model.result_.model.critic
    assert [layer.units for layer in critic.hidden_layers] == [7, 7, 7]  # N means N


def _expected_rates(val_mi, lr, factor, patience, min_delta=LR_MIN_DELTA):
    """The rate each epoch trains with under Keras' ReduceLROnPlateau rule (mode max)."""
    best, wait, rates = -np.inf, 0, []
    for value in val_mi:
        rates.append(lr)
        if value > best + min_delta:
            best, wait = value, 0
        else:
            wait += 1
            if wait >= patience:
                lr, wait = lr * factor, 0
    return np.array(rates)


def test_early_stopping_and_lr_schedule_mean_what_they_say():
    # Independent data: no epoch improves on the first by stop_min_delta, so each
    # fold stops exactly stop_patience epochs after it; the rate in use is
    # multiplied by lr_factor after every lr_patience epochs without a rise of
    # LR_MIN_DELTA (not stop_min_delta), and the best epoch's weights are kept.
    rng = np.random.default_rng(0)
    x, z = rng.normal(size=2_000), rng.normal(size=2_000)
    model = Mine(2, loss="mine_biased", seed=0).fit(
        x,
        z,
        batch_size=200,
        max_epochs=500,
        lr=1e-3,
        lr_factor=0.5,
        lr_patience=2,
        stop_patience=6,
        stop_min_delta=0.05,
    )
    curves = model.get_curves()
    assert list(curves.groupby("fold").size()) == [7, 7]  # 1 + stop_patience, not 500
    reductions = 0
    for _, fold in curves.groupby("fold"):
        assert list(fold["epoch"]) == list(range(7))
        rates = fold["learning_rate"].to_numpy()
        expected = _expected_rates(fold["val_mi"].to_numpy(), 1e-3, 0.5, 2)
        np.testing.assert_allclose(rates, expected, rtol=1e-5)
        reductions += int(np.sum(rates < 1e-3 * (1 - 1e-5)))
    assert reductions > 0  # the rule fired, so the comparison above tested it


def _run_example(name, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.setattr("matplotlib.pyplot.show", lambda *a, **k: None)
    np.random.seed(0)  # the examples draw data from numpy's global state
    return runpy.run_path(str(EXAMPLES / name))


def test_minepy_mine_example_runs_unchanged(monkeypatch):
    out = _run_example("minepy_mine_rho_sweep.py", monkeypatch)
    assert len(out["Rho"]) == 3 and max(abs(out["Rho"])) <= 0.9
    for name in ("mi_mine_biased", "mi_mine", "mi_remine"):
        np.testing.assert_allclose(out[name], out["mi_teo"], atol=0.15, err_msg=name)


def test_minepy_classmi_example_runs_unchanged(monkeypatch):
    out = _run_example("minepy_classmi_rho_sweep.py", monkeypatch)
    np.testing.assert_allclose(out["class_mi"], out["mi_teo"], atol=0.15)


def test_examples_differ_from_minepy_only_in_import_and_setting():
    for name, module in [
        ("minepy_mine_rho_sweep.py", "Mine"),
        ("minepy_classmi_rho_sweep.py", "ClassMI"),
    ]:
        text = (EXAMPLES / name).read_text()
        assert f"from keras_mine.compat import {module}\n" in text
        assert "keras_mine" not in text.replace(f"from keras_mine.compat import {module}", "")


def test_minepy_fdiv_loss_is_nwj():
    x, z = bivariate_gaussian(0.5).sample(300, seed=0)
    model = Mine(2, loss="fdiv", seed=0).fit(x, z, max_epochs=1)
    assert model.result_.model.loss_name == "nwj"
    with pytest.raises(ValueError, match="fdiv"):
        Mine(2, loss="f-div")


@pytest.mark.extrapolate
def test_fit_follows_estimate_mi_default_on_extrapolation():
    """extrapolate=None (default) is estimate_mi's default: extrapolate; False: one fit."""
    x, z = bivariate_gaussian(0.5).sample(400, seed=0)
    default = Mine(2, seed=0).fit(x, z, max_epochs=2)
    assert len(default.result_.half_estimates) == 2
    single = Mine(2, seed=0).fit(x, z, max_epochs=2, extrapolate=False)
    assert single.result_.half_estimates == ()
