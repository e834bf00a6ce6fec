"""The package's folders are its layers: no module imports from a layer above it."""

import ast
import importlib
from pathlib import Path

import pytest

import keras_mine

PACKAGE = Path(keras_mine.__file__).parent

#: Bottom to top. A module may import from its own layer or any layer below.
LAYERS = {
    "core": 0,
    "classical": 1,
    "tasks": 1,
    "engine": 2,  # the one training loop, under the Keras models and the estimators
    "models": 3,
    "estimators": 4,
    "workflows": 5,
    "timeseries": 5,  # lagged MI, transfer entropy: on the estimators and mi_test's result
    "compat": 5,
    "bench": 6,
    "": 7,  # keras_mine/__init__.py and __main__.py: the public surface
}
#: Inside `estimators`, the trainers sit below the one-call functions that use them.
ESTIMATOR_LEVELS = {
    "settings": 0,
    "result": 0,
    "diagnostics": 0,
    "neural_entropy": 0,
    "neural": 1,
    "methods": 1,
    "estimate": 2,
    "many": 3,
    "conditional": 3,
    "entropy": 3,
}


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _rank(module: str) -> tuple[int, int]:
    parts = module.split(".")[1:]
    folder = parts[0] if parts and parts[0] in LAYERS else ""
    level = ESTIMATOR_LEVELS.get(parts[1], 0) if folder == "estimators" and len(parts) > 1 else 0
    return LAYERS[folder], level


def _path(module: str) -> Path:
    relative = Path(*module.split(".")[1:])
    package = PACKAGE / relative / "__init__.py"
    return package if package.exists() else (PACKAGE / relative).with_suffix(".py")


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, imported names, line) for each keras_mine import of `module`."""
    found = []
    for node in ast.walk(ast.parse(_path(module).read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("keras_mine"):
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            ours = [a.name for a in node.names if a.name.startswith("keras_mine")]
            found += [(name, [], node.lineno) for name in ours]
    return found


def _target(imported: str, names: list[str]) -> list[str]:
    """The modules an import statement reaches (``from pkg import module`` included)."""
    submodules = [f"{imported}.{name}" for name in names if f"{imported}.{name}" in _modules()]
    return submodules or [imported]


MODULES = _modules()


def test_every_module_has_a_layer():
    folders = {m.split(".")[1] for m in MODULES if m.count(".") >= 2}
    assert folders == set(LAYERS) - {""}
    top = {m for m in MODULES if m.count(".") == 1 and m.split(".")[1] not in LAYERS}
    assert top == {"keras_mine.__main__"}, "a new top-level module: give it a layer's folder"


@pytest.mark.parametrize("module", [m for m in MODULES if m != "keras_mine"])
def test_no_module_imports_from_a_layer_above_it(module):
    own = _rank(module)
    for imported, names, line in _imports(module):
        for target in _target(imported, names):
            if target == "keras_mine":
                raise AssertionError(f"{module}:{line} imports the package root")
            assert _rank(target) <= own, f"{module}:{line} imports {target}, a layer above it"


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_another_modules_underscore_names(module):
    for imported, names, line in _imports(module):
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, f"{module}:{line} imports {private} from {imported}"


def _private_uses(source: str) -> list[str]:
    """``obj._name`` uses where obj is not self, cls or super(): another object's privates."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
            continue
        if node.attr.startswith("__"):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if isinstance(owner, ast.Call) and getattr(owner.func, "id", None) == "super":
            continue
        found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


@pytest.mark.parametrize("module", MODULES)
def test_no_module_uses_another_objects_private_attributes(module):
    # Keras' own privates (model._compute_loss, ...) and our models' internals
    # (model._epoch_step, ...) alike: each object is driven by its public API.
    assert not _private_uses(_path(module).read_text()), module


def test_the_check_can_fail():
    assert _private_uses("model._set_epoch_mode(1)\nself._ok()\nsuper()._ok()") == [
        "model._set_epoch_mode (line 1)"
    ]
    # The rules above flag what they are meant to flag.
    assert _rank("keras_mine.estimators.neural") < _rank("keras_mine.estimators.estimate")
    assert _rank("keras_mine.engine.loop") < _rank("keras_mine.models.base")
    assert _rank("keras_mine.bench.runner") > _rank("keras_mine.estimators.estimate")
    assert _target("keras_mine.core", ["bounds"]) == ["keras_mine.core.bounds"]


def test_public_functions_do_not_shadow_their_modules():
    assert callable(keras_mine.mi_matrix)
    assert importlib.import_module("keras_mine.workflows.matrix").mi_matrix is keras_mine.mi_matrix
    for name in keras_mine.__all__:
        attribute = getattr(keras_mine, name)
        assert not (hasattr(attribute, "__path__") or name in {"estimate", "stacked"}), name
