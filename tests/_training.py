"""The training recipe shared by the accuracy tests."""

import keras

import keras_mine


def fit_with_early_stopping(model, x, z, seed=0):
    """Adam(1e-3), batch 256, up to 300 epochs, early stopping on 20% validation."""
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=32)
    return model.fit(
        x,
        z,
        batch_size=256,
        epochs=300,
        validation_split=0.2,
        verbose=0,
        callbacks=keras_mine.default_callbacks(patience=20, lr_patience=8),
    )
