"""One registry shape for MI, conditional MI, entropy methods and objectives (issue 30)."""

import numpy as np
import pytest

import keras_mine
from keras_mine.core.objectives import OBJECTIVES
from keras_mine.core.registry import Registry
from keras_mine.estimators.conditional import CMI_METHODS
from keras_mine.estimators.entropy import ENTROPY_METHODS
from keras_mine.estimators.methods import METHODS
from keras_mine.models.layers import LAYER_LOSSES

REGISTRIES = {
    "METHODS": METHODS,
    "CMI_METHODS": CMI_METHODS,
    "ENTROPY_METHODS": ENTROPY_METHODS,
    "OBJECTIVES": OBJECTIVES,
    "MINE_LOSSES": keras_mine.MINE_LOSSES,
    "LAYER_LOSSES": LAYER_LOSSES,
}


@pytest.mark.parametrize("name", list(REGISTRIES))
def test_every_registry_has_one_shape(name):
    registry = REGISTRIES[name]
    assert isinstance(registry, Registry), name
    with pytest.raises(TypeError):
        registry["new"] = None  # read-only
    for key, entry in registry.items():
        assert isinstance(entry.description, str) and entry.description, key
        assert all(isinstance(o, str) for o in entry.options), key
        assert set(entry.options) <= set(entry.settings), key
    assert registry.descriptions() == {k: e.description for k, e in registry.items()}
    with pytest.raises(ValueError, match=f"Unknown {registry.argument}='nope'. Valid"):
        registry.check("nope")
    with pytest.raises(ValueError, match=r"\['not_a_setting'\] do not apply to"):
        registry.check(next(iter(registry)), {"not_a_setting": 1})


def test_the_public_calls_refuse_through_their_registry():
    x, y, z = np.random.default_rng(0).standard_normal((3, 200, 1))
    message = r"\['bins'\] do not apply to method='{}'"
    with pytest.raises(ValueError, match=message.format("ksg")):
        keras_mine.estimate_mi(x, y, method="ksg", bins=3)
    with pytest.raises(ValueError, match=message.format("knn")):
        keras_mine.estimate_entropy(x, method="knn", bins=3)
    with pytest.raises(ValueError, match=message.format("ksg")):
        keras_mine.estimate_cmi(x, y, z, method="ksg", bins=3)
    with pytest.raises(ValueError, match=message.format("ccmi")):
        keras_mine.estimate_cmi(x, y, z, method="ccmi", bins=3)
    # "difference" accepts what any MI method does; its estimator refuses the rest.
    with pytest.raises(ValueError, match=message.format("classifier")):
        keras_mine.estimate_cmi(x, y, z, method="difference", bins=3)
    with pytest.raises(ValueError, match=r"\['nope'\] do not apply to method='difference'"):
        keras_mine.estimate_cmi(x, y, z, method="difference", nope=3)


def test_num_shuffles_is_a_setting_only_where_the_readout_shuffles():
    for name in ("infonce",):
        assert "num_shuffles" not in METHODS[name].settings
    assert "num_shuffles" not in CMI_METHODS["ccmi"].settings
    for name in ("mine", "classifier", "nwj"):
        assert "num_shuffles" in METHODS[name].settings
