"""Docstrings: one style per kind of object, and every example runs as a doctest."""

import doctest
import importlib
import inspect
import pkgutil
import re

import keras
import numpy as np
import pytest

import keras_mine

MODULES = [
    importlib.import_module(info.name)
    for info in pkgutil.walk_packages(keras_mine.__path__, "keras_mine.")
]
#: Keras objects are documented in Keras' style (``Args:``); the rest in numpydoc.
KERAS_KINDS = (keras.layers.Layer, keras.callbacks.Callback, keras.metrics.Metric)
NUMPYDOC = re.compile(r"^(Parameters|Returns|Raises|Examples|Attributes)\n-{3,}", re.M)
KERAS_STYLE = re.compile(r"^(Args|Returns|Raises|Example|Call arguments):\s*$", re.M)


def _public_objects():
    """(qualified name, object, is a Keras object) for every public class, function, method."""
    seen = set()
    # A mixin that only Keras models are made of (CriticModel's parts) is a Keras object too.
    keras_parts = {base for module in MODULES for obj in vars(module).values()
                   if inspect.isclass(obj) and issubclass(obj, KERAS_KINDS)
                   for base in obj.__mro__}  # fmt: skip
    for module in MODULES:
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            seen.add(id(obj))
            keras_kind = inspect.isclass(obj) and (
                issubclass(obj, KERAS_KINDS) or obj in keras_parts
            )
            yield f"{module.__name__}.{name}", obj, keras_kind
            if inspect.isclass(obj):
                for attribute, member in vars(obj).items():
                    member = member.fget if isinstance(member, property) else member
                    if not attribute.startswith("_") and inspect.isfunction(member):
                        yield f"{module.__name__}.{name}.{attribute}", member, keras_kind


def _style_errors(objects) -> list[str]:
    errors = []
    for name, obj, keras_kind in objects:
        doc = inspect.getdoc(obj) or ""
        if keras_kind and NUMPYDOC.search(doc):
            errors.append(f"{name}: a Keras object documented in numpydoc")
        if not keras_kind and KERAS_STYLE.search(doc):
            errors.append(f"{name}: documented with Keras' Args: outside a Keras object")
    return errors


def test_one_docstring_style_per_kind_of_object():
    assert _style_errors(_public_objects()) == []


def test_the_style_check_can_fail():
    def numpydoc():
        """Doc.

        Parameters
        ----------
        x : int
        """

    def keras_style():
        """Doc.

        Args:
            x: int.
        """

    assert len(_style_errors([("a", numpydoc, True), ("b", keras_style, False)])) == 2
    assert _style_errors([("a", numpydoc, False), ("b", keras_style, True)]) == []


def _doctests():
    finder = doctest.DocTestFinder()
    tests = []
    for module in MODULES:
        extra = {"np": np, "keras": keras, "keras_mine": keras_mine}
        for test in finder.find(module, globs={**vars(module), **extra}):
            if test.examples:
                tests.append(test)
    return tests


DOCTESTS = _doctests()


def test_the_examples_are_found():
    names = {test.name for test in DOCTESTS}
    assert {"keras_mine.estimators.estimate.estimate_mi", "keras_mine.models.mine.MINE",
            "keras_mine.core.bounds.donsker_varadhan"} <= names  # fmt: skip


@pytest.mark.extrapolate
@pytest.mark.parametrize("test", DOCTESTS, ids=[test.name for test in DOCTESTS])
def test_docstring_example(test):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    result = runner.run(test, out=report.append)
    assert result.failed == 0, "".join(report)
