import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# pytest-xdist runs one worker per core: one TensorFlow thread each keeps the
# workers from contending for the cores (whole suite, 2 cores, 2026-11-23:
# 13 min 06 s instead of 14 min 14 s). Notebooks' kernels inherit it.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _clear_keras_session():
    # Without Keras' own gc.collect(): in a worker that has built many models a full
    # collection after every test took about 0.9 s, 44% of the suite's test time
    # (832 teardowns, 723 s of 1,635 s, 2026-12-02); Python's collector still runs.
    yield
    keras.backend.clear_session(free_memory=False)


@pytest.fixture(autouse=True)
def _one_fit_unless_marked(request, monkeypatch):
    """Neural estimates make one cross-fitted fit, unless a test is marked `extrapolate`.

    The default sample-size extrapolation fits every estimate three times (all
    rows and each half); across the suite that took it from about 12 to 20
    minutes on 2 cores. Tests of other features (workflows, saving, the CLI,
    minepy's examples) test them on one fit; the tests of the default
    estimate's accuracy and of the extrapolation itself, and the docstring
    examples, are marked and run the default. The notebooks run it too.
    """
    if request.node.get_closest_marker("extrapolate") is None:
        from keras_mine.estimators.settings import NEURAL_SETTINGS

        monkeypatch.setitem(NEURAL_SETTINGS, "extrapolate", False)
