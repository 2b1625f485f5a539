"""The replicate-weight design object and its estimators (R's ``svrepdesign`` semantics)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special

from .._estimators import _Estimators
from ..intervals import proportion_interval, t_interval
from ..variance import srs_variance
from ._checks import (
    _check_bool,
    _check_choice,
    _check_rho,
    _error,
    _names,
    _quoted,
    column,
    float_values,
    replicate_names,
    replicate_scales,
    weight_values,
)
from ._weights import ReplicateWeights, _compress_rows, _logit_fits

__all__ = ["REPLICATE_METHODS", "ReplicateDesign"]

REPLICATE_METHODS: tuple[str, ...] = ("jk1", "jkn", "bootstrap", "brr", "fay", "other")
_Floats = NDArray[np.float64]
_Codes = NDArray[np.int64]
_By = str | Sequence[str] | None


def _at(values: NDArray[Any], codes: _Codes) -> NDArray[Any]:
    """``values[codes]``, with zero where ``codes < 0`` (rows outside every domain)."""
    if values.size == 0:  # no domain at all (an empty subset)
        return np.zeros(codes.shape)
    return np.where(codes >= 0, values[np.maximum(codes, 0)], 0)


@dataclass(frozen=True)
class _Domains:
    codes: _Codes  # domain of each row, -1 outside every domain
    keys: pd.DataFrame  # one row per domain: the by= values
    n_rows: _Floats  # rows of each domain design (R's nrow), for Korn-Graubard

    @property
    def count(self) -> int:
        return len(self.keys)


class ReplicateDesign(_Estimators):
    """A survey design whose variances come from replicate weights (R's ``svrepdesign``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, holding the full-sample and replicate weights. Kept as a copy.
    weights : str, optional
        Column of full-sample weights: finite, non-negative, not all zero. ``None``: all 1.
    replicate_weights : list of str or str
        The replicate weight columns (final, "combined" weights, as R's default
        ``combined.weights = TRUE``), or a regular expression matched at the start of the
        column names (``re.match``; a prefix such as ``"rw"`` works), in data order,
        excluding ``weights``. Finite and non-negative.
    method : {"jk1", "jkn", "bootstrap", "brr", "fay", "other"}
        How the replicates were formed; sets the defaults of ``scale`` and ``rscales``.
    scale : float, optional
        Overall multiplier of the variance. Defaults as R's ``svrepdesign``: ``(R - 1) / R``
        for ``jk1``, ``1 / (R - 1)`` for ``bootstrap``, 1 for ``jkn`` and ``other``; fixed at
        ``1 / R`` for ``brr`` and ``1 / (R (1 - fay_rho)^2)`` for ``fay`` (an error if given).
    rscales : float or sequence of float, optional
        Per-replicate multipliers (one value is recycled). Default 1; required for ``jkn``
        (``(n_h - 1) / n_h`` times any fpc of the stratum of each replicate).
    mse : bool, default False
        Centre the squared deviations at the full-sample estimate instead of the mean of the
        replicates (R's ``mse = TRUE``).
    fay_rho : float, default 0.0
        Fay's coefficient ``rho`` in (0, 1) with which ``fay`` weights were built; must be 0
        for the other methods.

    Raises
    ------
    SurveyDesignError
        Unknown columns or method; replicate weights missing, non-numeric, non-finite or
        negative; bad ``scale``, ``rscales`` (length) or ``fay_rho``.

    Notes
    -----
    With ``theta_r`` the estimate computed with replicate ``r``'s weights,

    .. math:: v = \\text{scale} \\sum_r \\text{rscales}_r (\\theta_r - \\bar\\theta)^2,

    ``thetabar`` the mean of the replicates with ``rscales_r > 0`` (or the full-sample estimate
    when ``mse``), as R's ``svrVar``; replicates giving no estimate (NaN: a domain with no
    weight in that replicate) are dropped, as R's ``na.omit``. All replicate estimates come
    from one matrix product of the replicate weights with the data. Domains (``by=``,
    :meth:`subset`) zero the full-sample and replicate weights outside the domain. Degrees of
    freedom: the rank of the replicate weights (``qr(..., tol = 1e-5)``) minus one, per
    domain, as R's ``degf`` of the domain design. Result frames and CIs are those of
    :class:`~sga_methods.design.SurveyDesign`.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Sec. 2.8.
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer. Ch. 3-5.
    Rao, J. N. K. & Wu, C. F. J. (1988). Resampling inference with complex survey data.
    *Journal of the American Statistical Association* 83(401), 231-241.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 5.0], "w": [1.0, 1.0, 1.0, 1.0],
    ...                    "r1": [0.0, 0.0, 2.0, 2.0], "r2": [2.0, 2.0, 0.0, 0.0]})
    >>> r = ReplicateDesign(df, weights="w", replicate_weights="r", method="jk1")
    >>> r.mean("y")[["estimate", "se"]]
       estimate   se
    0       3.0  1.5

    The estimators :meth:`mean`, :meth:`total`, :meth:`ratio` and :meth:`proportion`:

    >>> df = pd.DataFrame({"y": [1.0, 3.0], "r1": [0.0, 2.0], "r2": [2.0, 0.0]})
    >>> r = ReplicateDesign(df, replicate_weights="r", method="jk1")
    >>> r.mean("y")[["estimate", "se"]]
       estimate   se
    0       2.0  1.0
    >>> r.total("y")[["estimate", "se"]]
       estimate   se
    0       4.0  2.0
    >>> df = pd.DataFrame({"y": [1.0, 3.0], "x": [1.0, 1.0], "r1": [0.0, 2.0],
    ...                    "r2": [2.0, 0.0]})
    >>> r = ReplicateDesign(df, replicate_weights="r", method="jk1")
    >>> float(r.ratio("y", "x")["estimate"].iloc[0])
    2.0
    >>> df = pd.DataFrame({"x": ["a", "b", "b", "b"], "r1": [0.0, 0.0, 2.0, 2.0],
    ...                    "r2": [2.0, 2.0, 0.0, 0.0]})
    >>> r = ReplicateDesign(df, replicate_weights="r", method="jk1")
    >>> r.proportion("x", ci_method="wald")[["level", "estimate", "se"]]
      level  estimate    se
    0     a      0.25  0.25
    1     b      0.75  0.25
    """

    _OWNER = "ReplicateDesign"

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | None = None,
        replicate_weights: str | Sequence[str],
        method: str,
        scale: float | None = None,
        rscales: float | Sequence[float] | None = None,
        mse: bool = False,
        fay_rho: float = 0.0,
    ) -> None:
        owner = "ReplicateDesign"
        if not isinstance(data, pd.DataFrame) or len(data) == 0:
            raise _error(
                f"The 'data' parameter of {owner} must be a non-empty pandas DataFrame. "
                f"Got {type(data).__name__} instead."
            )
        _check_choice(owner, "method", method, REPLICATE_METHODS)
        self._data = data.copy()
        names = replicate_names(self._data, replicate_weights, weights)
        matrix = np.column_stack([weight_values(self._data, "replicate_weights", c) for c in names])
        base = (
            np.ones(len(data)) if weights is None else weight_values(self._data, "weights", weights)
        )
        if not (base > 0).any():
            raise _error(
                f"The 'weights' column {weights!r} of {owner} is zero in every row. "
                "Expected finite non-negative weights, not all zero."
            )
        rho = _check_rho(owner, method, fay_rho)
        scale_, rscales_ = replicate_scales(method, len(names), scale, rscales, rho, owner)
        index, units, size = _compress_rows(matrix)
        del matrix
        self._setup(
            weights=weights,
            names=names,
            method=method,
            fay_rho=rho,
            replicates=ReplicateWeights(
                base=base,
                row_scale=size,
                factors=units,
                index=index,
                groups=np.arange(len(units), dtype=np.int64),
                scale=scale_,
                rscales=rscales_,
                mse=_check_bool(owner, "mse", mse),
            ),
            domain=np.ones(len(data), dtype=bool),
        )

    @classmethod
    def _from_parts(cls, data: pd.DataFrame, **parts: Any) -> ReplicateDesign:
        """A design from validated parts (used by :func:`from_design`); data is not copied."""
        new = cls.__new__(cls)
        new._data = data
        new._setup(**parts)
        return new

    def _setup(
        self,
        *,
        weights: str | None,
        names: list[str],
        method: str,
        fay_rho: float,
        replicates: ReplicateWeights,
        domain: NDArray[np.bool_],
    ) -> None:
        self._weights_name = weights
        self._rep_names = names
        self._method = method
        self._fay_rho = fay_rho
        self._rep = replicates
        self._domain = domain
        self._df_cache: int | None = None

    # ---------------------------------------------------------------- input validation
    def _column(self, owner: str, role: str, name: str) -> pd.Series:
        return column(self._data, owner, role, name)

    def _float_values(self, owner: str, role: str, name: str) -> _Floats:
        return float_values(self._data, owner, role, name)

    # ---------------------------------------------------------------- public attributes
    @property
    def weights(self) -> pd.Series:
        """Full-sample weights (zero outside a :meth:`subset` domain), indexed like the data."""
        return pd.Series(self._w, index=self._data.index, name=self._weights_name)

    @property
    def replicate_weights(self) -> pd.DataFrame:
        """Replicate weights, one column per replicate (zero outside a :meth:`subset` domain).

        These are final ("combined") weights, R's ``weights(design, "analysis")``: passing
        them with :attr:`weights`, :attr:`method`, :attr:`scale`, :attr:`rscales` and
        :attr:`mse` to :class:`ReplicateDesign` rebuilds this design.
        """
        values = self._rep.matrix(self._domain)
        return pd.DataFrame(values, index=self._data.index, columns=self._rep_names)

    @property
    def data(self) -> pd.DataFrame:
        """A copy of the data: all rows, including those outside a :meth:`subset` domain."""
        return self._data.copy()

    @property
    def method(self) -> str:
        """How the replicates were formed: jk1, jkn, bootstrap, brr, fay or other."""
        return self._method

    @property
    def scale(self) -> float:
        """Overall variance multiplier (R's ``scale``)."""
        return self._rep.scale

    @property
    def rscales(self) -> _Floats:
        """Per-replicate variance multipliers (R's ``rscales``), a copy."""
        return self._rep.rscales.copy()

    @property
    def mse(self) -> bool:
        """Whether deviations are centred at the full-sample estimate (R's ``mse``)."""
        return self._rep.mse

    @property
    def fay_rho(self) -> float:
        """Fay's coefficient (0 except for ``fay``)."""
        return self._fay_rho

    @property
    def n_replicates(self) -> int:
        """Number of replicates ``R``."""
        return self._rep.n_replicates

    @property
    def degrees_of_freedom(self) -> int:
        """Rank of the replicate weights minus one (R's ``degf`` of a replicate design).

        The rank is R's ``qr(weights(design, "analysis"), tol = 1e-5)$rank``, over the rows of
        a :meth:`subset` domain for a subset design.
        """
        if self._df_cache is None:
            codes = np.where(self._domain, 0, -1).astype(np.int64)
            self._df_cache = int(self._rep.ranks(codes, 1)[0]) - 1
        return self._df_cache

    @property
    def _w(self) -> _Floats:
        return np.where(self._domain, self._rep.base, 0.0)

    def __repr__(self) -> str:
        return (
            f"ReplicateDesign(rows={int(self._domain.sum())} of {len(self._data)}, "
            f"method={self._method!r}, replicates={self.n_replicates}, "
            f"scale={self._rep.scale:.6g}, mse={self._rep.mse}, weights={self._weights_name!r})"
        )

    def subset(self, mask: ArrayLike | pd.Series) -> ReplicateDesign:
        """Domain design: rows outside ``mask`` get weight zero (full and replicate weights).

        Parameters
        ----------
        mask : array_like of bool or pandas.Series
            ``True`` for rows in the domain; a Series is aligned on the data's index.

        Returns
        -------
        ReplicateDesign
            Same replicates; estimates and SEs equal those of ``by=`` (R's ``subset``).

        Raises
        ------
        SurveyDesignError
            If the mask has the wrong length, is not boolean or has missing values.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "r1": [0.0, 1.5, 1.5],
        ...                    "r2": [1.5, 0.0, 1.5], "r3": [1.5, 1.5, 0.0]})
        >>> r = ReplicateDesign(df, replicate_weights="r", method="jk1")
        >>> r.subset(df["y"] > 1).weights.tolist()
        [0.0, 1.0, 1.0]
        """
        new = copy.copy(self)
        new._domain = self._domain & self._mask(mask)
        new._df_cache = None
        return new

    def assign(self, **columns: Any) -> ReplicateDesign:
        """New design with added or replaced analysis columns (R's ``update(design, ...)``).

        Parameters
        ----------
        **columns
            As :meth:`pandas.DataFrame.assign`.

        Returns
        -------
        ReplicateDesign
            Same weights, replicates and domain.

        Raises
        ------
        SurveyDesignError
            If the full-sample or a replicate weight column would change.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 3.0], "r1": [0.0, 2.0], "r2": [2.0, 0.0]})
        >>> r = ReplicateDesign(df, replicate_weights=["r1", "r2"], method="jk1")
        >>> float(r.assign(z=lambda d: d["y"] + 1).mean("z")["estimate"].iloc[0])
        3.0
        """
        design_columns = {self._weights_name, *self._rep_names} - {None}
        fixed = sorted(set(columns) & design_columns)
        if fixed:
            raise _error(
                f"The columns {_quoted(fixed)} passed to ReplicateDesign.assign hold the "
                "full-sample or replicate weights. Expected new or analysis columns only."
            )
        new = copy.copy(self)
        new._data = self._data.assign(**columns)
        return new

    # ---------------------------------------------------------------- domain mechanism
    def _domains(self, owner: str, by: _By) -> _Domains:
        """Code each row with its domain: the whole (sub)design, or one code per by= level."""
        if by is None:
            codes = np.where(self._domain, 0, -1).astype(np.int64)
            keys = pd.DataFrame(index=range(1))
        else:
            cols = _names(owner, "by", by)
            for col in cols:
                self._column(owner, "by", col)
            group = self._data.groupby(cols, sort=True, dropna=True).ngroup().to_numpy()
            group = np.nan_to_num(np.asarray(group, dtype=float), nan=-1.0).astype(np.int64)
            raw = np.where(self._domain, group, -1)
            kept = np.unique(raw[(raw >= 0) & (self._w > 0)])  # svyby drops zero-weight levels
            remap = np.full(max(int(raw.max()) + 1, 1), -1, dtype=np.int64)
            remap[kept] = np.arange(kept.size)
            codes = np.where(raw >= 0, remap[np.maximum(raw, 0)], -1)
            _, first = np.unique(np.where(codes >= 0, codes, kept.size), return_index=True)
            keys = self._data.iloc[first[: kept.size]][cols].reset_index(drop=True)
        n_rows = np.bincount(codes[codes >= 0], minlength=len(keys)).astype(float)
        return _Domains(codes, keys, n_rows)

    # ---------------------------------------------------------------- replicate estimation
    def _summary(
        self,
        dom: _Domains,
        codes: _Codes,
        est: _Floats,
        var: _Floats,
        opts: dict[str, Any],
        *,
        u: _Floats,
        ci_se: _Floats | None = None,
    ) -> pd.DataFrame:
        """Standard errors, CIs, n, cv (and deff) as a tidy frame, like SurveyDesign's."""
        se = np.sqrt(var)
        df = self._domain_df(dom, opts) if opts["ci_df"] == "design" else np.full(dom.count, np.inf)
        level, method = opts["ci_level"], opts.get("ci_method")
        low, high = (
            t_interval(est, se, level=level, df=df)
            if method is None
            else proportion_interval(
                est,
                se if ci_se is None else ci_se,
                method=method,
                level=level,
                df=df,
                n_rows=dom.n_rows,
            )
        )
        counted = (codes >= 0) & (self._w > 0)
        out = dom.keys.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            out["estimate"], out["se"], out["ci_low"], out["ci_high"] = est, se, low, high
            out["n"] = np.bincount(codes[counted], minlength=dom.count)
            out["cv"] = se / est
            if opts["deff"]:
                out["deff"] = var / srs_variance(self._w, u, codes, dom.count)
        return out

    def _domain_df(self, dom: _Domains, opts: dict[str, Any]) -> _Floats:
        """Degrees of freedom of each domain design, computed once per estimator call."""
        if "df" not in opts:
            if dom.count == 1 and np.array_equal(dom.codes >= 0, self._domain):
                opts["df"] = np.array([float(self.degrees_of_freedom)])
            else:
                opts["df"] = (self._rep.ranks(dom.codes, dom.count) - 1).astype(float)
        df: _Floats = opts["df"]
        return df

    # ---------------------------------------------------------------- estimator hooks
    def _estimate_one(
        self, dom: _Domains, y: _Floats, x: _Floats | None, codes: _Codes, opts: dict[str, Any]
    ) -> pd.DataFrame:
        if x is None:
            full, reps = self._rep.totals([(y, codes)], dom.count)
            est, theta, u = full[0], reps[0], np.where(codes >= 0, y, 0.0)
        else:
            full, reps = self._rep.totals([(y, codes), (x, codes)], dom.count)
            with np.errstate(divide="ignore", invalid="ignore"):
                est, theta = full[0] / full[1], reps[0] / reps[1]
                u = (y - _at(est, codes) * x) / _at(full[1], codes)
            u = np.where(codes >= 0, u, 0.0)
        var = self._rep.variance(est, theta)
        return self._summary(dom, codes, est, var, opts, u=u)

    def _proportion_frames(
        self, col: pd.Series, levels: list[Any], codes: _Codes, dom: _Domains, opts: dict[str, Any]
    ) -> list[pd.DataFrame]:
        ones = np.ones(len(self._data))
        indicators = [(col == level).to_numpy(dtype=float) for level in levels]
        full, reps = self._rep.totals([*((v, codes) for v in indicators), (ones, codes)], dom.count)
        with np.errstate(divide="ignore", invalid="ignore"):
            est, theta = full[:-1] / full[-1], reps[:-1] / reps[-1]
        var = self._rep.variance(est, theta)
        ci_se = None
        if opts["ci_method"] == "logit":
            start = special.logit(est)
            with np.errstate(divide="ignore", invalid="ignore"):
                se_logit = np.sqrt(self._rep.variance(start, _logit_fits(theta, start)))
                ci_se = se_logit * est * (1.0 - est)
        frames = []
        for k in range(len(levels)):
            u = np.where(codes >= 0, (indicators[k] - _at(est[k], codes)), 0.0)
            u = u / np.where(codes >= 0, _at(full[-1], codes), 1.0)
            frames.append(
                self._summary(
                    dom,
                    codes,
                    est[k],
                    var[k],
                    opts,
                    u=u,
                    ci_se=None if ci_se is None else ci_se[k],
                )
            )
        return frames
