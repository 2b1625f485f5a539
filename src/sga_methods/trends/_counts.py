r"""Count models for police-recorded crime (Poisson, quasi-Poisson, negative binomial) and ITS.

The monthly count :math:`Y_t` is log-linear with the population as exposure (a log offset):

.. math::

    \log E[Y_t] = \log(\text{exposure}_t) + \beta_0 + \beta_1 t + x_t'\gamma
        + \sum_{k=1}^{K} \big(a_k \sin(2\pi k s_t / P) + b_k \cos(2\pi k s_t / P)\big)

with covariates :math:`x_t` (intervention steps, hinges of a piecewise trend) and :math:`K`
Fourier pairs of period :math:`P` in the season :math:`s_t` (month of year), as in Lopez Bernal,
Cummins & Gasparrini (2017); ``exp`` of a coefficient is a rate ratio. :func:`fit_counts`
fits it; :func:`~sga_methods.trends.interrupted_time_series` (module ``_its``) adds a level
and a slope change at an intervention.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, special, stats

__all__ = ["CountFit", "fit_counts"]

Family = Literal["poisson", "quasipoisson", "negbin"]
Distribution = Literal["auto", "normal", "t"]
FAMILIES: tuple[str, ...] = ("poisson", "quasipoisson", "negbin")
DISTRIBUTIONS: tuple[str, ...] = ("auto", "normal", "t")
INTERCEPT = "intercept"
#: Names of the terms that :func:`interrupted_time_series` adds to the model.
LEVEL, SLOPE = "level_change", "slope_change"
#: Convergence of the IRLS fits (absolute change in deviance) and of theta (relative).
_TOL, _THETA_RTOL, _MAXIT = 1e-12, 1e-10, 100


@dataclass(frozen=True)
class _Terms:
    """How a model's design matrix is built from a data frame (kept to predict new data)."""

    time: str
    exposure: str | None
    covariates: tuple[str, ...]
    season: str | None
    harmonics: int
    period: float
    levels: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def design(self, df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray | None]:
        """Design matrix (intercept, time, covariates, season terms) and the log offset."""
        columns = {INTERCEPT: np.ones(len(df)), self.time: _numeric(df, self.time, "time")}
        for name in self.covariates:
            columns.update(self._covariate(df, name))
        if self.season is not None and self.harmonics == 0:
            columns.update(self._covariate(df, self.season))
        elif self.season is not None:
            s = _numeric(df, self.season, "season")
            for k in range(1, self.harmonics + 1):
                columns[f"sin{k}"] = np.sin(2 * np.pi * k * s / self.period)
                columns[f"cos{k}"] = np.cos(2 * np.pi * k * s / self.period)
        if self.exposure is None:
            return pd.DataFrame(columns, index=df.index), None
        exposure = _numeric(df, self.exposure, "exposure")
        if (exposure <= 0).any():
            raise ValueError(
                f"exposure column {self.exposure!r} must be positive; got "
                f"{exposure[exposure <= 0][:5].tolist()} in rows {_rows(df, exposure <= 0)}"
            )
        return pd.DataFrame(columns, index=df.index), np.log(exposure)

    def _covariate(self, df: pd.DataFrame, name: str) -> dict[str, np.ndarray]:
        """A numeric column as it is; a categorical one as indicators (first level left out)."""
        if name not in self.levels:
            return {name: _numeric(df, name, "covariate")}
        values = _column(df, name)
        unknown = sorted(set(values) - set(self.levels[name]), key=str)
        if unknown:
            raise ValueError(
                f"column {name!r} has levels {unknown} that the model was not fitted with "
                f"(levels: {list(self.levels[name])})"
            )
        return {f"{name}[{v}]": (values == v).to_numpy(dtype=float) for v in self.levels[name][1:]}


