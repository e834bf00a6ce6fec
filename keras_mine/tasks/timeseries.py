"""Time-series tasks with known transfer entropy: Gaussian VAR(1), coupled Henon maps, climate.

A Gaussian vector autoregression ``s_t = A s_{t-1} + e_t``, ``e_t ~ N(0, noise)``,
has a stationary covariance ``G0 = A G0 A' + noise`` and lagged covariances
``Cov(s_{t+k}, s_t) = A^k G0``; every lagged MI and transfer entropy of its
coordinates is a Gaussian conditional MI of entries of those matrices, in closed
form (`VARProcess.transfer_entropy`, `VARProcess.lagged_mi`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import solve_discrete_lyapunov

from keras_mine.core.validation import check_int

__all__ = ["VARProcess", "coupled_var", "coupled_henon", "climate_series", "gaussian_cmi"]


def gaussian_cmi(cov: np.ndarray, a: list[int], b: list[int], c: list[int] = ()) -> float:
    """I(A;B|C) in nats of a Gaussian vector with covariance `cov`.

    ``0.5 (ln|S_AC| + ln|S_BC| - ln|S_C| - ln|S_ABC|)``, with ``S_U`` the
    covariance of the coordinates U (``ln|S_{}| = 0``).

    Examples
    --------
    >>> cov = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> round(gaussian_cmi(cov, [0], [1]), 4)     # -0.5 ln(1 - 0.25)
    0.1438
    """
    cov = np.asarray(cov, dtype="float64")

    def log_det(index: list[int]) -> float:
        if not index:
            return 0.0
        sign, value = np.linalg.slogdet(cov[np.ix_(index, index)])
        return float(value)

    a, b, c = list(a), list(b), list(c)
    return 0.5 * (log_det(a + c) + log_det(b + c) - log_det(c) - log_det(a + b + c))


@dataclass(frozen=True)
class VARProcess:
    """A stationary Gaussian VAR(1) process ``s_t = A s_{t-1} + e_t``.

    Parameters
    ----------
    coefficients : array, shape (d, d)
        ``A``; its spectral radius must be below 1 (stationarity).
    noise : array, shape (d, d)
        Covariance of the innovations ``e_t``.
    """

    coefficients: np.ndarray
    noise: np.ndarray

    def __post_init__(self) -> None:
        a = np.atleast_2d(np.asarray(self.coefficients, dtype="float64"))
        noise = np.atleast_2d(np.asarray(self.noise, dtype="float64"))
        if a.shape[0] != a.shape[1] or noise.shape != a.shape:
            raise ValueError(
                f"`coefficients` and `noise` must be square and of one shape; received "
                f"{a.shape} and {noise.shape}."
            )
        radius = float(np.max(np.abs(np.linalg.eigvals(a))))
        if radius >= 1.0:
            raise ValueError(
                f"The process is not stationary: the spectral radius of `coefficients` is "
                f"{radius:.3g} (must be below 1)."
            )
        object.__setattr__(self, "coefficients", a)
        object.__setattr__(self, "noise", noise)

    @property
    def dim(self) -> int:
        return self.coefficients.shape[0]

    def autocovariance(self, lag: int) -> np.ndarray:
        """``Cov(s_{t+lag}, s_t)``: ``A^lag G0`` for lag >= 0, its transpose for lag < 0."""
        stationary = solve_discrete_lyapunov(self.coefficients, self.noise)
        if lag < 0:
            return self.autocovariance(-lag).T
        return np.linalg.matrix_power(self.coefficients, lag) @ stationary

    def covariance(self, entries: list[tuple[int, int]]) -> np.ndarray:
        """Covariance of the coordinates ``s_{t+offset}[index]`` for ``(index, offset)`` pairs."""
        cov = np.empty((len(entries), len(entries)))
        for row, (i, a) in enumerate(entries):
            for column, (j, b) in enumerate(entries):
                cov[row, column] = self.autocovariance(a - b)[i, j]
        return cov

    def transfer_entropy(
        self,
        source: int,
        target: int,
        lag: int = 1,
        history: int = 1,
        source_history: int = 1,
        conditions: tuple[int, ...] = (),
        condition_history: int = 1,
    ) -> float:
        """TE in nats: ``I(Y_t; X_{t-lag-l+1..t-lag} | Y_{t-history..t-1}, Z_{t-m..t-1})``.

        The embedding of `keras_mine.timeseries.transfer_entropy` with the same
        arguments, so the estimate of one is the truth of the other.
        """
        future = [(target, 0)]
        past_source = [(source, -lag - j) for j in range(source_history)]
        past = [(target, -1 - j) for j in range(history)]
        past += [(c, -1 - j) for c in conditions for j in range(condition_history)]
        entries = future + past_source + past
        cov = self.covariance(entries)
        a = [0]
        b = list(range(1, 1 + len(past_source)))
        c = list(range(1 + len(past_source), len(entries)))
        return gaussian_cmi(cov, a, b, c)

    def lagged_mi(self, x: int, y: int, lag: int) -> float:
        """``I(X_t; Y_{t+lag})`` in nats."""
        cov = self.covariance([(x, 0), (y, lag)])
        return gaussian_cmi(cov, [0], [1])

    def sample(self, n: int, seed: int | None = None, burn_in: int = 500) -> np.ndarray:
        """`n` consecutive states, shape (n, d), after `burn_in` discarded steps."""
        n = check_int(n, "n")
        rng = np.random.default_rng(seed)
        innovations = rng.multivariate_normal(np.zeros(self.dim), self.noise, size=n + burn_in)
        states = np.empty((n + burn_in, self.dim))
        state = np.zeros(self.dim)
        for t in range(n + burn_in):
            state = self.coefficients @ state + innovations[t]
            states[t] = state
        return states[burn_in:]


def coupled_var(coupling: float, reverse: float = 0.0, memory: float = 0.5) -> VARProcess:
    """Two unit-noise AR(1) series, X driving Y with `coupling` (and Y driving X with `reverse`).

    ``X_t = memory X_{t-1} + reverse Y_{t-1} + e``, ``Y_t = memory Y_{t-1} +
    coupling X_{t-1} + e'``; coordinate 0 is X, 1 is Y.

    Examples
    --------
    >>> process = coupled_var(0.5)
    >>> round(process.transfer_entropy(0, 1), 3), round(process.transfer_entropy(1, 0), 3)
    (0.135, 0.0)
    """
    return VARProcess(np.array([[memory, reverse], [coupling, memory]]), np.eye(2))


def coupled_henon(
    n: int, coupling: float, seed: int | None = None, burn_in: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Two Henon maps, X driving Y (Schiff et al. 1996), from random starts.

    ``x_{t+1} = 1.4 - x_t^2 + 0.3 x_{t-1}``;
    ``y_{t+1} = 1.4 - (c x_t + (1 - c) y_t) y_t + 0.3 y_{t-1}``. At ``c = 0``
    they are independent; for ``0 < c < 0.7`` X drives Y and Y does not drive
    X (the maps synchronize near c = 0.7). Tiny observation noise (1e-4 of
    the std) keeps the orbits' repeated values from stopping kNN estimators.

    Returns
    -------
    (x, y) : two arrays, shape (n,)
    """
    n = check_int(n, "n")
    rng = np.random.default_rng(seed)
    for _ in range(100):  # a start can escape to infinity; draw again
        x = np.empty(n + burn_in)
        y = np.empty(n + burn_in)
        x[:2], y[:2] = rng.uniform(0.0, 0.5, 2), rng.uniform(0.0, 0.5, 2)
        for t in range(1, n + burn_in - 1):
            x[t + 1] = 1.4 - x[t] ** 2 + 0.3 * x[t - 1]
            y[t + 1] = 1.4 - (coupling * x[t] + (1 - coupling) * y[t]) * y[t] + 0.3 * y[t - 1]
        if np.all(np.abs(x) < 10) and np.all(np.abs(y) < 10):
            break
    else:  # pragma: no cover - the attractor is reached from almost every start
        raise RuntimeError("The Henon maps diverged from every start tried.")
    x, y = x[burn_in:], y[burn_in:]
    x = x + 1e-4 * x.std() * rng.standard_normal(n)
    y = y + 1e-4 * y.std() * rng.standard_normal(n)
    return x, y


