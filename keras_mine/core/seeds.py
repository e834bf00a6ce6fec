"""One seed, split into named streams: the package's only way to derive seeds.

A call's seed becomes one `numpy.random.SeedSequence`; every random choice of
the call (the folds, each layer's initial kernel, the batch order, the
marginal shuffles, the readout's permutations) draws from a child of it named
by a path such as ``("fit", "full", "fold", 1, "init")``. Children of
different paths are independent streams (numpy's `SeedSequence` mixes the
whole path into the state), which seed arithmetic is not: adding the layer
index to the seed makes layer 1 of seed s and layer 0 of seed s+1 draw the
same numbers. bmi splits JAX keys the same way (``key_init, key_fit = split(key)``).

Names are mapped to integers by CRC-32, so a path means the same stream in
every process and every version that keeps its names.
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable

import numpy as np

from keras_mine.core.validation import check_seed

__all__ = ["SeedStreams", "derive_seed"]

_MAX = 2**31 - 1  # seeds handed to Keras and TensorFlow ops: positive int32


def _key(part: Hashable) -> int:
    if isinstance(part, (bool, np.bool_)):
        raise TypeError(f"A stream name is a string or an int >= 0; received {part!r}.")
    if isinstance(part, (int, np.integer)):
        if part < 0:
            raise ValueError(f"A stream index must be >= 0; received {part}.")
        return int(part)
    if isinstance(part, str):
        return zlib.crc32(part.encode()) + 2**32  # never equal to a small index
    raise TypeError(f"A stream name is a string or an int >= 0; received {part!r}.")


class SeedStreams:
    """The random streams of one call, each named by a path.

    Parameters
    ----------
    seed : int or None
        The call's seed (an int >= 0). None draws fresh entropy once, so the
        streams of one call are still consistent with each other (a fold's
        initialization and its readout come from one root).

    Examples
    --------
    >>> streams = SeedStreams(0)
    >>> streams.integer("fold", 0, "init") == SeedStreams(0).integer("fold", 0, "init")
    True
    >>> streams.integer("fold", 0, "init") == streams.integer("fold", 1, "init")
    False
    >>> streams.child("fold", 1).integer("init") == streams.integer("fold", 1, "init")
    True
    """

    def __init__(self, seed: int | None = None) -> None:
        seed = check_seed(seed)
        self.entropy = np.random.SeedSequence().entropy if seed is None else seed
        self.seed = seed
        self._path: tuple[int, ...] = ()

    @classmethod
    def trusted(cls, seed: int) -> SeedStreams:
        """The streams of a seed already checked (one the package drew or checked on entry)."""
        return _Child(seed, seed, ())

    def child(self, *path: Hashable) -> SeedStreams:
        """The streams below `path`: ``child("a").integer("b") == integer("a", "b")``."""
        return _Child(self.entropy, self.seed, self._path + tuple(_key(p) for p in path))

    def sequence(self, *path: Hashable) -> np.random.SeedSequence:
        """The `numpy.random.SeedSequence` of the stream `path`."""
        return np.random.SeedSequence(
            self.entropy, spawn_key=self._path + tuple(_key(p) for p in path)
        )

    def rng(self, *path: Hashable) -> np.random.Generator:
        """A numpy Generator on the stream `path`."""
        return np.random.default_rng(self.sequence(*path))

    def integer(self, *path: Hashable) -> int:
        """An int seed in [0, 2**31 - 1) for a Keras initializer or a TensorFlow op."""
        return int(self.sequence(*path).generate_state(1, np.uint64)[0] % _MAX)

    def pair(self, *path: Hashable) -> np.ndarray:
        """A TensorFlow stateless seed (two int64) for the stream `path`."""
        return (self.sequence(*path).generate_state(2, np.uint64) % _MAX).astype(np.int64)


class _Child(SeedStreams):
    """Streams below a path of a root's (`SeedStreams.child`)."""

    def __init__(self, entropy: int, seed: int | None, path: tuple[int, ...]) -> None:
        self.entropy, self.seed, self._path = entropy, seed, path


def derive_seed(seed: int | None, *path: Hashable) -> int | None:
    """The int seed of stream `path` under `seed`; None stays None (unseeded).

    What a layer uses for its sublayers: ``derive_seed(seed, "hidden", i)``.

    Examples
    --------
    >>> derive_seed(None, "hidden", 0) is None
    True
    >>> derive_seed(1, "hidden", 1) == derive_seed(2, "hidden", 0)   # no arithmetic
    False
    """
    return None if seed is None else SeedStreams(seed).integer(*path)