@dataclass(frozen=True)
class CountFit:
    """A fitted count model (:func:`fit_counts`).

    Attributes
    ----------
    family : str
    coefficients : DataFrame
        By term (``intercept``, the time column, covariates, ``sin1``, ``cos1``, ... or
        ``season[level]``): ``estimate, se, statistic, p_value, ci_low, ci_high`` (log scale).
    rate_ratios : DataFrame
        Every term but the intercept: ``rate_ratio, ci_low, ci_high, p_value`` (``exp`` of
        the coefficient and its interval; the time term's is per unit of time).
    dispersion : float
        Pearson :math:`X^2 / (n - p)` of the fitted family (the quasi-Poisson scale).
    overdispersion_test : dict
        Cameron-Trivedi test of the Poisson fit: ``statistic, p_value, alpha``.
    fitted : Series
        Expected counts, indexed like the data.
    theta, theta_se : float or None
        Negative binomial shape and its standard error (``negbin`` only; ``inf`` when the
        counts show no overdispersion).
    distribution : {"normal", "t"}
        Reference distribution of p-values and intervals, with ``df_resid`` = n - p.
    model, result : statsmodels GLM and GLMResults
        The underlying fit (rows sorted by time when ``hac_lags`` is given).
    """

    family: str
    coefficients: pd.DataFrame
    rate_ratios: pd.DataFrame
    dispersion: float
    overdispersion_test: dict[str, float]
    fitted: pd.Series
    theta: float | None
    theta_se: float | None
    distribution: str
    df_resid: float
    ci_level: float
    hac_lags: int | None
    model: Any = field(repr=False)
    result: Any = field(repr=False)
    terms: _Terms = field(repr=False)

    def predict(self, new_df: pd.DataFrame) -> pd.DataFrame:
        r"""Expected counts for new rows, with Wald intervals on the log scale.

        ``new_df`` needs the model's time, covariate, season and exposure columns (not the
        count). Returns ``mean, ci_low, ci_high`` indexed like ``new_df``:
        :math:`\exp(x'\hat\beta + \log \text{exposure} \pm q\sqrt{x'Vx})`, with the model's
        covariance :math:`V` and quantile :math:`q` (R: ``predict(fit, new, type = "link",
        se.fit = TRUE)``).
        """
        X, offset = self.terms.design(new_df)
        x = X[self.coefficients.index].to_numpy()
        eta = x @ self.coefficients["estimate"].to_numpy() + (0.0 if offset is None else offset)
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, np.asarray(self.result.cov_params()), x))
        q = _quantile(self.distribution, self.ci_level, self.df_resid)
        return pd.DataFrame(
            {"mean": np.exp(eta), "ci_low": np.exp(eta - q * se), "ci_high": np.exp(eta + q * se)},
            index=new_df.index,
        )


