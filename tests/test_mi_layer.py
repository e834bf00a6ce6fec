"""MutualInformation as a layer: a bound inside a larger model, InfoMax by add_loss."""

import keras
import numpy as np
import pytest

import keras_mine
from keras_mine.tasks import bivariate_gaussian


def _pair_model(layer, dx, dz):
    x_in, z_in = keras.Input((dx,)), keras.Input((dz,))
    return keras.Model([x_in, z_in], layer(x_in, z_in))


def test_layer_rejects_bad_settings():
    with pytest.raises(ValueError, match="Valid losses"):
        keras_mine.MutualInformation(loss="mine")  # stateful: not a layer loss
    with pytest.raises(ValueError, match="score_matrix"):
        keras_mine.MutualInformation(loss="infonce", critic=keras_mine.MLPCritic())
    with pytest.raises(ValueError, match="tau"):
        keras_mine.MutualInformation(loss="smile", tau=0)
    with pytest.raises(ValueError, match="known shape"):  # a batch of scalars
        keras_mine.MutualInformation(loss="nwj")(np.zeros((4,)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="No default encoder"):  # volumes: pass an encoder
        keras_mine.MutualInformation(loss="nwj")(np.zeros((4, 2, 2, 2, 1)), np.zeros((4, 1)))
    # Before: every loss accepted (and ignored) SMILE's tau.
    with pytest.raises(ValueError, match=r"\['tau'\] do not apply"):
        keras_mine.MutualInformation(loss="nwj", tau=3.0)
    assert keras_mine.MutualInformation(loss="smile").tau == 5.0


@pytest.mark.parametrize("loss", ["nwj", "js"])
def test_layer_trained_by_its_own_loss_estimates_a_gaussian(loss):
    # The layer's add_loss(-objective) alone trains the critic: after that the
    # layer's batch estimate is near the truth (0.830 nats at rho = 0.9).
    # 0.12: two standard errors of the NWJ/DV batch estimate at batch 512
    # measured over seeds (~0.05), plus the critic's remaining bias.
    task = bivariate_gaussian(0.9)
    x, z = task.sample(8000, seed=1)
    layer = keras_mine.MutualInformation(loss=loss, loss_weight=1.0, seed=0)
    model = _pair_model(layer, 1, 1)
    model.compile(optimizer=keras.optimizers.Adam(2e-3))
    model.fit([x, z], None, batch_size=512, epochs=40, verbose=0)
    x_new, z_new = task.sample(4096, seed=2)
    estimate = float(layer(x_new, z_new))  # not training: no loss added
    assert not layer.losses
    assert abs(estimate - task.mi_true) < 0.12, estimate


def test_infomax_encoder_finds_the_shared_signal():
    # x: a 2-D signal u (noisy) hidden among 8 loud noise columns, mixed by a
    # rotation; z: another noisy view of u. A linear encoder x -> 2-D trained
    # only by add_loss(-InfoNCE(enc(x), z)) must find u: I(enc(x); z) by KSG
    # (independent of the critic) rises from what a random projection keeps
    # to near what the full x holds.
    rng = np.random.default_rng(0)
    n = 6000
    u = rng.normal(size=(n, 2))
    raw = np.column_stack([u + 0.3 * rng.normal(size=(n, 2)), 3.0 * rng.normal(size=(n, 8))])
    rotation, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    x = (raw @ rotation).astype("float32")
    z = (u + 0.3 * rng.normal(size=(n, 2))).astype("float32")
    x_in, z_in = keras.Input((10,)), keras.Input((2,))
    init = keras.initializers.GlorotUniform(0)
    encoder = keras.layers.Dense(2, use_bias=False, name="encoder", kernel_initializer=init)
    layer = keras_mine.MutualInformation(loss="infonce", loss_weight=1.0, seed=0)
    model = keras.Model([x_in, z_in], layer(encoder(x_in), z_in))
    before = keras_mine.estimate_mi(np.asarray(encoder(x)), z, method="ksg").mi
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit([x, z], None, batch_size=256, epochs=20, verbose=0)
    after = keras_mine.estimate_mi(np.asarray(encoder(x)), z, method="ksg").mi
    # The encoded signal u + noise(0.3) against u + noise(0.3): Gaussian MI
    # 2 * -0.5 ln(1 - rho^2), rho = 1 / (1 + 0.09) = 0.917.
    ceiling = -np.log(1 - (1 / 1.09) ** 2)
    # Measured: 0.02 before, 1.83 after (seed 0); random projections keep
    # little of u because the noise columns are 3x louder.
    assert before < 0.2 * ceiling, (before, ceiling)
    assert after > 0.9 * ceiling, (after, ceiling)


def test_layer_survives_save_and_load(tmp_path):
    layer = keras_mine.MutualInformation(loss="infonce", hidden_dim=16, seed=3)
    model = _pair_model(layer, 2, 1)
    x, z = np.random.default_rng(0).normal(size=(2, 64, 2)).astype("float32")
    before = float(model([x, z[:, :1]]))
    path = tmp_path / "with_layer.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert float(loaded([x, z[:, :1]])) == pytest.approx(before, abs=1e-6)
    config = loaded.layers[-1].get_config()
    assert config["loss"] == "infonce" and config["hidden_dim"] == 16 and config["seed"] == 3
