"""The district parameter file: schema, loading and validation.

A district is described by one YAML file in ``parameters/`` (see
``parameters/tashkent-chilanzar.yaml``). :func:`load` reads it with a safe YAML loader,
checks it against :class:`DistrictParams` and returns the validated object, or raises
:class:`ParameterError` carrying one readable line per problem, each naming the file, the
field and the offending value.

Examples
--------
>>> from sga_methods import params
>>> p = params.load("parameters/tashkent-chilanzar.yaml")  # doctest: +SKIP
>>> p.district.id, p.options.ci_level  # doctest: +SKIP
('tashkent-chilanzar', 0.95)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

if TYPE_CHECKING:
    from .design import SurveyDesign

__all__ = [
    "DataSource",
    "DesignSpec",
    "DistrictInfo",
    "DistrictParams",
    "Options",
    "ParameterError",
    "ReferencePeriod",
    "SyntheticInfo",
    "Weighting",
    "load",
]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_YEAR_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"

_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
SourceKey = Annotated[str, StringConstraints(pattern=_KEY_PATTERN, max_length=64)]
YearMonth = Annotated[str, StringConstraints(pattern=_YEAR_MONTH)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
DATA_FORMATS = ("csv", "parquet", "xlsx", "sav", "dta")


class ParameterError(Exception):
    """A parameter file that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DistrictInfo(_Model):
    """Who and where: the district's identity."""

    id: Slug = Field(description="Safe slug [a-z0-9-], equal to the file name")
    name: Text
    name_local: str | None = None
    city: Text
    country: Text
    population: int | None = Field(None, gt=0, description="Residents (approximate)")
    area_ha: float | None = Field(None, gt=0, description="Area in hectares")


class SyntheticInfo(_Model):
    """Whether the district's data are synthetic; synthetic data are labelled on every page."""

    enabled: bool = False
    seed: int | None = None
    label: str = (
        "SYNTHETIC DEMONSTRATION DATA: generated from a simulated population; not real results."
    )


class ReferencePeriod(_Model):
    """Fieldwork dates, the survey's recall period and the police-records period."""

    fieldwork_start: _dt.date
    fieldwork_end: _dt.date
    victimization_months: Literal[12, 36, 60] = Field(
        12, description="Recall period of the victimization questions, in months"
    )
    police_start: YearMonth | None = None
    police_end: YearMonth | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ReferencePeriod:
        if self.fieldwork_end < self.fieldwork_start:
            raise ValueError(
                f"fieldwork_end ({self.fieldwork_end}) is before fieldwork_start "
                f"({self.fieldwork_start})"
            )
        if (self.police_start is None) != (self.police_end is None):
            raise ValueError("police_start and police_end must be given together")
        if self.police_start and self.police_end and self.police_end < self.police_start:
            raise ValueError(
                f"police_end ({self.police_end}) is before police_start ({self.police_start})"
            )
        return self


class DataSource(_Model):
    """One input file; ``path`` is relative to the parameter file."""

    path: Path
    format: Literal["csv", "parquet", "xlsx", "sav", "dta"] | None = Field(
        None, description="File type; taken from the extension when omitted"
    )
    description: str | None = None

    @property
    def file_format(self) -> str:
        """The declared format, or the one implied by the file name."""
        if self.format:
            return self.format
        suffixes = [s.lower() for s in self.path.suffixes]
        if suffixes[-1:] == [".gz"]:
            suffixes = suffixes[:-1]
        ext = suffixes[-1].lstrip(".") if suffixes else ""
        return ext if ext in DATA_FORMATS else ""


class DesignSpec(_Model):
    """Column names of the survey design (see :class:`sga_methods.design.SurveyDesign`)."""

    weights: str = "weight"
    household_weights: str | None = None
    strata: str | None = None
    psu: str | tuple[str, ...] | None = Field(
        None, description="Cluster column, or one column per sampling stage"
    )
    fpc: str | tuple[str, ...] | None = Field(
        None,
        description="Population counts or sampling fractions/probabilities, one per stage",
    )
    nest: bool = False
    lonely_psu: Literal["fail", "remove", "certainty", "adjust", "average"] = "fail"
    pps: Literal["brewer"] | None = Field(
        None, description="Without-replacement PPS first stage: Brewer's approximation"
    )

    @property
    def stages(self) -> list[str]:
        """The cluster column of each sampling stage, first stage first (may be empty)."""
        return [self.psu] if isinstance(self.psu, str) else list(self.psu or ())

    @model_validator(mode="after")
    def _stages(self) -> DesignSpec:
        n_psu = 1 if isinstance(self.psu, str) else len(self.psu or ())
        n_fpc = 1 if isinstance(self.fpc, str) else len(self.fpc or ())
        if self.fpc is not None and n_fpc != n_psu:
            raise ValueError(f"give one fpc column per psu stage ({n_psu}), got {n_fpc}")
        if self.pps is not None and self.fpc is None:
            raise ValueError("pps needs fpc: the first-stage inclusion probabilities")
        return self


