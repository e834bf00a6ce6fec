"""Tasks with known MI on images and on high-dimensional embeddings.

Images, after Lee & Rhee (NeurIPS 2024, "A benchmark suite for evaluating
neural mutual information estimators on unstructured datasets"): the
information sits in discrete symbols with a known joint law, and each symbol
is drawn as an image of that class. Here a sample x is a row of `patches`
8x8 digit images (scikit-learn's bundled `load_digits`, so nothing is
downloaded) whose labels are uniform on `classes` digits, and z is a row of
other images whose labels are x's labels sent through a symmetric channel
(each label kept with probability 1 - `flip`, else replaced by one of the
other classes at random). x and z draw their images from the two halves of a
stratified split of the digit set, so no image of x is ever an image of z.

The truth is the MI of the labels, ``patches * I_channel``, with
``I_channel = ln q - h(p) - p ln(q - 1)`` (`symmetric_channel_mi`). It is the
MI of the images when each image shows its label (X -> labels -> Z is a
Markov chain, and the labels are functions of the images): an upper bound
otherwise, and a tight one on these digits, which a linear classifier labels
with about 97% accuracy.

Embeddings, the setting of latent MI (Gowri et al., NeurIPS 2024): a
correlated Gaussian pair of a few dimensions (MI in closed form) mapped into
`dim` dimensions by a fixed random injective network, ``W2 tanh(W1 u + b)``
with W1 of full column rank and W2 square and invertible. An injective map
leaves MI unchanged, so the truth is the Gaussian's.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.optimize import brentq

from keras_mine.core.validation import check_int, check_number
from keras_mine.tasks.base import Task

__all__ = ["symmetric_channel_mi", "DigitPairs", "digit_pairs", "EmbeddedGaussian",
           "image_suite", "embedding_suite"]  # fmt: skip


def symmetric_channel_mi(classes: int, flip: float) -> float:
    """MI (nats) of a uniform label on `classes` values and its copy through a symmetric channel.

    The copy keeps the label with probability 1 - `flip` and otherwise takes
    one of the ``classes - 1`` other values at random:
    ``ln q - h(flip) - flip ln(q - 1)``, h the binary entropy in nats.

    Examples
    --------
    >>> round(symmetric_channel_mi(10, 0.0), 4)      # ln 10
    2.3026
    >>> round(symmetric_channel_mi(10, 0.9), 10)     # uniform copy: independent
    0.0
    """
    q, p = classes, flip
    h = 0.0 if p in (0.0, 1.0) else -(p * np.log(p) + (1 - p) * np.log1p(-p))
    return float(np.log(q) - h - (p * np.log(q - 1) if p > 0 else 0.0))


@functools.lru_cache(maxsize=1)
def _digit_halves() -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The digit images, by class, in two halves of a stratified split (seed 0)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(0)
    halves: tuple[list, list] = ([], [])
    for c in range(10):
        images = digits.images[rng.permutation(np.flatnonzero(digits.target == c))]
        halves[0].append(images[: len(images) // 2])
        halves[1].append(images[len(images) // 2 :])
    return tuple(halves[0]), tuple(halves[1])


class DigitPairs(Task):
    """Rows of digit images whose labels share a known MI (see the module docstring).

    Parameters
    ----------
    patches : int
        Digit images side by side in each sample: x and z are (8, 8 patches, 1).
    classes : int
        The labels are uniform on digits 0 .. classes - 1 (2 to 10).
    flip : float
        Probability that a label of z differs from x's, in [0, 1 - 1/classes].
    """

    def __init__(self, patches: int = 1, classes: int = 10, flip: float = 0.0) -> None:
        self.patches = check_int(patches, "patches")
        self.classes = check_int(classes, "classes", 2)
        if self.classes > 10:
            raise ValueError(f"The digits have 10 classes; received classes={classes}.")
        self.flip = check_number(flip, "flip", low=0.0, high=1.0)
        if self.flip > 1 - 1 / self.classes:
            raise ValueError(
                f"flip={flip} is beyond independence (1 - 1/classes = "
                f"{1 - 1 / self.classes:.3f}): the MI would rise again. Pass a smaller flip."
            )
        self.shape = (8, 8 * self.patches, 1)
        self.dim_x = self.dim_z = int(np.prod(self.shape))
        self.name = f"digits-{self.patches}x{self.classes}-flip{self.flip:.3f}"

    @property
    def mi_true(self) -> float:
        return self.patches * symmetric_channel_mi(self.classes, self.flip)

    def labels(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Labels (n, patches) of x, and of z through the channel."""
        x = rng.integers(0, self.classes, (n, self.patches))
        other = (x + rng.integers(1, self.classes, x.shape)) % self.classes
        return x, np.where(rng.random(x.shape) < self.flip, other, x)

    def draw(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        labels = self.labels(n, rng)
        images = []
        for pool, part in zip(_digit_halves(), labels, strict=True):
            tiles = np.empty((n, self.patches, 8, 8))
            for c in range(self.classes):
                rows, cols = np.nonzero(part == c)
                tiles[rows, cols] = pool[c][rng.integers(0, len(pool[c]), len(rows))]
            images.append(tiles.transpose(0, 2, 1, 3).reshape(n, *self.shape))
        return images[0], images[1]


def digit_pairs(mi: float, patches: int = 1, classes: int = 10) -> DigitPairs:
    """The `DigitPairs` task of `patches` patches whose MI is `mi` nats (the flip solved for).

    Examples
    --------
    >>> round(digit_pairs(1.0).mi_true, 6), round(digit_pairs(1.0).flip, 3)
    (1.0, 0.311)
    """
    top = patches * np.log(classes)
    if not 0 < mi <= top:
        raise ValueError(f"{patches} patch(es) of {classes} classes hold at most {top:.3f} nats.")
    if np.isclose(mi, top):
        return DigitPairs(patches, classes, 0.0)
    flip = brentq(lambda p: patches * symmetric_channel_mi(classes, p) - mi,
                  0.0, 1 - 1 / classes, xtol=1e-12)  # fmt: skip
    return DigitPairs(patches, classes, flip)


class EmbeddedGaussian(Task):
    """A correlated Gaussian pair in `latent` dimensions, embedded into `dim` by an injective map.

    u and v are standard normal of `latent` dimensions each, coordinate i of
    u correlated with coordinate i of v by `rho`; x = f(u) and z = g(v), f
    and g fixed random maps ``W2 tanh(W1 u + b)`` (W1 (dim, latent), W2
    (dim, dim), Gaussian entries, drawn from `seed`): injective, so
    ``I(X;Z) = -latent/2 ln(1 - rho^2)``.
    """

    def __init__(self, dim: int = 256, latent: int = 2, rho: float = 0.8, seed: int = 0) -> None:
        self.dim = check_int(dim, "dim", latent)
        self.latent = check_int(latent, "latent")
        if not 0 <= rho < 1:
            raise ValueError(f"rho must be in [0, 1); received {rho}.")
        self.rho, self.seed = float(rho), seed
        self.dim_x = self.dim_z = self.dim
        self.name = f"embedded-gaussian-{self.latent}to{self.dim}-rho{self.rho}"
        rng = np.random.default_rng(seed)

        def network():
            return (rng.normal(size=(self.latent, dim)), rng.normal(size=dim),
                    rng.normal(size=(dim, dim)) / np.sqrt(dim))  # fmt: skip

        self._maps = (network(), network())

    @property
    def mi_true(self) -> float:
        return float(-0.5 * self.latent * np.log1p(-self.rho**2))

    @staticmethod
    def _embed(u: np.ndarray, weights) -> np.ndarray:
        w1, b, w2 = weights
        return np.tanh(u @ w1 + b) @ w2

    def draw(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        u = rng.standard_normal((n, self.latent))
        v = self.rho * u + np.sqrt(1 - self.rho**2) * rng.standard_normal((n, self.latent))
        return self._embed(u, self._maps[0]), self._embed(v, self._maps[1])


def image_suite() -> list[Task]:
    """The image tasks of ``bench --suite images``: 1 to 10 nats of digit rows."""
    return [digit_pairs(1.0), digit_pairs(np.log(10)), digit_pairs(3.0, 2),
            digit_pairs(4.0, 2), digit_pairs(6.0, 3), digit_pairs(8.0, 4),
            digit_pairs(10.0, 5)]  # fmt: skip


def embedding_suite() -> list[Task]:
    """The embedding tasks: 2-D Gaussians of 1 nat embedded in 256 and 1,024 dimensions."""
    rho = float(np.sqrt(1 - np.exp(-1.0)))  # -ln(1 - rho^2) = 1 nat over 2 dimensions
    return [EmbeddedGaussian(dim, 2, rho) for dim in (256, 1024)]