def fit_counts(
    df: pd.DataFrame,
    count: str,
    time: str,
    *,
    exposure: str | None = None,
    covariates: Sequence[str] = (),
    family: Family = "poisson",
    season: str | None = None,
    harmonics: int = 2,
    period: float = 12,
    hac_lags: int | None = None,
    ci_level: float = 0.95,
    distribution: Distribution = "auto",
) -> CountFit:
    r"""Fit a log-linear count model with a trend, covariates, seasonality and an offset.

    Parameters
    ----------
    df : DataFrame
        One row per time point (or per unit and time point), no missing values.
    count : str
        Column of counts (non-negative whole numbers).
    time : str
        Numeric time column, entering linearly: its rate ratio is per unit of time.
    exposure : str, optional
        Column of positive population (or other exposure), entering as ``log(exposure)``
        with coefficient 1, so the model is one of rates.
    covariates : list of str
        Numeric or boolean columns enter as they are; text or categorical columns as
        indicators of each level but the first (sorted; R's treatment contrasts).
    family : {"poisson", "quasipoisson", "negbin"}, default "poisson"
        R's ``poisson``, ``quasipoisson`` and ``MASS::glm.nb`` (see Notes).
    season : str, optional
        Column with the position in the seasonal cycle (month of year 1-12).
    harmonics : int, default 2
        Number K of sine/cosine pairs of the season (2 for monthly data in Lopez Bernal et
        al.); 0 gives one indicator per season value instead (R's ``factor(month)``).
        Needs ``2 K < period``; ignored without ``season``.
    period : float, default 12
        Length of the seasonal cycle in units of ``season``.
    hac_lags : int, optional
        Newey-West (HAC) standard errors with this many lags: Bartlett weights
        :math:`1 - l / (L + 1)`, no small-sample correction (R: ``sandwich::NeweyWest(fit,
        lag = L, prewhite = FALSE, adjust = FALSE)``). Needs one row per time point.
    ci_level : float, default 0.95
    distribution : {"auto", "normal", "t"}, default "auto"
        Of p-values and Wald intervals. "auto" follows R's ``summary.glm``: t with
        :math:`n - p` degrees of freedom for ``quasipoisson`` (estimated dispersion), else
        normal; normal with ``hac_lags`` (``lmtest::coeftest``). "normal" gives R's
        ``confint.default``, used in Lopez Bernal et al.'s published intervals.

    Returns
    -------
    CountFit

    Raises
    ------
    ValueError
        A missing or non-numeric column or missing values; negative or fractional counts;
        exposure not positive; an option out of range; repeated times with ``hac_lags``; a
        rank-deficient design.

    Notes
    -----
    Maximum likelihood by IRLS (statsmodels GLM); standard errors from the expected
    information, as R's ``summary``. Quasi-Poisson keeps the Poisson estimates and
    multiplies their variances by :math:`\phi = \sum_t (y_t - \hat\mu_t)^2 / \hat\mu_t /
    (n - p)`. The negative binomial (NB2, :math:`\mathrm{Var}\,Y = \mu + \mu^2 / \theta`)
    alternates IRLS at fixed :math:`\theta` with the maximum-likelihood :math:`\theta`
    given the means, as ``MASS::glm.nb``; ``theta_se`` = :math:`I_\theta^{-1/2}`.
    Intervals are :math:`\exp(\hat\beta \pm q\,\mathrm{se})`.

    ``dispersion`` is Pearson's :math:`X^2 / (n - p)` under the chosen family.
    ``overdispersion_test`` regresses :math:`((y - \hat\mu)^2 - y) / \hat\mu` on
    :math:`\hat\mu` without intercept, on the Poisson fit (Cameron & Trivedi 1990): the slope
    estimates :math:`\alpha` in :math:`\mathrm{Var}\,Y = \mu + \alpha\mu^2`, and its t
    statistic is referred to the standard normal, one-sided (R: ``AER::dispersiontest(fit,
    trafo = 2)``).

    References
    ----------
    Cameron, A. C. & Trivedi, P. K. (1990). Regression-based tests for overdispersion in the
    Poisson model. *Journal of Econometrics* 46, 347-364.
    Lopez Bernal, J., Cummins, S. & Gasparrini, A. (2017). Interrupted time series
    regression for the evaluation of public health interventions: a tutorial.
    *International Journal of Epidemiology* 46(1), 348-355.
    Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity
    and autocorrelation consistent covariance matrix. *Econometrica* 55, 703-708.
    Venables, W. N. & Ripley, B. D. (2002). *Modern Applied Statistics with S*, 4th ed.,
    section 7.4.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": range(1, 9), "crimes": [30, 33, 35, 31, 22, 24, 21, 25],
    ...                    "residents": 10_000, "after": [0, 0, 0, 0, 1, 1, 1, 1]})
    >>> res = fit_counts(df, "crimes", "t", exposure="residents", covariates=["after"])
    >>> res.rate_ratios.round(3)
           rate_ratio  ci_low  ci_high  p_value
    t           1.020   0.907    1.148    0.741
    after       0.659   0.383    1.133    0.131
    >>> round(res.dispersion, 3)  # no sign of overdispersion
    0.155
    """
    _check_options(family, distribution, harmonics, period, hac_lags, ci_level)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    for name in [count, time, *covariates, exposure, season]:
        if name is not None:
            _column(df, name)
    order = np.arange(len(df))
    if hac_lags is not None:  # the HAC weights pair rows by their distance in time
        times = _numeric(df, time, "time")
        if len(np.unique(times)) < len(times):
            raise ValueError(f"hac_lags needs one row per time point; {time!r} repeats values")
        order = np.argsort(times, kind="stable")
    data = df.iloc[order]
    y = _counts(data, count)
    categorical = [c for c in covariates if _is_categorical(data[c])]
    categorical += [season] if season is not None and harmonics == 0 else []
    levels = {c: _levels(data, c) for c in categorical}
    terms = _Terms(time, exposure, tuple(covariates), season, harmonics, float(period), levels)
    X, offset = terms.design(data)
    if X.columns.duplicated().any():
        twice = X.columns[X.columns.duplicated()].tolist()
        raise ValueError(f"terms {twice} appear twice in the model; rename the columns")
    if len(y) <= X.shape[1]:
        raise ValueError(f"{len(y)} observations cannot fit {X.shape[1]} coefficients")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise ValueError(
            f"the model's terms {list(X.columns)} are linearly dependent in these data "
            "(a constant covariate, or one collinear with time or the season?)"
        )

    cov = {} if hac_lags is None else {"cov_type": "HAC", "cov_kwds": {"maxlags": hac_lags}}
    model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
    poisson = result = model.fit(tol=_TOL, maxiter=_MAXIT)
    theta = theta_se = None
    if family == "negbin":
        model, result, theta, theta_se = _fit_negbin(y, X, offset, poisson, cov)
    elif family == "quasipoisson":
        result = model.fit(tol=_TOL, maxiter=_MAXIT, scale="X2", **cov)
    elif cov:
        result = model.fit(tol=_TOL, maxiter=_MAXIT, **cov)
    if distribution == "auto":
        distribution = "t" if family == "quasipoisson" and hac_lags is None else "normal"
    df_resid = float(result.df_resid)
    coefficients = _coefficient_table(result, distribution, ci_level, df_resid)
    fitted = np.empty(len(y))
    fitted[order] = np.asarray(result.fittedvalues)
    c = coefficients.drop(index=INTERCEPT)
    rate_ratios = c[["estimate", "ci_low", "ci_high"]].apply(np.exp).assign(p_value=c["p_value"])
    return CountFit(
        family=family,
        coefficients=coefficients,
        rate_ratios=rate_ratios.rename(columns={"estimate": "rate_ratio"}),
        dispersion=float(result.pearson_chi2 / df_resid),
        overdispersion_test=_overdispersion_test(y, np.asarray(poisson.fittedvalues)),
        fitted=pd.Series(fitted, index=df.index, name="fitted"),
        theta=theta,
        theta_se=theta_se,
        distribution=distribution,
        df_resid=df_resid,
        ci_level=ci_level,
        hac_lags=hac_lags,
        model=model,
        result=result,
        terms=terms,
    )