def climate_series(
    n_days: int = 3 * 365, seed: int | None = 0, seasonal: bool = True
) -> pd.DataFrame:
    """Daily temperature driving humidity driving precipitation, with lags.

    Temperature (deg C) is a seasonal cycle plus AR(1) weather. Humidity (%)
    follows temperature of 1 and 2 days before (warm air takes up water),
    and precipitation (mm) follows humidity of the day before, through an
    exponential (wet days are rare and heavy). Nothing flows back: the true
    directions are temperature -> humidity -> precipitation.

    The seasonal cycle is a slow hidden state: a few days of temperature
    cannot tell season from weather, humidity (which follows the weather
    only) can, and so humidity's past tells about the next temperature
    beyond temperature's own short history, a real transfer entropy that
    is not a causal flow. Remove the cycle first (regress each column on
    the day of year's harmonics), or pass ``seasonal=False``.

    Returns
    -------
    pandas.DataFrame
        Columns "temperature", "humidity", "precipitation", indexed by a
        daily DatetimeIndex starting 2020-01-01.
    """
    n = check_int(n_days, "n_days")
    rng = np.random.default_rng(seed)
    day = np.arange(n + 10)
    weather = np.zeros(n + 10)
    for t in range(1, n + 10):
        weather[t] = 0.7 * weather[t - 1] + 2.0 * rng.standard_normal()
    cycle = 12.0 + (8.0 * np.sin(2 * np.pi * day / 365.25) if seasonal else 0.0)
    temperature = cycle + weather
    humidity = np.empty(n + 10)
    humidity[:2] = 60.0
    anomaly = weather
    for t in range(2, n + 10):
        drift = 0.5 * (humidity[t - 1] - 60.0)
        humidity[t] = 60.0 + drift + 1.0 * anomaly[t - 1] + 0.6 * anomaly[t - 2]
        humidity[t] += 3.0 * rng.standard_normal()
    precipitation = np.empty(n + 10)
    precipitation[0] = 1.0
    precipitation[1:] = np.exp(0.12 * (humidity[:-1] - 60.0) + 0.5 * rng.standard_normal(n + 9))
    index = pd.date_range("2020-01-01", periods=n, freq="D", name="date")
    return pd.DataFrame(
        {"temperature": temperature[10:], "humidity": humidity[10:],
         "precipitation": precipitation[10:]},
        index=index,
    )  # fmt: skip
