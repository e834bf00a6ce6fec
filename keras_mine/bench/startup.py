"""TensorFlow's start-up log lines, hidden when keras_mine runs as the command line.

Importing TensorFlow prints C++ log lines (CUDA probing, CPU features) straight
to the process's stderr, before Python's logging exists and whatever
``TF_CPP_MIN_LOG_LEVEL`` says. For ``keras-mine ...`` and
``python -m keras_mine ...`` they are noise, so the command (once its
arguments are parsed and checked: ``--help``, ``--version`` and an argument
error import no TensorFlow) imports TensorFlow, lists its devices and runs
one op with file descriptor 2 sent to /dev/null, and only then restores it:
later warnings and errors show as usual. Set ``KERAS_MINE_TF_LOGS=1`` to see
the start-up lines. As a library (``import keras_mine``) nothing is hidden.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["COMMAND", "SHOW_LOGS_VARIABLE", "launched_as_command", "import_tensorflow_quietly"]

#: The console script's name (setup.cfg).
COMMAND = "keras-mine"
#: Environment variable that keeps TensorFlow's start-up lines on the command line.
SHOW_LOGS_VARIABLE = "KERAS_MINE_TF_LOGS"


def launched_as_command(orig_argv: Sequence[str] | None = None) -> bool:
    """Whether the interpreter runs ``keras-mine`` or ``python -m keras_mine``.

    Parameters
    ----------
    orig_argv : sequence of str, optional
        The interpreter's command line; default `sys.orig_argv`.
    """
    argv = list(sys.orig_argv if orig_argv is None else orig_argv)
    if len(argv) > 1 and os.path.basename(argv[1]) == COMMAND:
        return True
    if "-m" in argv[:-1]:
        return argv[argv.index("-m") + 1] == "keras_mine"
    return False


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras and initialize the devices with stderr silenced."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        import tensorflow as tf

        tf.config.list_physical_devices()  # CUDA probing logs here
        tf.constant(0.0).numpy()  # and the first op's device set-up here
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)
