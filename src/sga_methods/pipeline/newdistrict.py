"""``sga new-district``: write the parameter file of a new district (optionally with data).

The new file is made from the demo parameter file ``parameters/tashkent-chilanzar.yaml``
(the *template*): its comments and its methodological sections (reference period,
design, weighting, options, synthesis) are kept, and the sections that describe one
district (``district``, ``synthetic``, ``data``) are written afresh.

Two kinds of district:

* **synthetic** (``synthetic=True``): a whole synthetic district is generated with
  :mod:`sga_methods.synthetic` from the demo's configuration, with the new district id, a
  respondent-id prefix of its own (:func:`respondent_prefix`) and its own seed
  (:func:`default_seed` unless given), and written to ``<data_dir>/<id>/``. The parameter
  file points at those files, sets ``synthetic.enabled: true`` and labels every report as
  synthetic. It is ready to run.
* **real** (the default): the data paths are placeholders under ``data/<id>/`` next to
  the parameters folder (``<parameters_dir>/../data/<id>/``), where the user must put the
  district's files; until then only the schema is valid (``params.load(path,
  check_files=False)``). The illustrative interventions, severity ratings and
  recommendations of the demo are not copied.

Nothing is overwritten without ``force=True``; the parameter file is written atomically
(temporary file + :func:`os.replace`) and the data folder is staged in a temporary folder
and renamed into place (:func:`sga_methods.synthetic.write`).

Examples
--------
>>> respondent_prefix("nukus-markaz")
'NMAHAA'
>>> default_seed("nukus-markaz")
1314738818
>>> default_name("tashkent-yunusabad", "Tashkent")
'Yunusabad'
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import yaml

from .. import synthetic as _synthetic
from ..params import DistrictParams, is_slug

__all__ = [
    "DEMO_DISTRICT",
    "TEMPLATE",
    "default_name",
    "default_seed",
    "new_district",
    "respondent_prefix",
]

#: Id of the demo district whose parameter file is the template.
DEMO_DISTRICT = "tashkent-chilanzar"

#: The demo parameter file in the source tree (used when the parameters folder lacks it).
TEMPLATE = Path(__file__).resolve().parents[3] / "parameters" / f"{DEMO_DISTRICT}.yaml"

_TOP_KEY = re.compile(r"^([a-z_]+):")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _digest(district_id: str) -> bytes:
    return hashlib.sha256(f"sga-new-district:{district_id}".encode()).digest()


def default_seed(district_id: str) -> int:
    """Seed of a synthetic district when none is given: a stable hash of its id.

    The first four bytes (big-endian) of ``SHA-256("sga-new-district:" + district_id)``,
    an integer in ``[0, 2**32)``: the same id always gets the same data, on every machine
    and Python version (unlike the salted built-in :func:`hash`).
    """
    return int.from_bytes(_digest(district_id)[:4], "big")


def respondent_prefix(district_id: str) -> str:
    """Prefix of the synthetic respondent and household ids of a district (upper case).

    Three readable letters (the initial of each word of the id, then the following
    letters of the last word, e.g. ``nukus-markaz`` -> ``NMA``; fewer when the id has
    fewer letters) completed to six letters from the SHA-256 hash of the id, so two
    districts with the same initials still get different prefixes (with probability
    1 - 1/26**3 or better), and no prefix equals the demo's ``CHZ`` (three letters).
    """
    words = [re.sub(r"[^a-z]", "", w) for w in district_id.lower().split("-")]
    words = [w for w in words if w] or ["d"]
    readable = "".join(w[0] for w in words) + words[-1][1:]
    digest = int.from_bytes(_digest(district_id)[4:12], "big")
    prefix = readable[:3].upper()
    while len(prefix) < 6:
        digest, k = divmod(digest, 26)
        prefix += _LETTERS[k]
    return prefix


def default_name(district_id: str, city: str) -> str:
    """Display name derived from the id: the city's slug prefix dropped, words capitalised.

    ``tashkent-yunusabad`` in Tashkent -> ``Yunusabad``; ``nukus`` -> ``Nukus``.
    """
    city_slug = re.sub(r"[^a-z0-9]+", "-", city.lower()).strip("-")
    rest = district_id.removeprefix(f"{city_slug}-") if city_slug else district_id
    return " ".join(w.capitalize() for w in rest.split("-"))


def _scalar(value: str | int | float) -> str:
    """A YAML scalar for ``value`` (quoted only when needed), on one line."""
    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=10**6)
    return dumped.removeprefix("k: ").rstrip("\n").removesuffix("\n...")


def _blocks(text: str) -> tuple[str, dict[str, str]]:
    """Split a parameter file into its header comment and its top-level sections."""
    lines = text.splitlines(keepends=True)
    header: list[str] = []
    blocks: dict[str, list[str]] = {}
    current: list[str] = header
    for line in lines:
        match = _TOP_KEY.match(line)
        if match:
            current = blocks.setdefault(match.group(1), [])
        current.append(line)
    return "".join(header), {k: "".join(v) for k, v in blocks.items()}


def _check_text(label: str, value: str) -> str:
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not text or "\n" in text or "\r" in text:
        raise ValueError(
            f"The {label!r} argument of new_district must be a non-empty single line of "
            f"text. Got {value!r} instead."
        )
    return text


def _relative(target: Path, start: Path) -> str:
    """``target`` relative to the folder ``start`` (both resolved), with '/' separators."""
    try:
        return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return target.resolve().as_posix()


def _template_text(parameters_dir: Path) -> str:
    for path in (TEMPLATE, parameters_dir / f"{DEMO_DISTRICT}.yaml"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(
        f"The template parameter file {TEMPLATE} was not found (nor in {parameters_dir}); "
        "new_district copies its comments and methodological sections"
    )


def _district_block(fields: dict[str, Any], synthetic_data: bool) -> str:
    lines = ["district:"]
    lines += [f"  {key}: {_scalar(value)}" for key, value in fields.items()]
    if not synthetic_data:
        lines += [
            "  # name_local: ...           # name in the local language (optional)",
            "  # population: 0             # residents, approximately (optional)",
            "  # area_ha: 0                # area in hectares (optional)",
        ]
    return "\n".join(lines) + "\n\n"


def _synthetic_block(enabled: bool, seed: int | None, label: str | None) -> str:
    if not enabled:
        return "synthetic:\n  enabled: false\n\n"
    body = textwrap.fill(
        str(label),
        width=88,
        initial_indent="    ",
        subsequent_indent="    ",
        break_long_words=False,  # a folded scalar joins lines with a space
        break_on_hyphens=False,
    )
    return f"synthetic:\n  enabled: true\n  seed: {seed}\n  label: >-\n{body}\n\n"


def _data_block(template: dict[str, Any], paths: dict[str, str], note: str) -> str:
    lines = ["data:", *note.splitlines()]
    for key, source in template["data"].items():
        lines.append(f"  {key}:")
        lines.append(f"    path: {_scalar(paths[key])}")
        if source.get("description"):
            lines.append(f"    description: {_scalar(source['description'])}")
    return "\n".join(lines) + "\n\n"


_REAL_INTERVENTIONS = """\
interventions: []               # measures whose effect module 07 estimates, e.g.
#  - name: Safe City CCTV
#    start: 2021-07              # first month in force (inside the police-records period)
#    iccs: ["0401", "0501", "0502"]
#    description: >-
#      One or two sentences for readers.

