"""Training speed: plain Keras fit, our paths, and the in-graph loop limit.

Same data (bivariate Gaussian, 8,000 training and 2,000 validation rows),
same critic (3 hidden layers of 50 units), batch 300, DV objective, Adam.
Each figure is training steps per second over a fixed number of epochs
(no early stopping), timed from the end of the first epoch (which traces
the graphs) to the end of the last:

- plain_keras_fit: Keras' own per-batch loop on the same model and
  train step (``keras.Model.fit(model, x, z, batch_size=300)``);
- keras_fit: ``model.fit(x, z, batch_size=300)``, our Keras path: each
  epoch is one Keras step whose minibatch loop runs in the graph;
- highlevel: the engine (`keras_mine.engine`), the path of `estimate_mi`,
  `estimate_mi_many` and `compat.Mine.fit`: a `CriticStack` of one critic,
  one compiled call per epoch with validation (the validation MI computed in
  the same graph call), driven by the engine's loop, not Keras' fit;
- in_graph_limit: a hand-written `tf.function` epoch loop doing only
  shuffle, gather, critic, DV loss and Adam; no metrics, no validation;
- conv_*: the same three paths (Keras' loop, our fit, the engine) for the
  conv critic on 8x8 digit images (3,000 training and 1,000 validation
  pairs, a `ConvEncoder` for each side, then the same MLP head);
- separate / vectorized: K critics (K bivariate Gaussians) trained for the
  same epochs one after another by the engine (a stack of one each), or
  together as one stack of K, as `estimate_mi_many` does; critic-steps per
  second of wall time, tracing included (each separate run traces its own graph).

Usage: python benchmarks/speed.py [--epochs 20] [--device auto|cpu|gpu]

``--device auto`` (default) runs on the first GPU when TensorFlow sees one,
else on the CPU; the header line names the device the figures are for.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_mine import MINE, MLPCritic  # noqa: E402
from keras_mine.core.bounds import donsker_varadhan  # noqa: E402
from keras_mine.engine.stack import CriticStack  # noqa: E402
from keras_mine.tasks import bivariate_gaussian  # noqa: E402
from keras_mine.tasks.images import DigitPairs  # noqa: E402

N_TRAIN, N_VAL, BATCH = 8_000, 2_000, 300
N_IMAGES, N_VAL_IMAGES = 3_000, 1_000  # the conv critic's figures
CRITIC = dict(hidden_dim=50, num_hidden_layers=3)
STEPS_PER_EPOCH = -(-N_TRAIN // BATCH)


def _model() -> MINE:
    model = MINE(loss="mine_biased", seed=0, **CRITIC)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


class EpochClock(keras.callbacks.Callback):
    """Records the time at each epoch end."""

    def __init__(self, steps_per_epoch: int = STEPS_PER_EPOCH):
        super().__init__()
        self.times, self.steps_per_epoch = [], steps_per_epoch

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter())

    def steps_per_second(self) -> float:
        """Over the epochs after the first, whose time includes tracing the graphs."""
        return self.steps_per_epoch * (len(self.times) - 1) / (self.times[-1] - self.times[0])


def plain_keras_fit(x, z, epochs):
    clock = EpochClock()
    model = _model()
    model.adapt(x, z)  # what our fit does first; Keras' own loop calls train_step per batch
    keras.Model.fit(model, x, z, batch_size=BATCH, epochs=epochs + 1, verbose=0,
                    callbacks=[clock])  # fmt: skip
    return clock.steps_per_second()


def keras_fit(x, z, epochs):
    clock = EpochClock()
    _model().fit(x, z, batch_size=BATCH, epochs=epochs + 1, verbose=0, callbacks=[clock])
    return clock.steps_per_second()


def _stack_and_data(data):
    """A stack of len(data) critics and its epoch tensors: data holds (x, z, x_val, z_val)."""
    stack = CriticStack(len(data), (1, 1), "mine_biased", {}, dict(CRITIC, activation="relu"),
                        1e-3)  # fmt: skip
    stack.reset(0)
    x = np.stack([np.concatenate([d[0], d[2]]) for d in data])
    z = np.stack([np.concatenate([d[1], d[3]]) for d in data])
    rows = np.arange(N_TRAIN + N_VAL)
    return stack, stack.epoch_data(x, z, rows[:N_TRAIN], rows[N_TRAIN:], np.random.default_rng(0))


def _engine_epochs(data, epochs, clock=None):
    stack, tensors = _stack_and_data(data)
    for e in range(epochs):
        stack.train_epoch(tensors, BATCH, np.array([0, e]))
        if clock is not None:
            clock.on_epoch_end(e)


def highlevel(x, z, x_val, z_val, epochs):
    clock = EpochClock()
    _engine_epochs([(x, z, x_val, z_val)], epochs + 1, clock)
    return clock.steps_per_second()


def in_graph_limit(x, z, epochs):
    critic = MLPCritic(seed=0, **CRITIC)
    critic.build((None, 1), (None, 1))
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(critic.trainable_variables)
    xt, zt = tf.constant(x), tf.constant(z)

    @tf.function
    def epoch(seed):
        order = tf.argsort(tf.random.stateless_uniform([N_TRAIN], seed))  # GPU kernels
        for step in tf.range(STEPS_PER_EPOCH):
            rows = order[step * BATCH : (step + 1) * BATCH]
            xb, zb = tf.gather(xt, rows), tf.gather(zt, rows)
            with tf.GradientTape() as tape:
                joint = critic(xb, zb)
                marginal = critic(xb, tf.random.shuffle(zb))
                loss = -donsker_varadhan(joint, marginal)
            grads = tape.gradient(loss, critic.trainable_variables)
            optimizer.apply(grads, critic.trainable_variables)

    clock = EpochClock()
    for e in range(epochs + 1):
        epoch(tf.constant([0, e]))
        clock.on_epoch_end(e)
    return clock.steps_per_second()


def _conv_model() -> MINE:
    model = MINE(loss="mine_biased", seed=0, **CRITIC)  # a ConvEncoder for each image
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


def conv_figures(epochs: int) -> dict[str, float]:
    """The conv critic (digit images, 8x8x1 each side): Keras' loop, our fit, the engine."""
    x, z = DigitPairs(1, 10).sample(N_IMAGES + N_VAL_IMAGES, seed=0)
    train, val = slice(0, N_IMAGES), slice(N_IMAGES, None)
    steps = -(-N_IMAGES // BATCH)
    figures = {}
    clock, model = EpochClock(steps), _conv_model()
    model.adapt(x[train], z[train])
    keras.Model.fit(model, x[train], z[train], batch_size=BATCH, epochs=epochs + 1, verbose=0,
                    callbacks=[clock])  # fmt: skip
    figures["conv_plain_keras_fit"] = clock.steps_per_second()
    clock = EpochClock(steps)
    _conv_model().fit(x[train], z[train], batch_size=BATCH, epochs=epochs + 1, verbose=0,
                      callbacks=[clock])  # fmt: skip
    figures["conv_keras_fit"] = clock.steps_per_second()
    stack = CriticStack(1, (x.shape[1:], z.shape[1:]), "mine_biased", {},
                        dict(CRITIC, activation="relu"), 1e-3)  # fmt: skip
    stack.reset(0)
    rows = np.arange(len(x))
    tensors = stack.epoch_data(x[None], z[None], rows[train], rows[val], np.random.default_rng(0))
    clock = EpochClock(steps)
    for e in range(epochs + 1):
        stack.train_epoch(tensors, BATCH, np.array([0, e]))
        clock.on_epoch_end(e)
    figures["conv_highlevel"] = clock.steps_per_second()
    return figures


def separate_runs(data, epochs):
    start = time.perf_counter()
    for pair in data:
        _engine_epochs([pair], epochs)
    return len(data) * STEPS_PER_EPOCH * epochs / (time.perf_counter() - start)


def vectorized(data, epochs):
    start = time.perf_counter()
    _engine_epochs(data, epochs)
    return len(data) * STEPS_PER_EPOCH * epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--critics", type=int, default=8, help="K for separate vs vectorized")
    parser.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                        help="where to run (auto: the first GPU if any, else the CPU)")  # fmt: skip
    args = parser.parse_args()
    gpus = tf.config.list_physical_devices("GPU")
    if args.device == "gpu" and not gpus:
        parser.error("--device gpu: TensorFlow sees no GPU here.")
    device = "/GPU:0" if gpus and args.device != "cpu" else "/CPU:0"
    print(
        f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
        f"tensorflow {tf.__version__}, keras {keras.__version__}, device {device}"
        + (f" ({tf.config.experimental.get_device_details(gpus[0]).get('device_name', 'GPU')})"
           if device == "/GPU:0" else "")
    )  # fmt: skip
    with tf.device(device):
        run(args)


