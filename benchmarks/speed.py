"""Training speed: plain Keras fit, our paths, and the in-graph loop limit.

Same data (bivariate Gaussian, 8,000 training and 2,000 validation rows),
same critic (3 hidden layers of 50 units), batch 300, DV objective, Adam.
Each figure is training steps per second over a fixed number of epochs
(no early stopping), timed from the end of the first epoch (which traces
the graphs) to the end of the last:

- plain_keras_fit: ``model.compile(Adam)``; ``model.fit(numpy arrays)``;
- keras_fit_fast: ``model.compile(Adam, steps_per_execution=<one epoch>)``,
  ``model.fit`` on tensors (what Keras offers without custom loops);
- highlevel: `keras_mine.graph_fit.fit_in_graph`, the path of `estimate_mi`
  and `compat.Mine.fit` (one graph call per epoch, with validation);
- in_graph_limit: a hand-written `tf.function` epoch loop doing only
  shuffle, gather, critic, DV loss and Adam; no metrics, no validation.

Usage: python benchmarks/speed.py [--epochs 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_mine import MINE, MLPCritic  # noqa: E402
from keras_mine.bounds import donsker_varadhan  # noqa: E402
from keras_mine.graph_fit import fit_in_graph  # noqa: E402
from keras_mine.tasks import bivariate_gaussian  # noqa: E402

N_TRAIN, N_VAL, BATCH = 8_000, 2_000, 300
CRITIC = dict(hidden_dim=50, num_hidden_layers=3)
STEPS_PER_EPOCH = -(-N_TRAIN // BATCH)


def _model(steps_per_execution: int = 1) -> MINE:
    model = MINE(loss="mine_biased", seed=0, **CRITIC)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=steps_per_execution)
    return model


class EpochClock(keras.callbacks.Callback):
    """Records the time at each epoch end."""

    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter())

    def steps_per_second(self) -> float:
        """Over the epochs after the first, whose time includes tracing the graphs."""
        return STEPS_PER_EPOCH * (len(self.times) - 1) / (self.times[-1] - self.times[0])


def plain_keras_fit(x, z, epochs):
    clock = EpochClock()
    _model().fit(x, z, batch_size=BATCH, epochs=epochs + 1, verbose=0, callbacks=[clock])
    return clock.steps_per_second()


def keras_fit_fast(x, z, epochs):
    clock = EpochClock()
    model = _model(steps_per_execution=STEPS_PER_EPOCH)
    model.fit(tf.constant(x), tf.constant(z), batch_size=BATCH, epochs=epochs + 1, verbose=0,
              callbacks=[clock])  # fmt: skip
    return clock.steps_per_second()


def highlevel(x, z, x_val, z_val, epochs):
    clock = EpochClock()
    fit_in_graph(_model(), x, z, x_val, z_val, batch_size=BATCH, epochs=epochs + 1,
                 callbacks=[clock], seed=0)  # fmt: skip
    return clock.steps_per_second()


def in_graph_limit(x, z, epochs):
    critic = MLPCritic(seed=0, **CRITIC)
    critic.build((None, 1), (None, 1))
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(critic.trainable_variables)
    xt, zt = tf.constant(x), tf.constant(z)

    @tf.function
    def epoch(seed):
        order = tf.random.experimental.stateless_shuffle(tf.range(N_TRAIN), seed)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
        f"tensorflow {tf.__version__}, keras {keras.__version__}"
    )
    print(
        f"# {N_TRAIN} training rows, batch {BATCH} ({STEPS_PER_EPOCH} steps/epoch), "
        f"critic 3 x 50, {args.epochs} epochs per figure"
    )
    x, z = bivariate_gaussian(0.9).sample(N_TRAIN + N_VAL, seed=0)
    x, x_val, z, z_val = x[:N_TRAIN], x[N_TRAIN:], z[:N_TRAIN], z[N_TRAIN:]
    figures = {
        "plain_keras_fit": plain_keras_fit(x, z, args.epochs),
        "keras_fit_fast": keras_fit_fast(x, z, args.epochs),
        "highlevel": highlevel(x, z, x_val, z_val, args.epochs),
        "in_graph_limit": in_graph_limit(x, z, args.epochs),
    }
    for name, steps_per_second in figures.items():
        print(f"{name}_steps_per_s={steps_per_second:.0f}")
    print(f"ratio_keras_fit_vs_plain={figures['keras_fit_fast'] / figures['plain_keras_fit']:.2f}")
    print(f"ratio_highlevel_vs_limit={figures['highlevel'] / figures['in_graph_limit']:.2f}")


if __name__ == "__main__":
    main()
