"""Every training and readout graph runs on a GPU: proven on a CPU-only machine.

The full `tensorflow` wheel registers its GPU kernels whether or not a GPU is
present. Each graph below is traced (not run on a GPU), and every op in it,
inside function bodies and loops too, must have a kernel for GPUs (or one
registered for every device) and must not call back into Python. An op
without one would be placed on the CPU, copying tensors back and forth on
every step, or fail under hard device placement.

What runs on the host by design (see docs/user-guide.md, "GPUs"): the conditional
model's nearest-neighbour pairing (a k-d tree in scipy, once per readout)
and the classical estimators (numpy/scipy).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.framework import kernels

import keras_mine
from keras_mine.engine.stack import CriticStack
from keras_mine.tasks import bivariate_gaussian

ON_THE_DEVICE = {"GPU", "DEFAULT"}  # DEFAULT: registered for every device type
PYTHON_OPS = {"PyFunc", "EagerPyFunc", "PyFuncStateless"}


def _op_types(concrete_function) -> set[str]:
    graph_def = concrete_function.graph.as_graph_def()
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:  # loop bodies, branches, nested calls
        ops |= {node.op for node in function.node_def}
    return ops


def _without_gpu_kernel(ops: set[str]) -> list[str]:
    return sorted(
        op for op in ops
        if not ON_THE_DEVICE & {k.device_type for k in kernels.get_registered_kernels_for_op(
            op).kernel}  # fmt: skip
    )


def _check(*concrete_functions) -> None:
    ops = set().union(*(_op_types(f) for f in concrete_functions))
    assert len(ops) > 10  # a real graph was traced
    assert not ops & PYTHON_OPS
    assert _without_gpu_kernel(ops) == []


def test_the_check_can_fail():
    @tf.function
    def host_only(x):
        return tf.numpy_function(np.sort, [x], tf.float32)

    ops = _op_types(host_only.get_concrete_function(tf.TensorSpec([None], tf.float32)))
    assert ops & PYTHON_OPS
    assert _without_gpu_kernel({"PyFunc", "StatelessShuffle", "MatMul"}) == [
        "PyFunc", "StatelessShuffle"
    ]


X, Z = bivariate_gaussian(0.5).sample(256, seed=0)
Y = np.random.default_rng(0).normal(size=(256, 1)).astype("float32")


def _mine(loss):
    return keras_mine.MINE(loss=loss, hidden_dim=8, seed=0), Z


MODELS = {
    "mine": lambda: _mine("mine"),
    "remine": lambda: _mine("remine"),
    "smile": lambda: _mine("smile"),
    "classifier": lambda: (keras_mine.ClassifierMI(hidden_dim=8, seed=0), Z),
    "conditional": lambda: (keras_mine.ConditionalClassifierMI(hidden_dim=8, seed=0), (Y, Z)),
    "infonce": lambda: (keras_mine.InfoNCE(hidden_dim=8, seed=0), Z),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_graphs(name):
    model, target = MODELS[name]()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.adapt(X, target)
    batch = (tf.constant(X[:64]), tf.nest.map_structure(lambda a: tf.constant(a[:64]), target))
    epoch = model.epoch_inputs(X, target, batch_size=64, validation=(X, target))
    parts = (tf.constant(X), *tf.nest.flatten(tf.nest.map_structure(tf.constant, target)))
    _check(
        tf.function(model.train_step).get_concrete_function(batch),
        model.make_train_epoch_function().get_concrete_function(epoch),
        tf.function(model.test_step).get_concrete_function(batch),
        tf.function(lambda inputs: model(inputs)).get_concrete_function(parts),  # readout scores
    )


IMAGES = np.random.default_rng(1).random((128, 8, 8, 1)).astype("float32")
SEQUENCES = np.random.default_rng(2).normal(size=(128, 20, 3)).astype("float32")


@pytest.mark.parametrize("model_class", [keras_mine.MINE, keras_mine.InfoNCE])
def test_conv_critic_model_graphs(model_class):
    # The default encoders: a 2-D ConvEncoder for the images, a 1-D one for the sequences.
    model = model_class(hidden_dim=8, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.adapt(IMAGES, SEQUENCES)
    batch = (tf.constant(IMAGES[:32]), tf.constant(SEQUENCES[:32]))
    epoch = model.epoch_inputs(IMAGES, SEQUENCES, batch_size=32,
                               validation=(IMAGES, SEQUENCES))  # fmt: skip
    _check(
        tf.function(model.train_step).get_concrete_function(batch),
        model.make_train_epoch_function().get_concrete_function(epoch),
        tf.function(model.test_step).get_concrete_function(batch),
        tf.function(lambda inputs: model(inputs)).get_concrete_function(batch),
    )


@pytest.mark.parametrize(("method", "options", "x", "z"), [
    ("mine", {"alpha": 0.01}, X, Z),
    ("doe", {"components": 2}, X, Z),
    ("mine", {"alpha": 0.01}, IMAGES, SEQUENCES),  # conv encoders: Keras critics in the stack
    ("infonce", {}, IMAGES, SEQUENCES),
])  # fmt: skip
def test_stacked_trainer_graphs(method, options, x, z):
    # "doe": the density models (mixtures, triangular mixing) train and read out on the GPU too.
    critic = dict(hidden_dim=8, num_hidden_layers=1, activation="relu")
    widths = tuple(a.shape[1] if a.ndim == 2 else a.shape[1:] for a in (x, z))  # as the loop
    stack = CriticStack(3, widths, method, options, critic, 1e-3)
    stack.reset(0)
    data = stack.epoch_data(np.stack([x] * 3), np.stack([z] * 3), np.arange(100),
                            np.arange(100, 128), np.random.default_rng(0))  # fmt: skip
    _check(
        stack.epoch_function.get_concrete_function(
            data["x"], data["z"], data["x_val"], data["z_val"], data["x_val_marginal"],
            data["z_val_marginal"],
            tf.constant(64), tf.constant([0, 0], tf.int64),
        ),
        stack.score_function.get_concrete_function(data["x"], data["z"]),  # readout scores
    )


def test_mutual_information_layer_and_regularized_model_graphs():
    layer = keras_mine.MutualInformation(loss="nwj", loss_weight=1.0, hidden_dim=8, seed=0)
    layer_graph = tf.function(lambda a, b: layer(a, b, training=True)).get_concrete_function(
        tf.constant(X), tf.constant(Z)
    )
    inputs = keras.Input((2,))
    h = keras.layers.Dense(2, activation="tanh")(inputs)
    wrapped = keras.Model(inputs, [keras.layers.Dense(1)(h), h])
    model = keras_mine.MIRegularizedModel(wrapped, keras_mine.MutualInformation(loss="nwj",
                                          hidden_dim=8, seed=0))  # fmt: skip
    model.compile(optimizer="adam", loss="mse")
    data = ((tf.constant(np.c_[X, Z]), tf.constant(Y)), tf.constant(Z))
    _check(
        layer_graph,
        tf.function(model.train_step).get_concrete_function(data),
        tf.function(model.test_step).get_concrete_function(data),
    )


def test_neural_entropy_critic_graphs():
    from keras_mine.models.reference_kl import StandardNormalKL

    model = StandardNormalKL(hidden_dim=8, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    u = tf.constant(np.c_[X, Z], tf.float32)
    model(u)
    _check(
        tf.function(model.train_step).get_concrete_function(u),  # reference draws in the graph
        tf.function(model.test_step).get_concrete_function(u),
    )