def _fit_negbin(
    y: np.ndarray, X: pd.DataFrame, offset: np.ndarray | None, poisson: Any, cov: dict[str, Any]
) -> tuple[Any, Any, float, float]:
    """NB2 by alternating IRLS at fixed theta and ML theta at fixed means (``glm.nb``)."""
    params, theta = np.asarray(poisson.params), _theta_ml(y, np.asarray(poisson.fittedvalues))
    for _ in range(_MAXIT):
        if not np.isfinite(theta):
            warnings.warn(
                "the counts show no overdispersion: theta is infinite and the negative "
                "binomial model is the Poisson model",
                RuntimeWarning,
                stacklevel=3,
            )
            result = poisson.model.fit(tol=_TOL, maxiter=_MAXIT, **cov) if cov else poisson
            return poisson.model, result, float("inf"), float("nan")
        model = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=1 / theta), offset=offset)
        result = model.fit(start_params=params, tol=_TOL, maxiter=_MAXIT)
        params = np.asarray(result.params)
        previous, theta = theta, _theta_ml(y, np.asarray(result.fittedvalues), theta)
        if abs(theta - previous) <= _THETA_RTOL * previous:
            break
    else:
        warnings.warn("theta did not converge in the negative binomial fit", RuntimeWarning, 3)
    if cov:  # the sandwich's bread from the expected information, as R's sandwich package
        result = model.fit(
            start_params=params, method="newton", optim_hessian="eim", tol=_TOL, **cov
        )
    mu = np.asarray(result.fittedvalues)
    info = np.sum(
        special.polygamma(1, theta)
        - special.polygamma(1, theta + y)
        - 1 / theta
        + 2 / (mu + theta)
        - (y + theta) / (mu + theta) ** 2
    )
    return model, result, float(theta), float(1 / np.sqrt(info))


def _theta_ml(y: np.ndarray, mu: np.ndarray, start: float | None = None) -> float:
    """ML estimate of the NB2 shape theta given the means (``MASS::theta.ml``), or inf.

    The score in theta is solved by Brent's method in log theta. When the score for
    alpha = 1/theta at 0, sum((y - mu)^2 - y) / 2, is not positive, the likelihood rises all
    the way to theta = inf (no overdispersion); inf also when the root lies beyond 1e8.
    """
    if np.sum((y - mu) ** 2 - y) <= 0:
        return float("inf")

    def score(log_theta: float) -> float:
        th = np.exp(log_theta)
        terms = special.digamma(y + th) - special.digamma(th) + np.log(th) + 1
        return float(np.sum(terms - np.log(th + mu) - (y + th) / (th + mu)))

    lo = hi = np.log(start if start is not None else len(y) / np.sum((y / mu - 1) ** 2))
    while score(hi) > 0:
        hi += np.log(10)
        if hi > np.log(1e8):
            return float("inf")
    while score(lo) < 0:
        lo -= np.log(10)
        if lo < np.log(1e-8):
            raise ValueError("the negative binomial shape theta tends to 0; check the counts")
    if lo == hi:
        return float(np.exp(lo))
    return float(np.exp(optimize.brentq(score, lo, hi, xtol=1e-14, rtol=1e-15)))


