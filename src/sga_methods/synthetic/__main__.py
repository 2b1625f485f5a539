"""``python -m sga_methods.synthetic``: regenerate the synthetic demo district files."""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from pathlib import Path

from ._config import DEMO_SEED, SyntheticConfig
from ._generate import generate
from ._io import write
from ._truth import truth_table

#: Markers around the generated table of true values in ``data/synthetic/README.md``.
TABLE_START = "<!-- truth-table:start -->"
TABLE_END = "<!-- truth-table:end -->"


def update_readme(path: Path, table: str) -> None:
    """Replace the text between :data:`TABLE_START` and :data:`TABLE_END` by ``table``."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path}: markers {TABLE_START} ... {TABLE_END} not found")
    replacement = f"{TABLE_START}\n{table}{TABLE_END}"
    path.write_text(pattern.sub(lambda _: replacement, text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate and write; print the files and the elapsed time."""
    parser = argparse.ArgumentParser(
        prog="python -m sga_methods.synthetic",
        description="Generate the SYNTHETIC demo district (population, survey, police data).",
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="root seed (default 2025)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--readme",
        type=Path,
        default=None,
        help="also refresh the table of true values in this README (between markers)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    demo = generate(dataclasses.replace(SyntheticConfig(), seed=args.seed))
    paths = write(demo, args.out)
    elapsed = time.perf_counter() - start
    for name, path in paths.items():
        print(f"{name:>20}  {path}  ({path.stat().st_size:,} bytes)")
    if args.readme is not None:
        update_readme(args.readme, truth_table(demo.truth))
        print(f"{'readme':>20}  {args.readme}")
    print(f"generated and written in {elapsed:.1f} s (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
