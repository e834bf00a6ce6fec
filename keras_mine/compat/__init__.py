"""Interfaces of other packages on keras_mine: minepy's `Mine` and `ClassMI`."""

from keras_mine.compat.minepy import ClassMI, Mine

__all__ = ["Mine", "ClassMI"]
