"""Conditional-MI tasks: Model I of the CCMI paper."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keras_mine.core.validation import check_int

__all__ = ["ConditionalTask"]


@dataclass(frozen=True)
class ConditionalTask:
    """Model I of the CCMI paper (Mukherjee et al. 2020), with known I(X;Y|Z).

    ``X ~ N(0, 1)``, ``Z ~ N(0, I_dz)``, ``Y = X + Z_1 + N(0, noise^2)``, so
    ``I(X;Y|Z) = 0.5 ln(1 + 1 / noise^2)`` (2.308 nats at noise 0.1). With
    ``independent=True``, ``Y = Z_1 + N(0, noise^2)`` and I(X;Y|Z) = 0.
    """

    dim_z: int = 1
    noise: float = 0.1
    independent: bool = False

    @property
    def name(self) -> str:
        kind = "independent" if self.independent else "model1"
        return f"ccmi-{kind}-dz{self.dim_z}"

    @property
    def cmi_true(self) -> float:
        return 0.0 if self.independent else 0.5 * float(np.log1p(1.0 / self.noise**2))

    def sample(self, n: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw `n` samples; returns float32 arrays x (n, 1), y (n, 1), z (n, dim_z)."""
        n = check_int(n, "n")
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, 1))
        z = rng.standard_normal((n, self.dim_z))
        y = z[:, :1] + self.noise * rng.standard_normal((n, 1))
        if not self.independent:
            y = y + x
        return x.astype(np.float32), y.astype(np.float32), z.astype(np.float32)