"""

_REAL_SYNTHESIS = """\
synthesis:                      # module 09: scorecard, comparisons and priorities
  previous_wave: null           # folder of a previous wave's results/*.json, if any
  previous_wave_label: previous wave
  priority_weights:             # priority = severity weight x severity (1-5, scaled)
    severity: 0.5               #          + prevalence weight x prevalence (scaled)
    prevalence: 0.5
  # Severity of each headline problem, 1 (minor) ... 5 (grave), by indicator id (the ids
  # of sga_methods.synthesis.HEADLINES), set with the district's stakeholders, e.g.
  # sdg_16_1_3: 4
  severity: {}
  # Recommendation text by indicator id, shown in the report in order of priority.
  recommendations: {}

"""


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_district(
    district_id: str,
    *,
    city: str,
    name: str | None = None,
    country: str | None = None,
    synthetic: bool = False,
    seed: int | None = None,
    parameters_dir: str | os.PathLike[str] = Path("parameters"),
    data_dir: str | os.PathLike[str] = Path("data/synthetic"),
    force: bool = False,
) -> Path:
    """Write ``<parameters_dir>/<district_id>.yaml`` for a new district.

    Parameters
    ----------
    district_id : str
        Safe slug (lower-case letters, digits and single '-'), the file name and the
        ``district.id``.
    city : str
        City of the district.
    name : str, optional
        Display name; :func:`default_name` of the id when omitted.
    country : str, optional
        Country; the template's (Uzbekistan) when omitted.
    synthetic : bool, default False
        Generate a synthetic district into ``<data_dir>/<district_id>/`` and point the
        file at it. Otherwise the data paths are placeholders under
        ``<parameters_dir>/../data/<district_id>/`` where the user must put the files.
    seed : int, optional
        Root seed of the synthetic data; :func:`default_seed` of the id when omitted.
        Only with ``synthetic=True``.
    parameters_dir : path-like, default "parameters"
        Folder of the parameter files (created if needed).
    data_dir : path-like, default "data/synthetic"
        Parent folder of the synthetic data.
    force : bool, default False
        Replace an existing parameter file and synthetic data folder.

    Returns
    -------
    pathlib.Path
        The parameter file written. With ``synthetic=True`` it passes
        ``params.load(path)``; otherwise ``params.load(path, check_files=False)``.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it and the value).
    FileExistsError
        If the parameter file or the data folder exists and ``force`` is False (the
        message names it); nothing is written then.
    """
    if not isinstance(district_id, str) or not is_slug(district_id) or len(district_id) > 64:
        raise ValueError(
            "The 'district_id' argument of new_district must be a safe slug of lower-case "
            f"letters, digits and single '-' (at most 64 characters). Got {district_id!r} "
            "instead."
        )
    if seed is not None and not synthetic:
        raise ValueError(
            f"The 'seed' argument of new_district needs synthetic=True. Got seed={seed!r}."
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(
            f"The 'seed' argument of new_district must be a non-negative int. Got {seed!r}."
        )
    city = _check_text("city", city)
    name = _check_text("name", name) if name is not None else default_name(district_id, city)
    parameters_dir, data_dir = Path(parameters_dir), Path(data_dir)
    template_text = _template_text(parameters_dir)
    template = yaml.safe_load(template_text)
    country = (
        _check_text("country", country)
        if country is not None
        else str(template["district"]["country"])
    )

    target = parameters_dir / f"{district_id}.yaml"
    data_folder = data_dir / district_id
    existing = [target] + ([data_folder] if synthetic else [])
    for path in existing:
        if path.exists() and not force:
            raise FileExistsError(
                f"{path} already exists; new_district does not overwrite it (use force=True, "
                "or --force on the command line)"
            )

    fields: dict[str, Any] = {"id": district_id, "name": name, "city": city, "country": country}
    config: _synthetic.SyntheticConfig | None = None
    if synthetic:
        config = dataclasses.replace(
            _synthetic.SyntheticConfig(),
            district=district_id,
            id_prefix=respondent_prefix(district_id),
            seed=default_seed(district_id) if seed is None else seed,
        )
        fields |= {"population": config.residents, "area_ha": config.area_ha}
        # The template's sources point at the demo's synthetic files: same file names.
        paths = {
            key: _relative(data_folder / Path(source["path"]).name, parameters_dir)
            for key, source in template["data"].items()
        }
        label = (
            f"SYNTHETIC DEMONSTRATION DATA. Every figure in this report comes from a "
            f"simulated population and sample (seed {config.seed}); none describes the real "
            f"{name} district of {city}."
        )
        header = (
            f"# Urban Safety Governance Assessment: district parameters.\n"
            f"# Written by `sga new-district --synthetic`. ALL DATA BELOW ARE SYNTHETIC: "
            f"generated by\n# sga_methods.synthetic from seed {config.seed} for demonstration "
            f"and testing. They are not\n# survey results for {name}. Paths are relative to "
            f"this file.\n\n"
        )
        note = "  # Synthetic files written by sga new-district (sga_methods.synthetic)."
    else:
        real = parameters_dir.parent / "data" / district_id
        paths = {
            key: _relative(real / Path(source["path"]).name.removesuffix(".gz"), parameters_dir)
            for key, source in template["data"].items()
        }
        label = None
        header = (
            "# Urban Safety Governance Assessment: district parameters.\n"
            "# Written by `sga new-district`. TO COMPLETE before a run: put the district's\n"
            f"# files at the data paths below (folder {_relative(real, parameters_dir)}/), "
            "set the reference\n# period to the survey's fieldwork and check the design "
            "columns. Paths are relative to\n# this file. Check with `sga validate "
            f"{district_id}`.\n\n"
        )
        note = (
            "  # PLACEHOLDERS: put the district's files here (same columns as the synthetic "
            "demo's,\n  # see data/synthetic/README.md), or change the paths."
        )

    _, blocks = _blocks(template_text)
    blocks["district"] = _district_block(fields, synthetic)
    blocks["synthetic"] = _synthetic_block(synthetic, config.seed if config else None, label)
    blocks["data"] = _data_block(template, paths, note)
    if not synthetic:
        blocks["interventions"] = _REAL_INTERVENTIONS
        blocks["synthesis"] = _REAL_SYNTHESIS
    template_name = str(template["district"]["name"])
    text = header + "".join(
        block if key in {"district", "synthetic", "data"} else block.replace(template_name, name)
        for key, block in blocks.items()
    )
    text = text.rstrip("\n") + "\n"

    # Never write a file that does not validate, and check the round trip of the inputs.
    written = DistrictParams.model_validate(yaml.safe_load(text))
    got = {k: getattr(written.district, k) for k in ("id", "name", "city", "country")}
    if got != {k: fields[k] for k in got} or (label and written.synthetic.label != label):
        raise RuntimeError(f"new_district wrote {got}, expected {fields}")  # a quoting bug

    parameters_dir.mkdir(parents=True, exist_ok=True)
    if config is not None:
        _synthetic.write(_synthetic.generate(config), data_folder)
    _atomic_write(target, text)
    return target
