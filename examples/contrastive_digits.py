"""Learn features of digit images by maximizing the MI between two augmented views.

An encoder (`keras_mine.ConvEncoder`, 32 features) sees two random views
of each 8x8 digit of scikit-learn's `load_digits` (shifted by up to a
pixel, with Gaussian noise) and is trained, with no labels, to maximize
the InfoNCE bound on I(view 1; view 2) through the `MutualInformation`
layer: the contrastive learning of SimCLR, with the critic's projection
heads inside the layer. The features are then judged on held-out images
(a stratified split) by what they say about the labels:

- a linear probe (logistic regression on the features) against the same
  encoder with random weights, and the raw pixels;
- the MI between features and label, I(f; y) <= H(y) = ln 10 = 2.30 nats,
  estimated by `keras_mine.estimate_mi(..., method="mixed")` on the
  held-out rows, and bounded below by the probe itself: I(f; y) >= H(y) -
  cross-entropy of the probe's predictions (the Barber-Agakov bound).

Run: python examples/contrastive_digits.py [--epochs 100] [--seed 0]
Figures: docs/benchmarks.md, "Representation learning on digits".
"""

from __future__ import annotations

import argparse

import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import keras_mine

FEATURES = 32


def digits(seed: int) -> tuple[np.ndarray, ...]:
    """Images (n, 8, 8, 1) in [0, 1] and labels, split 2:1 stratified by label."""
    data = load_digits()
    images = (data.images / 16.0)[..., None].astype("float32")
    return train_test_split(images, data.target, test_size=1 / 3, stratify=data.target,
                            random_state=seed)  # fmt: skip


def contrastive_model(encoder: keras.layers.Layer, seed: int) -> keras.Model:
    """Two random views of each image through one encoder; the loss is -InfoNCE."""
    views = keras.Sequential([
        keras.layers.RandomTranslation(0.125, 0.125, fill_mode="constant", seed=seed),
        keras.layers.GaussianNoise(0.1, seed=seed + 1),
    ], name="views")  # fmt: skip
    images = keras.Input((8, 8, 1))
    mi = keras_mine.MutualInformation(loss="infonce", loss_weight=1.0, seed=seed)(
        encoder(views(images)), encoder(views(images)))  # fmt: skip
    return keras.Model(images, mi)


def probe(features_train, y_train, features_test, y_test) -> dict:
    """Held-out accuracy of a linear probe and its lower bound on I(features; label)."""
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    classifier.fit(features_train, y_train)
    p_test = classifier.predict_proba(features_test)
    h_label = float(-np.sum(np.bincount(y_test) / len(y_test)
                            * np.log(np.bincount(y_test) / len(y_test))))  # fmt: skip
    return {"accuracy": float(np.mean(classifier.predict(features_test) == y_test)),
            "mi_probe_bound": h_label - float(log_loss(y_test, p_test))}  # fmt: skip


def evaluate(encoder, x_train, y_train, x_test, y_test) -> dict:
    f_train, f_test = (keras.ops.convert_to_numpy(encoder(x, training=False))
                       for x in (x_train, x_test))  # fmt: skip
    mixed = keras_mine.estimate_mi(f_test, y_test, method="mixed").mi
    return {**probe(f_train, y_train, f_test, y_test), "mi_mixed": mixed}


def run(epochs: int = 100, seed: int = 0) -> dict:
    """Train the contrastive encoder; the held-out figures of it, a random encoder, pixels."""
    keras.utils.set_random_seed(seed)
    x_train, x_test, y_train, y_test = digits(seed)
    learned = keras_mine.ConvEncoder(units=FEATURES, seed=seed)
    model = contrastive_model(learned, seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(x_train, epochs=epochs, batch_size=256, verbose=0)
    random = keras_mine.ConvEncoder(units=FEATURES, seed=seed + 1000)  # the same shape, untrained
    pixels = probe(x_train.reshape(len(x_train), -1), y_train,
                   x_test.reshape(len(x_test), -1), y_test)  # fmt: skip
    return {
        "learned": evaluate(learned, x_train, y_train, x_test, y_test),
        "random": evaluate(random, x_train, y_train, x_test, y_test),
        "pixels": pixels,
        "infonce_last_epoch": -float(history.history["loss"][-1]),
        "h_label": float(np.log(10)),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seed", type=int, nargs="+", default=[0])
    for seed in parser.parse_args().seed:
        print(f"seed {seed}:", run(parser.parse_args().epochs, seed))
