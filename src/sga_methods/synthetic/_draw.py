"""Small vectorised drawing helpers shared by the generators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

Covariates = Mapping[str, np.ndarray]


def expit(x: np.ndarray) -> np.ndarray:
    """Inverse logit."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    """Logit of a probability."""
    return float(np.log(p / (1.0 - p)))


def linear_predictor(spec: Mapping[str, float], x: Covariates, n: int) -> np.ndarray:
    """``intercept + sum(coef * x[name])`` for a coefficient mapping.

    Keys other than ``intercept`` must name arrays in ``x``; this keeps each model a
    declarative table of named coefficients.
    """
    eta = np.full(n, float(spec.get("intercept", 0.0)))
    for name, coef in spec.items():
        if name != "intercept":
            eta = eta + coef * x[name]
    return eta


def bernoulli(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """0/1 draws (int8) with probabilities ``p``."""
    return (rng.random(p.shape) < p).astype(np.int8)


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Index draws from rows of a probability matrix (n x k) by inverse CDF."""
    cdf = np.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random((probs.shape[0], 1))
    return np.minimum((u > cdf).sum(axis=1), probs.shape[1] - 1)


def ordinal(latent: np.ndarray, cutpoints: Sequence[float]) -> np.ndarray:
    """Codes 1..k+1 from a latent variable and k increasing cut-points."""
    return (np.searchsorted(np.asarray(cutpoints), latent) + 1).astype(np.int8)


def likert(
    rng: np.random.Generator,
    trait: np.ndarray,
    loading: float,
    cutpoints: Sequence[float],
) -> np.ndarray:
    """Codes 1..5 of an item loading ``loading`` on a standardised trait."""
    noise = rng.standard_normal(trait.shape)
    return ordinal(loading * trait + np.sqrt(1.0 - loading**2) * noise, cutpoints)


def standardise(x: np.ndarray) -> np.ndarray:
    """Centre and scale to unit SD (population SD)."""
    return (x - x.mean()) / x.std()


def nullable(
    values: np.ndarray, missing: np.ndarray | None, dtype: str = "Int8"
) -> pd.arrays.IntegerArray:
    """A pandas nullable integer array with ``missing`` positions set to NA."""
    values = np.asarray(values)
    mask = np.zeros(values.shape, bool) if missing is None else np.asarray(missing, bool)
    numpy_dtype = np.dtype(dtype.lower())
    clean = np.where(mask, 0, values).astype(numpy_dtype)
    return pd.arrays.IntegerArray(clean, mask.copy())