class Weighting(_Model):
    """How the design weights are adjusted to population targets.

    ``method: none`` keeps the design weights (with their nonresponse adjustment);
    ``rake`` rakes them to the margins of ``variables`` (persons) and
    ``household_variables`` (households) taken from the ``targets`` data source (see
    :mod:`sga_methods.targets`); ``calibrate`` calibrates with the distance function
    ``calibration`` within ``bounds``. Variances account for the weighting.
    """

    method: Literal["none", "rake", "calibrate"] = "none"
    targets: str | None = Field(None, description="Key of `data` holding population targets")
    variables: tuple[str, ...] = ("sex", "age_group", "stratum")
    household_variables: tuple[str, ...] = ()
    person_unit: str = Field("persons_15plus", description="`unit` of person targets")
    household_unit: str = Field("households", description="`unit` of household targets")
    calibration: Literal["linear", "raking", "logit"] = "linear"
    bounds: tuple[float, float] | None = Field(
        None, description="Bounds (L < 1 < U) on the weight adjustment factors"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Weighting:
        if self.method != "none" and not self.targets:
            raise ValueError(f"method {self.method!r} needs 'targets' (a data source key)")
        if self.bounds is not None and not (0 <= self.bounds[0] < 1 < self.bounds[1]):
            raise ValueError(f"bounds must satisfy 0 <= L < 1 < U. Got {list(self.bounds)}")
        return self


class Options(_Model):
    """Methodological options: every statistical choice a methodologist could change."""

    ci_level: float = Field(0.95, gt=0, lt=1, description="Confidence level of intervals")
    series_cap: int | str | None = Field(
        None, description="Cap on incidents per respondent: null, an integer, or 'p98'"
    )
    ci_method: Literal["logit", "beta", "wilson", "wald"] = Field(
        "logit", description="Interval for percentages: logit, beta (Korn-Graubard), wilson, wald"
    )
    min_n: int = Field(30, ge=1, description="Suppress estimates with fewer unweighted cases")
    flag_cv: float = Field(0.30, gt=0, description="Flag estimates with a CV above this")
    suppress_cv: float = Field(0.50, gt=0, description="Suppress estimates with a CV above this")
    disclosure_rule: Literal["cv", "nchs"] = Field(
        "cv",
        description="cv: minimum n and CV thresholds; nchs: NCHS standard for proportions "
        "(effective n and Korn-Graubard interval width), CV rule for other estimates",
    )

    @field_validator("series_cap")
    @classmethod
    def _valid_cap(cls, v: int | str | None) -> int | str | None:
        if (isinstance(v, int) and v < 1) or (isinstance(v, str) and v != "p98"):
            raise ValueError("must be null, a positive integer or 'p98'")
        return v

    @model_validator(mode="after")
    def _cv_order(self) -> Options:
        if self.suppress_cv < self.flag_cv:
            raise ValueError(
                f"suppress_cv ({self.suppress_cv}) must not be below flag_cv ({self.flag_cv})"
            )
        if self.disclosure_rule == "nchs" and self.ci_method != "beta":
            raise ValueError(
                "disclosure_rule 'nchs' judges Korn-Graubard intervals: set ci_method: beta "
                f"(got ci_method: {self.ci_method})"
            )
        return self


class Intervention(_Model):
    """A crime-prevention measure whose effect module 07 estimates (interrupted time series)."""

    name: Text = Field(description="Short name shown in reports, e.g. 'Safe City CCTV'")
    start: YearMonth = Field(description="First month with the measure in force (YYYY-MM)")
    iccs: tuple[Annotated[str, StringConstraints(pattern=r"^\d{2,5}$")], ...] = Field(
        (), description="ICCS codes the measure targets (empty: all recorded crime)"
    )
    description: str = Field("", description="One or two sentences for readers")


class PriorityWeights(_Model):
    """Weights of severity and prevalence in the synthesis' priority score."""

    severity: float = Field(0.5, ge=0, le=1, description="Weight of the severity rating")
    prevalence: float = Field(0.5, ge=0, le=1, description="Weight of the scaled prevalence")

    @model_validator(mode="after")
    def _sum_to_one(self) -> PriorityWeights:
        if abs(self.severity + self.prevalence - 1) > 1e-9:
            raise ValueError(
                f"severity ({self.severity}) and prevalence ({self.prevalence}) must sum to 1"
            )
        return self


class Synthesis(_Model):
    """Inputs of module 09: previous wave, priority weights, severity and recommendations."""

    previous_wave: str | None = Field(
        None,
        description="Folder of a previous wave's results (results/*.json), relative to this "
        "file; its headline indicators are compared with this wave's",
    )
    previous_wave_label: str = Field("previous wave", description="How reports name it")
    priority_weights: PriorityWeights = PriorityWeights()
    severity: dict[SourceKey, Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=dict,
        description="Severity rating (1-5) of headline indicators, by indicator id",
    )
    recommendations: dict[SourceKey, Text] = Field(
        default_factory=dict,
        description="Recommendation text for headline indicators, by indicator id",
    )


class DistrictParams(_Model):
    """A validated district parameter file."""

    district: DistrictInfo
    synthetic: SyntheticInfo = SyntheticInfo()
    reference_period: ReferencePeriod
    data: dict[SourceKey, DataSource]
    design: DesignSpec = DesignSpec()
    weighting: Weighting = Weighting()
    options: Options = Options()
    interventions: tuple[Intervention, ...] = ()
    synthesis: Synthesis = Synthesis()
    modules: Literal["all"] | tuple[str, ...] = "all"

    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _interventions_in_police_period(self) -> DistrictParams:
        rp = self.reference_period
        for i, item in enumerate(self.interventions):
            if (
                rp.police_start
                and rp.police_end
                and not rp.police_start < item.start <= rp.police_end
            ):
                raise ValueError(
                    f"interventions[{i}].start ({item.start}) must fall after the first month "
                    f"and within the police-records period {rp.police_start} to {rp.police_end}"
                )
        return self

    @property
    def source(self) -> Path:
        """Absolute path of the parameter file this was read from."""
        if self._source is None:
            raise RuntimeError("these parameters were not read from a file")
        return self._source

    def data_path(self, key: str) -> Path:
        """Absolute path of the data source ``key``, resolved against the parameter file."""
        if key not in self.data:
            raise KeyError(
                f"{self.source}: field 'data' has no source '{key}' "
                f"(sources: {', '.join(sorted(self.data))})"
            )
        path = self.data[key].path
        return path if path.is_absolute() else (self.source.parent / path).resolve()

    def previous_wave_dir(self) -> Path | None:
        """The previous wave's results folder, resolved against the parameter file (or None)."""
        folder = self.synthesis.previous_wave
        if folder is None:
            return None
        path = Path(folder)
        return path if path.is_absolute() else (self.source.parent / path).resolve()

    def input_files(self) -> dict[str, Path]:
        """Every data source's absolute path, by key."""
        return {key: self.data_path(key) for key in sorted(self.data)}

    def module_names(self, registry: Iterable[str]) -> list[str]:
        """The modules to run, in registry order."""
        names = list(registry)
        return names if self.modules == "all" else [m for m in names if m in self.modules]

    def survey_design(
        self, data: Any, *, unit: Literal["person", "household"] = "person"
    ) -> SurveyDesign:
        """The survey design of ``data`` as the parameters describe it.

        ``unit="household"`` uses ``design.household_weights`` (household crimes);
        ``"person"`` uses ``design.weights``. When ``weighting.method`` is not "none", the
        weights are raked or calibrated to the targets (see :mod:`sga_methods.targets`).
        """
        from .design import SurveyDesign

        spec = self.design
        if unit == "household" and spec.household_weights is None:
            raise ValueError(
                f"{self.source}: field 'design.household_weights' is not set, so household "
                "estimates cannot be weighted"
            )
        weights = spec.household_weights if unit == "household" else spec.weights
        design = SurveyDesign(
            data,
            weights=weights,
            strata=spec.strata,
            psu=spec.psu,
            fpc=spec.fpc,
            nest=spec.nest,
            lonely_psu=spec.lonely_psu,
            pps=spec.pps,
        )
        if self.weighting.method == "none" or self.weighting.targets is None:
            return design
        from . import targets
        from .data import read_source

        key = self.weighting.targets
        table = read_source(self, key)
        return targets.apply(design, self.weighting, table, unit, source=str(self.data_path(key)))

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form of the parameters (a provenance key)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys instead of silently keeping the last."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (line {line})", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in {"int", "str", "literal['p98']", "literal['all']", "function-after[]"}:
            continue
        elif str(item).startswith(("function-", "literal[", "tuple[", "constrained-")):
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _describe(err: ErrorDetails) -> str:
    kind = err["type"]
    value = err.get("input")
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    pattern = err.get("ctx", {}).get("pattern")
    if kind == "string_pattern_mismatch" and pattern == SLUG_PATTERN:
        return f"must be a safe slug of a-z, 0-9 and '-'. Got {value!r} instead"
    if kind == "string_pattern_mismatch" and pattern == _KEY_PATTERN:
        return f"must be a name of a-z, 0-9 and '_'. Got {value!r} instead"
    if kind == "string_pattern_mismatch" and pattern == _YEAR_MONTH:
        return f"must have the form YYYY-MM. Got {value!r} instead"
    if isinstance(value, dict | list):
        return msg
    return f"{msg}. Got {value!r} instead"


def _format_errors(path: Path, exc: ValidationError) -> list[str]:
    lines: dict[str, str] = {}
    for err in exc.errors():
        where = _location(err["loc"])
        # A union reports one error per branch; keep the first for each field.
        lines.setdefault(where, f"{path}: field '{where}': {_describe(err)}")
    return list(lines.values())


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError([f"{path}: parameter file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ParameterError(
            [f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from None
    except OSError as exc:
        raise ParameterError([f"{path}: cannot be read ({exc.strerror})"]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParameterError([f"{path}: invalid YAML{where}: {problem}"]) from None


def _check_files(path: Path, params: DistrictParams) -> list[str]:
    problems = []
    for key, source in params.data.items():
        target = params.data_path(key)
        if not target.is_file():
            problems.append(
                f"{path}: field 'data.{key}.path': file not found. Got '{source.path}' "
                f"(resolved to {target}) instead"
            )
        elif not source.file_format:
            problems.append(
                f"{path}: field 'data.{key}.path': cannot tell the file type of "
                f"'{source.path}'; give 'format' as one of {', '.join(DATA_FORMATS)}"
            )
    return problems


def load(
    path: str | Path, *, known_modules: Iterable[str] | None = None, check_files: bool = True
) -> DistrictParams:
    """Read and validate a district parameter file.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    known_modules : iterable of str, optional
        Module names that ``modules`` may list (the pipeline passes its registry).
    check_files : bool, default True
        Also check that every data source exists and has a known file type.

    Returns
    -------
    DistrictParams
        The validated parameters; ``.source`` is the absolute path of the file.

    Raises
    ------
    ParameterError
        With one line per problem, each naming the file, the field and the value.
    """
    path = Path(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ParameterError(
            [f"{path}: expected a mapping of fields at the top level, got {type(raw).__name__}"]
        )
    try:
        params = DistrictParams.model_validate(raw)
    except ValidationError as exc:
        raise ParameterError(_format_errors(path, exc)) from None
    params._source = path.resolve()

    problems = []
    stem = path.name.removesuffix(".yaml").removesuffix(".yml")
    if params.district.id != stem:
        problems.append(
            f"{path}: field 'district.id': must equal the file name '{stem}'. "
            f"Got {params.district.id!r} instead"
        )
    if known_modules is not None and params.modules != "all":
        known = list(known_modules)
        for name in params.modules:
            if name not in known:
                problems.append(
                    f"{path}: field 'modules': unknown module {name!r} (known: {', '.join(known)})"
                )
    if params.weighting.targets and params.weighting.targets not in params.data:
        problems.append(
            f"{path}: field 'weighting.targets': no data source named "
            f"{params.weighting.targets!r} (sources: {', '.join(sorted(params.data))})"
        )
    if check_files:
        problems += _check_files(path, params)
    if problems:
        raise ParameterError(problems)
    return params


def is_slug(text: str) -> bool:
    """Whether ``text`` is a safe district id (lower-case letters, digits and '-')."""
    return re.fullmatch(SLUG_PATTERN, text) is not None
