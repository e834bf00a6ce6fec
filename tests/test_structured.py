"""Images, sequences and embeddings (issue 33): inputs of any rank, encoders, known-MI tasks."""

import keras
import numpy as np
import pytest

import keras_mine
from keras_mine.core.critics import MLPCritic, SeparableCritic
from keras_mine.core.encoders import MAX_POSITIONS, ConvEncoder, default_encoder
from keras_mine.core.preprocessing import MarginalTransform
from keras_mine.core.validation import check_samples
from keras_mine.tasks.images import (
    DigitPairs,
    EmbeddedGaussian,
    digit_pairs,
    image_suite,
    symmetric_channel_mi,
)

RNG = np.random.default_rng(0)
IMAGES = RNG.random((64, 8, 8, 1))
SEQUENCES = RNG.normal(size=(64, 20, 3))


# ------------------------------------------------------------------ validation
def test_classical_methods_refuse_images_and_name_the_neural_route():
    with pytest.raises(ValueError, match="neural methods") as error:
        keras_mine.estimate_mi(IMAGES, IMAGES, method="ksg")
    assert "reshape(len(x), -1)" in str(error.value)


def test_structured_samples_keep_their_shape_and_report_bad_rows():
    assert check_samples(IMAGES, structured=True).shape == IMAGES.shape
    bad = IMAGES.copy()
    bad[5, 2, 3, 0] = np.nan
    with pytest.raises(ValueError, match="first at row 5"):
        check_samples(bad, structured=True)


# --------------------------------------------------------------- preprocessing
def test_images_are_mapped_per_channel_and_invariant_to_increasing_maps():
    two = np.concatenate([IMAGES, 1e6 * IMAGES + 3.0], axis=-1)  # channels on other scales
    layer = MarginalTransform("normal_scores", norm_feature=True)
    layer.adapt(two)
    mapped = layer(two).numpy()
    assert mapped.shape == two.shape  # no norm feature for images
    np.testing.assert_allclose(mapped[..., 0], mapped[..., 1], atol=1e-5)  # one map each
    gamma = MarginalTransform("normal_scores")
    gamma.adapt(two**2.2)  # an increasing map of every intensity
    np.testing.assert_allclose(gamma(two**2.2).numpy(), mapped, atol=1e-5)


# -------------------------------------------------------------------- encoders
def test_conv_encoder_halves_positions_until_few_remain():
    encoder = ConvEncoder(filters=4, units=5, seed=0)
    assert encoder(np.zeros((2, 28, 28, 1), "float32")).shape == (2, 5)
    assert len(encoder.convolutions) == 3  # 28 -> 14 -> 7: 49 positions of 16 maps
    assert encoder.dense.kernel.shape[0] == 7 * 7 * 16 and 7 * 7 <= MAX_POSITIONS
    sequence = ConvEncoder(units=5, seed=0)
    assert sequence(SEQUENCES.astype("float32")).shape == (64, 5)
    again = ConvEncoder(units=5, seed=0)
    np.testing.assert_array_equal(again(SEQUENCES.astype("float32")),
                                  sequence(SEQUENCES.astype("float32")))  # fmt: skip


def test_default_encoder_by_rank():
    assert default_encoder((None, 4), seed=0) is None
    assert isinstance(default_encoder((None, 8, 8, 1), seed=0), ConvEncoder)
    with pytest.raises(ValueError, match="x_encoder="):
        default_encoder((None, 4, 8, 8, 1), seed=0)


@pytest.mark.parametrize("critic_class", [MLPCritic, SeparableCritic])
def test_critics_encode_images_by_default_and_take_given_encoders(critic_class):
    critic = critic_class(hidden_dim=8, seed=0)
    z = RNG.normal(size=(64, 2)).astype("float32")
    assert critic(IMAGES.astype("float32"), z).shape == (64,)
    assert isinstance(critic.x_encoder, ConvEncoder) and critic.z_encoder is None
    given = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(3)])
    critic = critic_class(hidden_dim=8, seed=0, x_encoder=given)
    critic(IMAGES.astype("float32"), z)
    assert critic.x_encoder is given
    config = keras.saving.serialize_keras_object(critic)
    assert isinstance(keras.saving.deserialize_keras_object(config).x_encoder, keras.Sequential)


def test_a_given_encoder_must_give_a_vector():
    critic = MLPCritic(hidden_dim=8, x_encoder=keras.layers.Dense(3))  # keeps the image axes
    with pytest.raises(ValueError, match="Flatten"):
        critic(IMAGES.astype("float32"), IMAGES.astype("float32"))


def test_encoders_must_be_layers():
    with pytest.raises(TypeError, match="Keras layer"):
        MLPCritic(x_encoder="conv")


# ---------------------------------------------------------------------- models
@pytest.mark.parametrize("model_class", [keras_mine.MINE, keras_mine.InfoNCE])
def test_models_on_images_save_and_load(model_class, tmp_path):
    task = DigitPairs(1, 10)
    x, z = task.sample(512, seed=0)
    given = keras.Sequential([keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(8)])  # fmt: skip
    model = model_class(hidden_dim=16, seed=0, z_encoder=given)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, z, batch_size=128, epochs=2, verbose=0)
    assert isinstance(model.critic.x_encoder, ConvEncoder)
    expected = model.scores(x[:64], z[:64])
    model.save(tmp_path / "model.keras")
    restored = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(restored.critic.z_encoder, keras.Sequential)
    np.testing.assert_allclose(restored.scores(x[:64], z[:64]), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"samples of shape \(8, 8, 1\)"):
        model.scores(x[:, :4], z[:, :4])


