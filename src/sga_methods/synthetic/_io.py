"""Write the synthetic district to deterministic files, atomically."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ._config import SyntheticDistrict

#: Published files: name -> (file name, attribute of SyntheticDistrict). The big ones are
#: gzip-compressed with a zero mtime so that the bytes depend on the data only.
FILES: dict[str, tuple[str, str]] = {
    "mahallas": ("mahallas.csv", "mahallas"),
    "population": ("population.csv", "population"),
    "margins": ("margins.csv", "margins"),
    "survey": ("survey.csv.gz", "survey"),
    "fieldwork": ("fieldwork.csv", "fieldwork"),
    "police_monthly": ("police_monthly.csv.gz", "police_monthly"),
    "population_monthly": ("population_monthly.csv", "population_monthly"),
    "treatment": ("treatment.csv", "treatment"),
    "iccs_sections": ("iccs_sections.csv", "iccs_sections"),
    "key_informants": ("key_informants.csv", "key_informants"),
    "truth": ("truth.json", "truth"),
}

#: zlib compression level of the ``.csv.gz`` files (fixed so the bytes are reproducible).
GZIP_LEVEL: int = 9

#: Permissions of the written directory (``mkdtemp`` creates it private).
DIRECTORY_MODE: int = 0o755


def csv_text(frame: pd.DataFrame) -> str:
    """CSV without index, ``\\n`` line ends, NA as empty, floats as shortest round-trip repr."""
    return frame.to_csv(index=False, lineterminator="\n")


def truth_text(truth: dict) -> str:
    """The truth as plain JSON with sorted keys."""
    return json.dumps(truth, sort_keys=True, indent=2, allow_nan=False) + "\n"


def _write_one(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.name.endswith(".gz"):
        with (
            path.open("wb") as raw,
            gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL
            ) as gz,
        ):
            gz.write(data)
    else:
        path.write_bytes(data)


def write(demo: SyntheticDistrict, directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the published files of a synthetic district.

    Parameters
    ----------
    demo : SyntheticDistrict
        Output of :func:`generate`.
    directory : str or path-like
        Target folder, e.g. ``data/synthetic/tashkent-chilanzar``; created if needed.

    Returns
    -------
    dict of pathlib.Path
        ``{name: path}`` for the files of :data:`FILES`.

    Raises
    ------
    ValueError
        If ``directory`` exists and holds files other than those written here (it is
        replaced as a whole, so unrelated files are never deleted), or is not a folder.

    Notes
    -----
    All files are written to a temporary folder in the same parent, which then replaces
    ``directory`` by renames: readers see either the old or the new set of files.
    """
    target = Path(directory)
    known = {filename for filename, _ in FILES.values()}
    if target.exists():
        if not target.is_dir():
            raise ValueError(f"The 'directory' of write must be a folder. Got the file {target}.")
        foreign = sorted(p.name for p in target.iterdir() if p.name not in known)
        if foreign:
            raise ValueError(
                f"The 'directory' of write must hold only synthetic-district files. "
                f"Got {target} containing {foreign} instead."
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    backup: Path | None = None
    try:
        os.chmod(staging, DIRECTORY_MODE)
        for filename, attribute in FILES.values():
            value = getattr(demo, attribute)
            text = truth_text(value) if attribute == "truth" else csv_text(value)
            _write_one(staging / filename, text)
        if target.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(backup)
            os.rename(target, backup)
        os.rename(staging, target)
    except BaseException:
        if backup is not None and not target.exists():
            os.rename(backup, target)
            backup = None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
    return {name: target / filename for name, (filename, _) in FILES.items()}