def run(args) -> None:
    """The figures and ratios, printed."""
    print(
        f"# {N_TRAIN} training rows, batch {BATCH} ({STEPS_PER_EPOCH} steps/epoch), "
        f"critic 3 x 50, {args.epochs} epochs per figure"
    )
    x, z = bivariate_gaussian(0.9).sample(N_TRAIN + N_VAL, seed=0)
    x, x_val, z, z_val = x[:N_TRAIN], x[N_TRAIN:], z[:N_TRAIN], z[N_TRAIN:]
    figures = {
        "plain_keras_fit": plain_keras_fit(x, z, args.epochs),
        "keras_fit": keras_fit(x, z, args.epochs),
        "highlevel": highlevel(x, z, x_val, z_val, args.epochs),
        "in_graph_limit": in_graph_limit(x, z, args.epochs),
    }
    rhos = np.linspace(-0.9, 0.9, args.critics)
    data = []
    for i, rho in enumerate(rhos):
        a, b = bivariate_gaussian(float(rho)).sample(N_TRAIN + N_VAL, seed=i)
        data.append((a[:N_TRAIN], b[:N_TRAIN], a[N_TRAIN:], b[N_TRAIN:]))
    figures[f"separate_{args.critics}_critic"] = separate_runs(data, args.epochs)
    figures[f"vectorized_{args.critics}_critic"] = vectorized(data, args.epochs)
    figures.update(conv_figures(args.epochs))
    for name, steps_per_second in figures.items():
        print(f"{name}_steps_per_s={steps_per_second:.0f}")
    print(f"ratio_keras_fit_vs_plain={figures['keras_fit'] / figures['plain_keras_fit']:.2f}")
    print(f"ratio_highlevel_vs_limit={figures['highlevel'] / figures['in_graph_limit']:.2f}")
    ratio = (
        figures[f"vectorized_{args.critics}_critic"] / figures[f"separate_{args.critics}_critic"]
    )
    print(f"ratio_vectorized_vs_separate={ratio:.2f}")
    for path in ("conv_keras_fit", "conv_highlevel"):
        print(f"ratio_{path}_vs_plain={figures[path] / figures['conv_plain_keras_fit']:.2f}")


if __name__ == "__main__":
    main()
