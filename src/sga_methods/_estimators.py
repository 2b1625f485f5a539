"""The public estimator front-end shared by SurveyDesign and ReplicateDesign.

:class:`_Estimators` holds ``mean``, ``total``, ``ratio`` and ``proportion``: their
signatures, docstrings and option checks, and the loop over variables and levels. A design
class supplies the variance through two hooks: :meth:`_Estimators._estimate_one` (one
variable of ``mean``/``total``/``ratio``) and :meth:`_Estimators._proportion_frames`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ._design_input import SurveyDesignError, _check_choice, _names
from .intervals import CI_METHODS

__all__ = ["CI_DF_CHOICES"]

CI_DF_CHOICES: tuple[str, ...] = ("design", "normal")
_Floats = NDArray[np.float64]
_Codes = NDArray[np.int64]
_By = str | Sequence[str] | None


def _check_options(owner: str, ci_level: Any, ci_df: Any) -> None:
    number = isinstance(ci_level, float | int) and not isinstance(ci_level, bool)
    if not number or not 0.0 < float(ci_level) < 1.0:
        raise SurveyDesignError(
            f"The 'ci_level' parameter of {owner} must be a float in (0, 1). "
            f"Got {ci_level!r} instead."
        )
    _check_choice(owner, "ci_df", ci_df, CI_DF_CHOICES)


class _Estimators:
    """Mixin: the estimators of a design; ``_OWNER`` names the class in error messages."""

    _OWNER: ClassVar[str]
    _data: pd.DataFrame

    if TYPE_CHECKING:

        def _column(self, owner: str, role: str, name: str) -> pd.Series: ...

        def _float_values(self, owner: str, role: str, name: str) -> _Floats: ...

        def _domains(self, owner: str, by: _By) -> Any: ...

    def _estimate_one(
        self, dom: Any, y: _Floats, x: _Floats | None, codes: _Codes, opts: dict[str, Any]
    ) -> pd.DataFrame:
        """Result frame of one variable: a total (``x`` None) or a ratio to ``x``."""
        raise NotImplementedError

    def _proportion_frames(
        self, col: pd.Series, levels: list[Any], codes: _Codes, dom: Any, opts: dict[str, Any]
    ) -> list[pd.DataFrame]:
        """Result frame of each level (without the ``level`` column), in ``levels`` order."""
        raise NotImplementedError

    def _mask(self, mask: ArrayLike | pd.Series) -> NDArray[np.bool_]:
        """The checked ``mask`` of :meth:`subset`, as a boolean array aligned on the data."""
        if isinstance(mask, pd.Series) and not mask.index.equals(self._data.index):
            mask = mask.reindex(self._data.index)
        m = mask if isinstance(mask, pd.Series) else pd.Series(np.asarray(mask))
        if len(m) != len(self._data) or not pd.api.types.is_bool_dtype(m) or m.isna().any():
            raise SurveyDesignError(
                f"The 'mask' parameter of {self._OWNER}.subset must be a boolean array or "
                f"Series of length {len(self._data)} without missing values. Got length {len(m)} "
                f"and dtype {m.dtype} instead."
            )
        return m.to_numpy(dtype=bool)

    def _analysed(self, owner: str, name: str, codes: _Codes) -> tuple[_Floats, _Codes]:
        y = self._float_values(owner, "analysed", name)
        return np.nan_to_num(y), np.where(np.isnan(y), -1, codes)

    def _estimate(
        self, kind: str, variables: Any, denominator: str | None, by: _By, opts: dict[str, Any]
    ) -> pd.DataFrame:
        """Shared body of mean (a ratio to ones), total and ratio."""
        owner = f"{self._OWNER}.{kind}"
        _check_options(owner, opts["ci_level"], opts["ci_df"])
        names = _names(owner, "numerator" if kind == "ratio" else "variables", variables)
        dom = self._domains(owner, by)
        x, x_codes = None, dom.codes
        if kind == "ratio":
            x, x_codes = self._analysed(
                owner, _names(owner, "denominator", denominator)[0], dom.codes
            )
        elif kind == "mean":
            x = np.ones(len(self._data))
        frames = []
        for name in names:
            y, codes = self._analysed(owner, name, x_codes)
            frames.append(self._estimate_one(dom, y, x, codes, opts))
            if not isinstance(variables, str):
                frames[-1].insert(0, "variable", name)
        return pd.concat(frames, ignore_index=True)

    # ---------------------------------------------------------------- estimators
    def mean(
        self,
        variables: str | Sequence[str],
        *,
        by: _By = None,
        ci_level: float = 0.95,
        ci_df: str = "design",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Weighted (Hajek) mean of one or several numeric columns, overall or by domain.

        Parameters
        ----------
        variables : str or list of str
            Numeric or boolean column(s); a list adds a ``variable`` column (one row each).
        by : str or list of str, optional
            Domain columns: one row per level (combination) with positive weight; rows with
            a missing ``by`` value belong to no domain.
        ci_level : float, default 0.95
            Confidence level in (0, 1).
        ci_df : {"design", "normal"}, default "design"
            Student *t* with each domain's design degrees of freedom (R's ``confint(x, df =
            degf(subset(design, domain)))``; for a replicate design the rank of the domain's
            replicate weights minus one), or normal (R's ``confint(x)``).
        deff : bool, default False
            Add ``deff``, the design effect of R's ``svymean(..., deff = TRUE)``: the
            variance over the SRS variance.

        Returns
        -------
        pandas.DataFrame
            ``[variable], [by columns], estimate, se, ci_low, ci_high, n, cv, [deff]``.

        Raises
        ------
        SurveyDesignError
            Unknown or non-numeric columns, ``ci_level`` outside (0, 1), unknown ``ci_df``.

        Notes
        -----
        ``ybar_d = sum_i w_i d_i y_i / W_d``, ``W_d = sum_i w_i d_i`` (``d_i = 1`` for rows
        of the domain with ``y_i`` observed). A :class:`~sga_methods.design.SurveyDesign`
        linearizes it as ``z_i = w_i d_i (y_i - ybar_d) / W_d`` for
        :func:`~sga_methods.variance.taylor_variance`; a
        :class:`~sga_methods.replicate.ReplicateDesign` computes ``ybar_r`` with the weights
        ``w_ri`` of each replicate ``r`` and combines them by its replicate variance formula.
        ``deff = V / V_srs`` with :func:`~sga_methods.variance.srs_variance` (SRS without
        replacement, as R). Missing values: the complete cases form a domain (R's
        ``na.rm = TRUE``). Examples are in the class docstring.
        """
        opts = {"ci_level": ci_level, "ci_df": ci_df, "deff": deff}
        return self._estimate("mean", variables, None, by, opts)

    def total(
        self,
        variables: str | Sequence[str],
        *,
        by: _By = None,
        ci_level: float = 0.95,
        ci_df: str = "design",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Horvitz-Thompson (weighted) total; parameters, result and errors as :meth:`mean`.

        Notes
        -----
        ``Y_d = sum_i w_i d_i y_i`` with scores ``z_i = w_i d_i y_i`` (per replicate for a
        replicate design); the design effect is that of R's ``svytotal(..., deff = TRUE)``.
        For a total (a linear statistic) the jackknife (JK1, JKn) and BRR/Fay variances
        equal the Taylor variance (with-replacement, or with the fpc for the jackknife).
        Examples are in the class docstring.
        """
        opts = {"ci_level": ci_level, "ci_df": ci_df, "deff": deff}
        return self._estimate("total", variables, None, by, opts)

    def ratio(
        self,
        numerator: str | Sequence[str],
        denominator: str,
        *,
        by: _By = None,
        ci_level: float = 0.95,
        ci_df: str = "design",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Ratio of two totals ``R_d = Y_d / X_d``, as R's ``svyratio``.

        Parameters
        ----------
        numerator : str or list of str
            Numerator column(s); a list adds a ``variable`` column.
        denominator : str
            Denominator column.
        by, ci_level, ci_df, deff
            As in :meth:`mean`.

        Returns
        -------
        pandas.DataFrame
            As :meth:`mean`; rows missing either value are dropped (R's ``na.rm = TRUE``).

        Raises
        ------
        SurveyDesignError
            As :meth:`mean`.

        Notes
        -----
        Taylor scores ``z_i = w_i d_i (y_i - R_d x_i) / X_d``; a replicate design uses the
        replicate variance of ``Y_r / X_r``. The mean is the ratio to ones. ``deff`` is the
        variance of the ratio over the SRS variance of its linearization ``(y - R x) / X``
        (R's ``svyratio`` on a replicate design stops with an error when asked for
        ``deff``). Examples are in the class docstring.
        """
        opts = {"ci_level": ci_level, "ci_df": ci_df, "deff": deff}
        return self._estimate("ratio", numerator, denominator, by, opts)

    def proportion(
        self,
        variable: str,
        *,
        by: _By = None,
        ci_method: str = "logit",
        ci_level: float = 0.95,
        ci_df: str = "design",
        deff: bool = False,
    ) -> pd.DataFrame:
        """Proportion in each category of a column, with a CI suited to complex samples.

        Parameters
        ----------
        variable : str
            Column whose distinct non-missing values are the ``level`` s.
        by : str or list of str, optional
            Domain columns, as in :meth:`mean`.
        ci_method : {"logit", "wald", "beta", "wilson"}, default "logit"
            See :func:`sga_methods.intervals.proportion_interval` (R's ``svyciprop`` methods
            ``"logit"``, ``"mean"``, ``"beta"``; Wilson with the effective sample size) and
            Notes.
        ci_level, ci_df, deff
            As in :meth:`mean`; ``ci_df="design"`` is ``svyciprop``'s ``df = degf(design)``.

        Returns
        -------
        pandas.DataFrame
            ``[by columns], level, estimate, se, ci_low, ci_high, n, cv, [deff]``: one row per
            domain and level; ``n`` counts the rows with the variable observed.

        Raises
        ------
        SurveyDesignError
            Unknown column, unknown ``ci_method`` or ``ci_df``, ``ci_level`` outside (0, 1).

        Notes
        -----
        The proportion of level ``k`` is the mean of ``1{x_i = k}`` over rows with ``x``
        observed: estimate, SE and deff equal :meth:`mean` of the indicator (R's
        ``svymean(~factor)``). On a replicate design the ``"logit"`` interval is
        ``expit(logit(p) -/+ t se_L)`` with ``se_L`` the replicate standard error of
        ``logit(p_r)``, as R's ``svyciprop(method = "logit")``, whose ``svyglm`` fits the
        logit model in every replicate (a Taylor design uses the delta method,
        ``se / (p (1 - p))``, instead); the other intervals use the replicate SE of ``p``.
        Examples are in the class docstring.
        """
        owner = f"{self._OWNER}.proportion"
        opts = {"ci_level": ci_level, "ci_df": ci_df, "deff": deff, "ci_method": ci_method}
        _check_options(owner, ci_level, ci_df)
        _check_choice(owner, "ci_method", ci_method, CI_METHODS)
        col = self._column(owner, "analysed", _names(owner, "variable", variable)[0])
        dom = self._domains(owner, by)
        observed = col.notna().to_numpy()
        codes = np.where(observed, dom.codes, -1)
        levels = sorted(pd.unique(col[observed]))
        frames = self._proportion_frames(col, levels, codes, dom, opts)
        for frame, level in zip(frames, levels, strict=True):
            frame.insert(dom.keys.shape[1], "level", level)
        out = pd.concat(frames, ignore_index=True)
        order = np.argsort(np.tile(np.arange(dom.count), len(levels)), kind="stable")
        return out.iloc[order].reset_index(drop=True)
