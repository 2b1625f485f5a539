"""The survey design object: weights, strata, PSUs and fpc, with design-based estimators.

:class:`SurveyDesign` plays the role of R's ``svydesign()``: built once, its small estimator
methods (``mean``, ``total``, ``ratio``, ``proportion``) share one Taylor-variance routine
(:func:`sga_methods.variance.taylor_variance`) and one domain mechanism (domain codes on the
full design, never dropped rows). Numbers agree with R's ``survey`` package to 1e-6 relative;
see ``tests/results/survey_api.R``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ._design_input import (
    SurveyDesignError,
    _check_choice,
    _DesignInput,
    _names,
    _quoted,
)
from ._estimators import CI_DF_CHOICES, _Estimators
from .calibration import CalibrationStep, calibrated_variance
from .intervals import proportion_interval, t_interval
from .variance import LONELY_PSU_RULES, degrees_of_freedom, srs_variance, taylor_variance

if TYPE_CHECKING:
    from .replicate import ReplicateDesign

__all__ = ["CI_DF_CHOICES", "SurveyDesign", "SurveyDesignError"]

_Floats = NDArray[np.float64]
_Codes = NDArray[np.int64]
_By = str | Sequence[str] | None


def _frozen(values: NDArray[Any]) -> NDArray[Any]:
    view = values.view()
    view.flags.writeable = False
    return view


def _at(values: NDArray[Any], codes: _Codes) -> NDArray[Any]:
    """``values[codes]``, with zero where ``codes < 0`` (rows outside every domain)."""
    return np.append(values, np.zeros(1, dtype=values.dtype))[codes]  # code -1: the zero


@dataclass(frozen=True)
class _Domains:
    codes: _Codes  # domain of each row, -1 outside every domain
    keys: pd.DataFrame  # one row per domain: the by= values
    df: _Floats  # design degrees of freedom of each domain (R's degf of the domain design)
    n_rows: _Floats  # rows of each domain design (R's nrow), for Korn-Graubard

    @property
    def count(self) -> int:
        return len(self.keys)


class SurveyDesign(_Estimators, _DesignInput):
    """A complex sample: data with weights, strata, primary sampling units (PSUs) and fpc.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent (or household). Kept as a copy; never modified.
    weights : str, optional
        Column of sampling weights: finite, non-negative, not all zero. ``None``: all 1
        (R's ``svydesign`` would derive weights from ``fpc``; we do not).
    strata : str, optional
        Column of first-stage strata. ``None``: one stratum.
    psu : str or list of str, optional
        Column of first-stage cluster (PSU) labels. ``None``: each row is its own PSU. A
        list gives the units of each stage of a multistage sample, outermost first
        (``["mahalla", "hh_id"]``, R's ``ids = ~mahalla + hh_id``); labels of a later stage
        need only be unique within the unit of the previous stage.
    fpc : str or list of str, optional
        Per stratum, the population number of PSUs ``N_h`` (all values ``>= 1`` and at
        least the number sampled) or the sampling fraction (all values in (0, 1]).
        ``None``: with-replacement variance. With a list of ``psu`` columns, one column per
        stage (R's ``fpc = ~fpc1 + fpc2``): the population count or sampling fraction of
        the stage's units within each unit of the previous stage; each column is read as
        counts or as fractions on its own (R wants one kind for all). Without ``fpc`` only
        the first stage enters the variance (with replacement), as in R.
    nest : bool, default False
        ``True``: PSU labels are only unique within strata. ``False``: a PSU label found in
        two strata is an error, as in ``svydesign``.
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}, default "fail"
        Rule for a stratum with one PSU, as R's ``options(survey.lonely.psu)``; see
        :func:`sga_methods.variance.taylor_variance`. At later stages it applies to a unit
        in which one unit of the next stage was sampled, as in R: ``"remove"`` and
        ``"certainty"`` add nothing, ``"adjust"`` adds ``(1 - f) Z^2``, ``"average"`` makes
        the variance of the domains holding it NaN, ``"fail"`` raises.
    pps : {"brewer"}, optional
        PSUs drawn with probability proportional to size without replacement, variance by
        Brewer's approximation (R's ``svydesign(pps = "brewer")``): ``fpc`` must then give
        the inclusion probability of each stage's unit (in (0, 1]; it may differ between
        the PSUs of a stratum, not within a PSU). See :mod:`sga_methods.stages`.

    Raises
    ------
    SurveyDesignError
        Unknown columns; non-finite, negative or all-zero weights; missing strata, PSU or fpc
        values; an fpc varying within a stratum (within a unit with ``pps``) or below its
        number of sampled units; ``psu`` and ``fpc`` lists of different lengths; ``pps``
        without ``fpc`` or with probabilities outside (0, 1]; a PSU in two strata with
        ``nest=False``; single-PSU strata (or single sampled units at a later stage) with
        ``lonely_psu="fail"`` (raised here; R raises when a variance is first computed).

    Notes
    -----
    Taylor linearization. With one stage: the ultimate-cluster approximation (first-stage
    PSUs, with replacement unless ``fpc``), as ``svydesign(id = ~psu, strata = ~strata,
    weights = ~weights, fpc = ~fpc, nest = nest)``. With several stages and ``fpc``: R's
    ``svyrecvar`` recursion, the between-PSU variance of each stage plus the within-unit
    variance of the next, weighted by the sampling fractions above it
    (:mod:`sga_methods.stages` gives the formulas). The design degrees of freedom are
    first-stage PSUs minus strata (R's ``degf``). Estimators return tidy frames:
    ``[variable]``,
    the ``by=`` columns, ``[level]``, then ``estimate, se, ci_low, ci_high, n, cv`` and,
    on request, ``deff``. ``n`` counts domain rows with a positive weight and the analysed
    values present. CIs: Student *t* with the design degrees of freedom of the domain
    (``ci_df="design"``: R's ``confint(x, df = degf(design))``) or normal
    (``ci_df="normal"``: R's ``confint(x)``). Missing analysed values are handled as R's
    ``na.rm = TRUE``: the complete cases form a domain of the full design.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 3.0, 2.0, 6.0, 5.0, 7.0], "w": [2, 2, 1, 1, 3, 3],
    ...                    "h": ["a", "a", "a", "b", "b", "b"], "c": [1, 2, 2, 3, 4, 4]})
    >>> d = SurveyDesign(df, weights="w", strata="h", psu="c")
    >>> d.degrees_of_freedom
    2
    >>> d.mean("y")[["estimate", "se", "n"]].round(4)  # R: svymean gives 4.3333, SE 0.7082
       estimate      se  n
    0    4.3333  0.7082  6

    Two stages, PSUs by PPS (probabilities ``pi``) and 20% of households by SRS within
    them, as the demo survey's mahallas and households:

    >>> df2 = pd.DataFrame({"y": [1.0, 3.0, 2.0, 6.0, 5.0, 7.0, 4.0, 2.0],
    ...                     "h": ["a"] * 4 + ["b"] * 4, "c": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                     "hh": [1, 2] * 4, "pi": [.5, .5, .4, .4, .6, .6, .3, .3]})
    >>> df2["f2"] = 0.2
    >>> df2["w"] = 1 / (df2["pi"] * df2["f2"])
    >>> d2 = SurveyDesign(df2, weights="w", strata="h", psu=["c", "hh"], fpc=["pi", "f2"],
    ...                   pps="brewer")
    >>> d2.n_stages, d2.degrees_of_freedom
    (2, 2)
    >>> d2.mean("y")[["estimate", "se"]].round(4)  # R: 3.5789, SE 0.6896
       estimate      se
    0    3.5789  0.6896

    The estimators :meth:`mean`, :meth:`total`, :meth:`ratio` and :meth:`proportion`:

    >>> df = pd.DataFrame({"y": [2.0, 4.0, 6.0, 8.0], "g": ["a", "a", "b", "b"]})
    >>> SurveyDesign(df).mean("y", by="g")[["g", "estimate", "n"]]
       g  estimate  n
    0  a       3.0  2
    1  b       7.0  2
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [10.0, 10.0, 20.0]})
    >>> float(SurveyDesign(df, weights="w").total("y")["estimate"].iloc[0])
    90.0
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [2.0, 2.0, 4.0]})
    >>> float(SurveyDesign(df).ratio("y", "x")["estimate"].iloc[0])
    0.75
    >>> df = pd.DataFrame({"x": ["yes", "no", "yes", "yes"]})
    >>> SurveyDesign(df).proportion("x", ci_method="wald")[["level", "estimate"]]
      level  estimate
    0    no      0.25
    1   yes      0.75
    """

    _OWNER = "SurveyDesign"

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        nest: bool = False,
        lonely_psu: str = "fail",
        pps: str | None = None,
    ) -> None:
        if not isinstance(data, pd.DataFrame) or len(data) == 0:
            raise SurveyDesignError(
                "The 'data' parameter of SurveyDesign must be a non-empty pandas DataFrame. "
                f"Got {type(data).__name__} instead."
            )
        _check_choice("SurveyDesign", "lonely_psu", lonely_psu, LONELY_PSU_RULES)
        if not isinstance(nest, bool):
            raise SurveyDesignError(
                f"The 'nest' parameter of SurveyDesign must be a bool. Got {nest!r} instead."
            )
        self._data = data.copy()
        self._columns: dict[str, Any] = {
            "weights": weights,
            "strata": strata,
            "psu": psu if isinstance(psu, str) or psu is None else list(psu),
            "fpc": fpc if isinstance(fpc, str) or fpc is None else list(fpc),
        }
        self._pps = pps
        self._lonely_psu = lonely_psu
        self._domain = np.ones(len(data), dtype=bool)
        self._base_weights = self._weight_values(weights)
        # weighting steps (R's design$postStrata) and the rows they were computed on
        self._steps: tuple[CalibrationStep, ...] = ()
        self._support: NDArray[np.bool_] | None = None
        # population size (R's popsize) of each first-stage PSU's stratum, or None
        self._structure, self._fpc_population, labels = self._code_structure(
            strata, psu, fpc, nest, pps
        )
        if lonely_psu == "fail":
            self._check_lonely(self._structure, labels, self._stage_columns())

    # ---------------------------------------------------------------- public attributes
    @property
    def weights(self) -> pd.Series:
        """Current weights (zero outside a :meth:`subset` domain), indexed like the data."""
        return pd.Series(self._w, index=self._data.index, name=self._columns["weights"])

    @property
    def data(self) -> pd.DataFrame:
        """A copy of the data: all rows, including those outside a :meth:`subset` domain."""
        return self._data.copy()

    @property
    def degrees_of_freedom(self) -> int:
        """PSUs minus strata among rows with a positive weight (R's ``degf(design)``).

        For a :meth:`subset` design only PSUs and strata holding domain rows count, as
        ``degf(subset(design, ...))``.
        """
        codes = np.where(self._w > 0, 0, -1)
        return int(degrees_of_freedom(self._structure, codes, 1)[0])

    @property
    def strata_codes(self) -> NDArray[np.int64]:
        """Stratum code of each row, ``0 .. H - 1`` (read-only; one stratum if none given)."""
        return _frozen(self._structure.stratum)

    @property
    def psu_codes(self) -> NDArray[np.int64]:
        """PSU code of each row, ``0 .. P - 1``, unique across strata after nesting (read-only;
        each row its own PSU if none given)."""
        return _frozen(self._structure.psu)

    @property
    def fpc_population(self) -> NDArray[np.float64] | None:
        """Population number of PSUs ``N_h`` of each row's stratum, or ``None`` without fpc.

        Sampling fractions are converted to ``N_h = n_h / fraction``, as ``svydesign`` does
        (R's ``fpc$popsize``); first stage only. With ``pps="brewer"`` it is ``n_h / pi_i``
        and differs between the PSUs of a stratum.
        """
        if self._fpc_population is None:
            return None
        return _frozen(self._fpc_population[self._structure.psu])

    @property
    def design_columns(self) -> dict[str, Any]:
        """Column of each design role: ``weights``, ``strata``, ``psu``, ``fpc`` (or None).

        ``psu`` and ``fpc`` are lists (one column per stage) when they were given as lists.
        """
        return {k: list(v) if isinstance(v, list) else v for k, v in self._columns.items()}

    @property
    def pps(self) -> str | None:
        """The PPS variance approximation (``"brewer"``), or ``None``."""
        return self._pps

    @property
    def n_stages(self) -> int:
        """Stages of sampling used by the variance: 1 + the later stages (they need ``fpc``)."""
        return 1 + len(self._structure.stages)

    def _stage_columns(self) -> list[str]:
        psu = self._columns["psu"]
        return [] if psu is None else [psu] if isinstance(psu, str) else list(psu)

    @property
    def lonely_psu(self) -> str:
        """The lonely-PSU rule of the design."""
        return self._lonely_psu

    @property
    def _w(self) -> _Floats:
        """Current weights, zero outside the domain (read-only; cached per weights and domain)."""
        cache = self.__dict__.get("_w_cache")
        if cache is None or cache[0] is not self._base_weights or cache[1] is not self._domain:
            cache = (
                self._base_weights,
                self._domain,
                _frozen(np.where(self._domain, self._base_weights, 0.0)),
            )
            self._w_cache = cache
        return cache[2]

    def __repr__(self) -> str:
        cols = "".join(f", {k}={v!r}" for k, v in self._columns.items() if v is not None)
        steps = f", weighting_steps={len(self._steps)}" if self._steps else ""
        return (
            f"SurveyDesign(rows={int(self._domain.sum())} of {len(self._data)}, "
            f"strata={self._structure.n_psu.size}, psus={self._structure.psu_stratum.size}"
            f"{cols}, lonely_psu={self._lonely_psu!r}{steps})"
        )

    def subset(self, mask: ArrayLike | pd.Series) -> SurveyDesign:
        """Domain design: rows outside ``mask`` get weight zero but stay in the design.

        Parameters
        ----------
        mask : boolean array or Series of length ``len(data)``
            ``True`` for rows in the domain; a Series is aligned on the data's index.

        Returns
        -------
        SurveyDesign
            Same strata, PSUs and fpc, so standard errors reflect the random domain size
            (R's ``subset(design, ...)``; SEs equal those of ``by=``).

        Raises
        ------
        SurveyDesignError
            If the mask has the wrong length, is not boolean or has missing values.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"]})
        >>> d = SurveyDesign(df).subset(df["g"] == "b")
        >>> float(d.mean("y")["estimate"].iloc[0]), d.weights.tolist()
        (3.5, [0.0, 0.0, 1.0, 1.0])
        """
        new = copy.copy(self)
        new._domain = self._domain & self._mask(mask)
        return new

    def assign(self, **columns: Any) -> SurveyDesign:
        """New design with added or replaced analysis columns (R's ``update(design, ...)``).

        Parameters
        ----------
        **columns
            As :meth:`pandas.DataFrame.assign`: arrays, Series (aligned on the index) or
            callables of the data.

        Returns
        -------
        SurveyDesign
            Same weights, strata, PSUs, fpc and domain.

        Raises
        ------
        SurveyDesignError
            If a column that defines the design (weights, strata, PSU, fpc) would change.

        Examples
        --------
        >>> d = SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 3.0]}))
        >>> float(d.assign(y2=lambda df: df["y"] * 2).mean("y2")["estimate"].iloc[0])
        4.0
        """
        roles = [v if isinstance(v, list) else [v] for v in self._columns.values()]
        fixed = sorted(set(columns) & {c for names in roles for c in names if c is not None})
        if fixed:
            raise SurveyDesignError(
                f"The columns {_quoted(fixed)} passed to SurveyDesign.assign define the design "
                "(weights, strata, psu or fpc). Expected new or analysis columns only."
            )
        new = copy.copy(self)
        new._data = self._data.assign(**columns)
        return new

    # ---------------------------------------------------------------- domain mechanism
    def _domains(self, owner: str, by: _By) -> _Domains:
        """Code each row with its domain: the whole (sub)design, or one code per by= level."""
        if by is None:
            codes = np.where(self._domain, 0, -1)
            keys = pd.DataFrame(index=range(1))
        else:
            cols = _names(owner, "by", by)
            for col in cols:
                self._column(owner, "by", col)
            group = self._data.groupby(cols, sort=True, dropna=True).ngroup().to_numpy()
            raw = np.where(np.isnan(group) | ~self._domain, -1, np.nan_to_num(group, nan=-1))
            raw = raw.astype(np.int64)
            n_raw = int(raw.max()) + 1
            # svyby drops zero-weight levels
            kept = np.flatnonzero(np.bincount(raw[(raw >= 0) & (self._w > 0)], minlength=n_raw))
            remap = np.full(n_raw + 1, -1, dtype=np.int64)
            remap[kept] = np.arange(kept.size)
            codes = remap[raw]  # raw == -1 picks the last entry, -1
            rows = np.flatnonzero(codes >= 0)
            first = np.full(kept.size, len(codes), dtype=np.int64)
            np.minimum.at(first, codes[rows], rows)  # first row of each domain
            keys = self._data.iloc[first][cols].reset_index(drop=True)
        n_dom = len(keys)
        df = degrees_of_freedom(self._structure, np.where(self._w > 0, codes, -1), n_dom)
        n_rows = np.bincount(codes + 1, minlength=n_dom + 1)[1:]
        return _Domains(codes, keys, df.astype(float), n_rows.astype(float))

    def _sum(self, codes: _Codes, values: _Floats, n_dom: int) -> _Floats:
        """Weighted total of ``values`` per domain (rows with code -1 fall in a dropped bin)."""
        # bincount with weights returns float64 (numpy's stub says intp): asarray does not copy
        sums = np.bincount(codes + 1, weights=self._w * values, minlength=n_dom + 1)
        return np.asarray(sums[1:], dtype=np.float64)

    def _linearize(
        self, y: _Floats, x: _Floats | None, codes: _Codes, n_dom: int
    ) -> tuple[_Floats, _Floats]:
        """Estimate and linearized variable ``u`` (scores ``w u``): a total, or a ratio."""
        if x is None:
            return self._sum(codes, y, n_dom), np.where(codes >= 0, y, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_total = self._sum(codes, x, n_dom)
            est = self._sum(codes, y, n_dom) / x_total
            u = _at(est, codes)  # u = (y - est x) / x_total, in place
            u *= x
            np.subtract(y, u, out=u)
            u /= _at(x_total, codes)
        u[codes < 0] = 0.0
        return est, u

    def _summary(
        self, dom: _Domains, codes: _Codes, est: _Floats, u: _Floats, opts: dict[str, Any]
    ) -> pd.DataFrame:
        """Standard errors, CIs, n, cv (and deff) of linearized estimates, as a tidy frame."""
        var = self._variance(np.where(codes >= 0, self._w * u, 0.0), codes, dom.count)
        se = np.sqrt(var)
        df = dom.df if opts["ci_df"] == "design" else np.full(dom.count, np.inf)
        level, method = opts["ci_level"], opts.get("ci_method")
        low, high = (
            t_interval(est, se, level=level, df=df)
            if method is None
            else proportion_interval(est, se, method=method, level=level, df=df, n_rows=dom.n_rows)
        )
        counted = np.where(self._w > 0, codes + 1, 0)  # domain + 1; 0: not counted
        out = dom.keys.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            out["estimate"], out["se"], out["ci_low"], out["ci_high"] = est, se, low, high
            out["n"] = np.bincount(counted, minlength=dom.count + 1)[1:]
            out["cv"] = se / est
            if opts["deff"]:
                out["deff"] = var / srs_variance(self._w, u, codes, dom.count)
        return out

    def _variance(self, scores: _Floats, codes: _Codes, n_dom: int) -> _Floats:
        """Taylor variance per domain; after weighting, of the calibration residuals."""
        if not self._steps:
            return taylor_variance(
                scores, self._structure, domain=codes, n_domains=n_dom, lonely_psu=self._lonely_psu
            )
        # Residuals are not zero outside the domain: one score column per domain, in batches
        support = self._support if self._support is not None else self._domain
        out = np.empty(n_dom)
        batch = max(1, 4_000_000 // max(scores.size, 1))
        for start in range(0, n_dom, batch):
            ids = np.arange(start, min(start + batch, n_dom))
            columns = np.where(codes[:, None] == ids[None, :], scores[:, None], 0.0)
            out[ids] = calibrated_variance(
                columns, self._steps, self._structure, support, self._lonely_psu
            )
        return out

    # ---------------------------------------------------------------- estimator hooks
    def _estimate_one(
        self, dom: _Domains, y: _Floats, x: _Floats | None, codes: _Codes, opts: dict[str, Any]
    ) -> pd.DataFrame:
        est, u = self._linearize(y, x, codes, dom.count)
        return self._summary(dom, codes, est, u, opts)

    def _proportion_frames(
        self, col: pd.Series, levels: list[Any], codes: _Codes, dom: _Domains, opts: dict[str, Any]
    ) -> list[pd.DataFrame]:
        ones = np.ones(len(self._data))
        frames = []
        for level in levels:
            est, u = self._linearize((col == level).to_numpy(dtype=float), ones, codes, dom.count)
            frames.append(self._summary(dom, codes, est, u, opts))
        return frames

    # ---------------------------------------------------------------- weighting
    def _weighted_rows(self, owner: str) -> NDArray[np.bool_]:
        """Rows a weighting method changes: in the domain, with a positive weight."""
        if self._support is not None and (self._support & ~self._domain).any():
            raise SurveyDesignError(
                f"{owner} was called on a subset of a calibrated design. Expected the full "
                "calibrated design (then subset), or a subset of an uncalibrated design (R's "
                "survey returns NaN standard errors for a calibrated subset)."
            )
        return self._domain & (self._base_weights > 0)

    def _reweighted(
        self, rows: NDArray[np.bool_], weights: _Floats, step: CalibrationStep | None
    ) -> SurveyDesign:
        """New design with ``weights`` on ``rows`` and, after calibration, one more step."""
        new = copy.copy(self)
        new._base_weights = np.where(rows, weights, self._base_weights)
        if step is not None:
            new._steps = (*self._steps, step)
            new._support = self._domain.copy() if self._support is None else self._support
        return new

    def poststratify(self, columns: str | Sequence[str], totals: Any) -> SurveyDesign:
        """New design post-stratified to population counts (R's ``postStratify``).

        See :func:`sga_methods.weighting.poststratify` for parameters, errors, the weights
        and variance formulas, and an example. This design is unchanged.
        """
        from .weighting import poststratify

        return poststratify(self, columns, totals)

    def rake(
        self,
        margins: Mapping[str | tuple[str, ...], Any],
        *,
        epsilon: float = 1e-10,
        max_iter: int = 1000,
        variance: str = "survey",
    ) -> SurveyDesign:
        """New design raked to several categorical margins (R's ``rake``, tightly converged).

        See :func:`sga_methods.weighting.rake`. This design is unchanged.
        """
        from .weighting import rake

        return rake(self, margins, epsilon=epsilon, max_iter=max_iter, variance=variance)

    def calibrate(
        self,
        margins: Mapping[str | tuple[str, ...], Any],
        *,
        method: str = "linear",
        bounds: tuple[float, float] | None = None,
        epsilon: float = 1e-10,
        max_iter: int = 100,
    ) -> SurveyDesign:
        """New design calibrated to categorical and numeric totals (R's ``calibrate``).

        See :func:`sga_methods.weighting.calibrate`. This design is unchanged.
        """
        from .weighting import calibrate

        return calibrate(
            self, margins, method=method, bounds=bounds, epsilon=epsilon, max_iter=max_iter
        )

    def trim_weights(
        self, lower: float | None = None, upper: float | None = None, *, strict: bool = False
    ) -> SurveyDesign:
        """New design with weights trimmed to ``[lower, upper]`` (R's ``trimWeights``).

        See :func:`sga_methods.weighting.trim_weights`. This design is unchanged.
        """
        from .weighting import trim_weights

        return trim_weights(self, lower, upper, strict=strict)

    def to_replicate(self, method: str, **kwargs: Any) -> ReplicateDesign:
        """Replicate-weights design built from this design (see ``sga_methods.replicate``).

        The replicates resample the first-stage PSUs within strata, with the first-stage fpc:
        for a multistage design (``psu=[...]``) the later stages enter only through the
        PSU totals (R's ``as.svrepdesign`` likewise drops their fpc, with a warning). A
        ``pps="brewer"`` design with inclusion probabilities that differ within a stratum
        is refused, as in R.
        """
        from .replicate import from_design

        return from_design(self, method, **kwargs)
