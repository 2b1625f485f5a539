"""Reading the input files that a district's parameters point at.

Only the readers the demo district needs exist so far (CSV, optionally gzip-compressed;
Parquet, Excel, SPSS and Stata through pandas where their optional engines are
installed). The codebook that maps raw questionnaires to the standard variables, and the
validation of real survey files, are separate work (see the project's issues).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..params import DistrictParams

__all__ = ["CODE_COLUMNS", "DataError", "read_source", "read_table"]

#: Columns that hold classification codes with meaningful leading zeros (ICCS "0401",
#: "03"); text readers keep them as text instead of parsing them as numbers.
CODE_COLUMNS: tuple[str, ...] = ("iccs",)


class DataError(Exception):
    """An input file that cannot be read; the message names the file."""


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        suffixes = suffixes[:-1]
    return suffixes[-1].lstrip(".") if suffixes else ""


def read_table(path: str | Path, file_format: str | None = None) -> pd.DataFrame:
    """Read one tabular input file into a DataFrame.

    Parameters
    ----------
    path : str or Path
        The file.
    file_format : {"csv", "parquet", "xlsx", "sav", "dta"}, optional
        Taken from the extension when omitted (``.csv.gz`` is CSV).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`CODE_COLUMNS` are read from CSV as text ("0401" stays "0401").

    Raises
    ------
    DataError
        If the file is missing, empty, not decodable or of an unknown type; the message
        names the file.
    """
    path = Path(path)
    fmt = (file_format or _format_of(path)).lower()
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    readers: dict[str, Callable[[Path], pd.DataFrame]] = {
        "csv": lambda p: pd.read_csv(p, low_memory=False, dtype=dict.fromkeys(CODE_COLUMNS, str)),
        "parquet": pd.read_parquet,
        "xlsx": pd.read_excel,
        "sav": pd.read_spss,
        "dta": pd.read_stata,
    }
    if fmt not in readers:
        raise DataError(f"{path}: unknown file type {fmt!r} (known: {', '.join(readers)})")
    try:
        frame = readers[fmt](path)
    except ImportError as exc:
        raise DataError(f"{path}: reading {fmt} files needs an optional package ({exc})") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot be read as {fmt}: {exc}") from None
    if frame.empty:
        raise DataError(f"{path}: the file has no data rows")
    # pandas' CSV reader can hand back a frame of many small blocks; consolidate once so
    # that adding derived columns later stays fast and quiet.
    return frame.copy()


def read_source(params: DistrictParams, key: str) -> pd.DataFrame:
    """Read the district's data source ``key`` (a key of ``data:`` in its parameters)."""
    return read_table(params.data_path(key), params.data[key].format)
