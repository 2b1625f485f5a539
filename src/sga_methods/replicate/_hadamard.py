"""Hadamard matrices for balanced repeated replication, built exactly as R's ``survey``.

R's ``brrweights`` takes the rows of ``hadamard(n_strata)`` (a 0/1 matrix) as the half-sample
pattern of each replicate; reproducing R's matrices (not just any Hadamard matrix of the same
order) makes our BRR and Fay replicate weights identical to R's.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["hadamard"]

_Matrix = NDArray[np.int8]

# The stored matrices of R's survey (``survey:::hadamard.list``): orders 4 and 16 (Sylvester),
# 28 (N. J. A. Sloane, A Library of Hadamard Matrices) and 36 (Plackett & Burman 1946).
_H4 = ("1111", "1010", "1100", "1001")
_H28 = (
    "1111111111111111111111111111",
    "1001110001110001110001111000",
    "1000001111001101001101111000",
    "1000001110110010111001100110",
    "1001101000001111100011010110",
    "1001010100101100010110101110",
    "1000110011010010001110011110",
    "0101100010101010011111110000",
    "0100010110110101100111010100",
    "0100011011001011110010101100",
    "0101011000010111011101001010",
    "0100101101100100111010011010",
    "0101100101011001101100100110",
    "0010110100011110101011101000",
    "0011011001100110101100110100",
    "0010101100111011010100011100",
    "0011000111010111010010110010",
    "0011001011111000100111001010",
    "0010110011101101011001000110",
    "1110101001010100010111100100",
    "1111000101100011001011001100",
    "1111000010011100111000011100",
    "1110010101001010110101010010",
    "1110011000111001001010110010",
    "1110100010100111100100101010",
    "1101111111111110000000000000",
    "1011111110000001111110000000",
    "0111111110000000000001111110",
)
# Plackett-Burman: the rows after the first are the 35 cyclic shifts of one sequence, plus 0.
_PB36 = "01011100011111011100100001010110010"
_SIZES = (4, 16, 28, 36)
# R's paley() knows the primes p = 3 (mod 4) up to 7919
_PRIME_LIMIT = 7919


def _from_strings(rows: tuple[str, ...]) -> _Matrix:
    return np.array([[int(c) for c in row] for row in rows], dtype=np.int8)


def _double(h: _Matrix) -> _Matrix:
    """Sylvester doubling, R's ``hadamard.doubler``: ``[[H, H], [H, 1 - H]]``."""
    return np.block([[h, h], [h, 1 - h]]).astype(np.int8)


@cache
def _stored(i: int) -> _Matrix:
    if i == 0:
        return _from_strings(_H4)
    if i == 1:
        return _double(_double(_stored(0)))
    if i == 2:
        return _from_strings(_H28)
    shifts = [_PB36[k:] + _PB36[:k] for k in range(35)]
    return _from_strings(("1" * 36, *[s + "0" for s in shifts]))


@cache
def _primes_3_mod_4() -> tuple[int, ...]:
    sieve = np.ones(_PRIME_LIMIT + 1, dtype=bool)
    sieve[:2] = False
    for k in range(2, int(_PRIME_LIMIT**0.5) + 1):
        if sieve[k]:
            sieve[k * k :: k] = False
    return tuple(int(p) for p in np.flatnonzero(sieve) if p % 4 == 3)


def _paley_prime(p: int) -> _Matrix:
    """Paley construction of order ``p + 1`` for a prime ``p = 3 (mod 4)``, as R's ``paley``."""
    i = np.arange(p)
    m = (i[:, None] + i[None, :]) % p
    residues = np.unique(np.concatenate([[0], (np.arange(1, (p - 1) // 2 + 1) ** 2) % p]))
    core = np.where(np.isin(m, residues), 0, 1)
    out = np.ones((p + 1, p + 1), dtype=np.int8)
    out[1:, 1:] = core
    return out


def _paley(n: int, nmax: int | None = None) -> _Matrix | None:
    """R's ``paley(n, nmax)``: a Hadamard matrix of order > n from the Paley construction."""
    nmax = 2 * n if nmax is None else nmax
    primes = _primes_3_mod_4()
    nceil = nn = n + 4 - n % 4
    if n % 4 + 4 == n % 8:
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in primes:
            m = _paley_prime(nn - 1)
            while nn < nceil:
                m = _double(m)
                nn *= 2
            return m
    if n > primes[-1]:
        return None
    p = min(q for q in primes if q >= n)
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley(nceil + 3)
    if p > nmax:
        return None
    return _paley_prime(p)


def hadamard(n: int) -> _Matrix:
    """A 0/1 Hadamard matrix with more than ``n`` rows, the one R's ``survey::hadamard(n)`` gives.

    Parameters
    ----------
    n : int
        Lower bound for the order (for BRR: the number of strata); the result has at least
        ``n + 1`` rows, so that row 0 (all ones) can be skipped.

    Returns
    -------
    ndarray of int8, shape (m, m)
        Entries 0 and 1; ``2 H - 1`` is a Hadamard matrix (``(2H-1)^T (2H-1) = m I``).

    Notes
    -----
    R's rule, reproduced step by step so that BRR replicate weights match R's: a stored matrix
    (order 4, 16, 28 or 36) when one is at most 4 larger than ``n - n mod 4``; otherwise the
    smallest of ``s 2^k`` (``s`` a stored order) above ``n``, built by the Paley construction
    (``paley``; primes ``p = 3 mod 4``, possibly doubled) when that order exceeds ``n`` by more
    than 4, else by Sylvester doubling of the stored matrix.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Sec. 2.8.
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer. Ch. 3.
    Plackett, R. L. & Burman, J. P. (1946). The design of optimum multifactorial experiments.
    *Biometrika* 33(4), 305-325.

    Examples
    --------
    >>> h = hadamard(5)
    >>> h.shape
    (8, 8)
    >>> s = 2 * h.astype(int) - 1
    >>> bool((s.T @ s == 8 * np.eye(8)).all())
    True
    """
    m = n - n % 4
    stored = [i for i, s in enumerate(_SIZES) if m < s <= m + 4]
    if stored:
        return _stored(stored[0]).copy()
    if all(m < s for s in _SIZES):
        return _stored(0).copy()
    sizes = [s * 2 ** max(0, math.ceil(math.log2((n + 1) / s))) for s in _SIZES]
    best = int(np.argmin([s - n for s in sizes]))
    h = _paley(n, sizes[best]) if sizes[best] - n > 4 else None
    if h is None:
        h = _stored(best)
        for _ in range(math.ceil(math.log2(sizes[best] / _SIZES[best]))):
            h = _double(h)
    return h.copy()
