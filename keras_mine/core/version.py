"""The package version, written once: `keras_mine.__version__` and setup.cfg read it."""

__version__ = "0.1.0"