def _overdispersion_test(y: np.ndarray, mu: np.ndarray) -> dict[str, float]:
    """Cameron-Trivedi auxiliary regression for NB2 (``AER::dispersiontest(trafo = 2)``)."""
    aux = sm.OLS(((y - mu) ** 2 - y) / mu, mu).fit()
    statistic = float(aux.tvalues[0])
    return {
        "statistic": statistic,
        "p_value": float(stats.norm.sf(statistic)),
        "alpha": float(aux.params[0]),
    }


def _quantile(distribution: str, ci_level: float, df_resid: float) -> float:
    p = 0.5 + ci_level / 2
    return float(stats.t.ppf(p, df_resid) if distribution == "t" else stats.norm.ppf(p))


def _coefficient_table(
    result: Any, distribution: str, ci_level: float, df_resid: float
) -> pd.DataFrame:
    estimate, se = pd.Series(result.params), pd.Series(result.bse)
    statistic = estimate / se
    if distribution == "t":
        p_value = 2 * stats.t.sf(np.abs(statistic), df_resid)
    else:
        p_value = 2 * stats.norm.sf(np.abs(statistic))
    q = _quantile(distribution, ci_level, df_resid)
    return pd.DataFrame(
        {
            "estimate": estimate,
            "se": se,
            "statistic": statistic,
            "p_value": p_value,
            "ci_low": estimate - q * se,
            "ci_high": estimate + q * se,
        }
    )


# --- validation ---------------------------------------------------------------------------


def _whole(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_options(
    family: str, distribution: str, harmonics: int, period: float, hac_lags: Any, ci_level: float
) -> None:
    number = (int, float, np.integer, np.floating)
    positive = isinstance(period, number) and not isinstance(period, bool) and period > 0
    checks = [
        ("family", family, f"one of {FAMILIES}", family in FAMILIES),
        ("distribution", distribution, "'auto', 'normal' or 't'", distribution in DISTRIBUTIONS),
        ("period", period, "a positive number", positive),
        ("harmonics", harmonics, "a whole number from 0 to below period / 2",
         positive and _whole(harmonics) and 0 <= harmonics < period / 2),
        ("hac_lags", hac_lags, "None or a whole number >= 0",
         hac_lags is None or (_whole(hac_lags) and hac_lags >= 0)),
        ("ci_level", ci_level, "in (0, 1)",
         isinstance(ci_level, number) and 0 < ci_level < 1),
    ]  # fmt: skip
    for name, value, requirement, ok in checks:
        if not ok:
            raise ValueError(
                f"The {name!r} parameter must be {requirement}. Got {value!r} instead."
            )


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"the data must be a pandas DataFrame. Got {type(df).__name__} instead.")
    if name not in df.columns:
        raise ValueError(f"column {name!r} is not in the data (columns: {list(df.columns)})")
    column = df[name]
    if isinstance(column, pd.DataFrame):
        raise ValueError(f"column {name!r} appears more than once in the data")
    if column.isna().any():
        raise ValueError(f"column {name!r} has missing values in rows {_rows(df, column.isna())}")
    return column


def _rows(df: pd.DataFrame, mask: Any) -> list[Any]:
    """The first few row labels where ``mask`` holds, for error messages."""
    return list(df.index[np.asarray(mask)][:5])


def _numeric(df: pd.DataFrame, name: str, role: str) -> np.ndarray:
    column = _column(df, name)
    if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
        raise ValueError(
            f"{role} column {name!r} must be numeric. Got dtype {column.dtype} instead."
        )
    values = column.to_numpy(dtype=float)
    if np.isinf(values).any():
        raise ValueError(
            f"{role} column {name!r} is infinite in rows {_rows(df, np.isinf(values))}"
        )
    return values


def _counts(df: pd.DataFrame, name: str) -> np.ndarray:
    values = _numeric(df, name, "count")
    bad = (values < 0) | (values != np.floor(values))
    if bad.any():
        raise ValueError(
            f"count column {name!r} must hold non-negative whole numbers; got "
            f"{values[bad][:5].tolist()} in rows {_rows(df, bad)}"
        )
    return values


def _is_categorical(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))


def _levels(df: pd.DataFrame, name: str) -> tuple[Any, ...]:
    """Levels of a categorical term in R's order: the categories, else sorted values."""
    column = _column(df, name)
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column)
        return tuple(c for c in column.cat.categories if c in present)
    try:
        return tuple(sorted(column.unique()))
    except TypeError:
        return tuple(sorted(column.unique(), key=str))