def test_mi_layer_on_sequences():
    layer = keras_mine.MutualInformation(loss="nwj", hidden_dim=8, seed=0)
    value = layer(SEQUENCES.astype("float32"), SEQUENCES.astype("float32"))
    assert np.isfinite(float(value)) and isinstance(layer.critic.x_encoder, ConvEncoder)


# ---------------------------------------------------------------------- engine
FAST = dict(extrapolate=False, max_epochs=12, stop_patience=4, hidden_dim=32)


def test_estimate_on_digit_images_finds_the_shared_label():
    # 1,500 rows of one digit each, paired by label: 2.30 nats. 30 epochs of
    # InfoNCE with the default conv encoders read most of it (measured 1.54);
    # independent images (flip 0.9: z's label is uniform) read near 0.
    settings = dict(method="infonce", seed=0, extrapolate=False, max_epochs=30, stop_patience=6)
    x, z = DigitPairs(1, 10).sample(1500, seed=0)
    result = keras_mine.estimate_mi(x, z, **settings)
    assert 1.2 < result.mi < 2.5
    assert isinstance(result.models[0].critic.x_encoder, ConvEncoder)
    x, z = DigitPairs(1, 10, flip=0.9).sample(1500, seed=0)
    assert abs(keras_mine.estimate_mi(x, z, **settings).mi) < 0.15


def test_estimates_with_encoders_are_reproducible_and_leave_a_given_encoder_alone():
    x, z = DigitPairs(1, 4).sample(400, seed=1)
    given = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(8, activation="relu")])
    given.build((None, 8, 8, 1))
    before = [w.copy() for w in given.get_weights()]
    settings = dict(method="infonce", seed=3, x_encoder=given, **FAST)
    first = keras_mine.estimate_mi(x, z, **settings)
    second = keras_mine.estimate_mi(x, z, **settings)
    assert first.mi == second.mi
    for old, new in zip(before, given.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)
    model = first.models[1]
    assert model.critic.x_encoder is not given
    assert not np.array_equal(model.critic.x_encoder.get_weights()[0], before[0])  # trained


def test_methods_without_encoders_refuse_images():
    with pytest.raises(ValueError, match="tabular"):
        keras_mine.estimate_mi(IMAGES, RNG.normal(size=64), method="doe", seed=0)
    with pytest.raises(ValueError, match="1-D .* or 2-D"):
        keras_mine.estimate_cmi(IMAGES[:, 0, 0], IMAGES, IMAGES[:, 0, 1], seed=0)


# ----------------------------------------------------------------------- tasks
def test_symmetric_channel_mi_matches_the_plug_in_mi_of_its_joint_table():
    q, p = 5, 0.3
    joint = np.full((q, q), p / (q - 1) / q)
    np.fill_diagonal(joint, (1 - p) / q)
    plug_in = np.sum(joint * np.log(joint / (joint.sum(0) * joint.sum(1)[:, None])))
    assert symmetric_channel_mi(q, p) == pytest.approx(plug_in, rel=1e-12)


def test_digit_pairs_draw_their_images_from_disjoint_halves_with_the_channel_law():
    task = digit_pairs(3.0, patches=2)
    assert task.mi_true == pytest.approx(3.0)
    x, z = task.sample(3000, seed=0)
    assert x.shape == z.shape == (3000, 8, 16, 1)
    seen_x = {t.tobytes() for t in x[:, :, :8].reshape(-1, 64).astype(np.float32)}
    seen_z = {t.tobytes() for t in z[:, :, :8].reshape(-1, 64).astype(np.float32)}
    assert not seen_x & seen_z
    labels_x, labels_z = task.labels(200_000, np.random.default_rng(0))
    assert np.mean(labels_x != labels_z) == pytest.approx(task.flip, abs=0.005)
    assert [round(t.mi_true, 2) for t in image_suite()] == [1.0, 2.3, 3.0, 4.0, 6.0, 8.0, 10.0]


def test_embedded_gaussian_is_an_injective_embedding():
    task = EmbeddedGaussian(dim=256, latent=2, rho=0.8)
    assert task.mi_true == pytest.approx(-np.log(1 - 0.64))
    assert task.sample(50, seed=0)[0].shape == (50, 256)
    x, _ = task.draw(500, np.random.default_rng(0))
    u = np.random.default_rng(0).standard_normal((500, 2))  # draw's first draw
    w1, b, w2 = task._maps[0]
    hidden = np.linalg.solve(w2.T, x.T).T  # W2 is invertible
    recovered = np.linalg.lstsq(w1.T, (np.arctanh(hidden) - b).T, rcond=None)[0].T
    # x determines the latent; arctanh amplifies round-off where tanh saturates (|u| near 4
    # read 0.003 off under another BLAS thread count), hence the relative part.
    np.testing.assert_allclose(recovered, u, atol=2e-3, rtol=1e-3)


# ------------------------------------------------------- representation learning
def test_contrastive_features_beat_random_features_on_a_linear_probe():
    # examples/contrastive_digits.py on fewer epochs (30 of 100). Measured at
    # 100 epochs, seeds 0, 1, 2: probe accuracy 0.957 / 0.943 / 0.952 learned,
    # 0.866 / 0.886 / 0.866 random (docs/benchmarks.md); 599 test digits give
    # a standard error of 0.014 on an accuracy near 0.9.
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "examples" / "contrastive_digits.py"
    spec = importlib.util.spec_from_file_location("contrastive_digits", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    result = example.run(epochs=30, seed=0)
    learned, random = result["learned"], result["random"]
    assert learned["accuracy"] > random["accuracy"] + 0.04, result
    assert learned["mi_probe_bound"] > random["mi_probe_bound"], result
    assert learned["mi_probe_bound"] < result["h_label"], result
