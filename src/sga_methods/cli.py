"""The ``sga`` command.

::

    sga run                         every module of the demo district
    sga run DISTRICT [DISTRICT...]  named districts (ids in parameters/ or YAML paths)
    sga run --all                   every district in parameters/
    sga run --modules 00,01         only these modules (numbers or names)
    sga run --output-dir DIR        write somewhere other than outputs/
    sga run --force                 execute even modules whose outputs are up to date
    sga run --all --workers N       N modules at a time in worker processes
                                    (default: cores for several districts, else 1)
    sga report [DISTRICT...] [--pdf]  re-render HTML (and PDF) without executing
    sga validate [DISTRICT...]      check parameter files and exit
    sga list                        districts and modules
    sga new-district ID --city NAME [--synthetic --seed N]  write a new district's parameters

A module whose workbook, parameters, input data and package version are unchanged since
its last successful run is not executed again ("cached"); see sga_methods.pipeline.runner.

Exit codes: 0 every module succeeded; 1 some module failed (the others still ran);
2 invalid input (nothing was executed and nothing in the output folder was touched).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .params import DistrictParams, ParameterError, is_slug, load
from .pipeline import registry

if TYPE_CHECKING:
    from .pipeline.runner import ModuleRun

__all__ = ["DEMO_DISTRICT", "main"]

DEMO_DISTRICT = "tashkent-chilanzar"
EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


class _UsageError(Exception):
    """Invalid command-line input: printed as one or more lines, exit code 2."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _parameter_files(parameters_dir: Path) -> list[Path]:
    if not parameters_dir.is_dir():
        raise _UsageError([f"{parameters_dir}: parameters folder not found"])
    return sorted(p for p in parameters_dir.glob("*.yaml") if not p.name.startswith("_"))


def _resolve(token: str, parameters_dir: Path) -> Path:
    """A district id (looked up in the parameters folder) or a path to a YAML file."""
    if token.endswith((".yaml", ".yml")) or "/" in token or "\\" in token:
        return Path(token)
    if not is_slug(token):
        raise _UsageError(
            [f"district id {token!r} is not a safe slug (lower-case letters, digits and '-')"]
        )
    path = parameters_dir / f"{token}.yaml"
    if not path.exists():
        known = ", ".join(p.stem for p in _parameter_files(parameters_dir)) or "none"
        raise _UsageError([f"{path}: no parameter file for district {token!r} (known: {known})"])
    return path


def _load_all(paths: Sequence[Path]) -> list[DistrictParams]:
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load(path, known_modules=registry.names()))
        except ParameterError as exc:
            problems.extend(exc.problems)
    if problems:
        raise _UsageError(problems)
    ids = [p.district.id for p in loaded]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _UsageError([f"district {d!r} is given more than once" for d in dupes])
    return loaded


def _district_paths(args: argparse.Namespace) -> list[Path]:
    parameters_dir = Path(args.parameters_dir)
    if getattr(args, "all", False):
        if args.districts:
            raise _UsageError(["give district names or --all, not both"])
        paths = _parameter_files(parameters_dir)
        if not paths:
            raise _UsageError([f"{parameters_dir}: no district parameter files (*.yaml)"])
        return paths
    tokens = args.districts or [DEMO_DISTRICT]
    return [_resolve(t, parameters_dir) for t in tokens]


def _selected_modules(spec: str | None, workbooks_dir: Path) -> list[registry.Module] | None:
    if spec is None:
        return None
    modules, problems = [], []
    for token in filter(None, (t.strip() for t in spec.split(","))):
        try:
            module = registry.resolve(token)
        except KeyError as exc:
            problems.append(f"--modules: {exc.args[0]}")
            continue
        if not module.workbook(workbooks_dir).exists():
            problems.append(
                f"--modules: module {module.name!r} has no workbook yet "
                f"({module.workbook(workbooks_dir)})"
            )
        modules.append(module)
    if problems:
        raise _UsageError(problems)
    if not modules:
        raise _UsageError(["--modules: no module given"])
    return sorted(set(modules), key=registry.MODULES.index)


def _cmd_validate(args: argparse.Namespace) -> int:
    districts = _load_all(_district_paths(args))
    for p in districts:
        print(
            f"{p.source}: valid ({p.district.name}, {p.district.city}; {len(p.data)} data sources)"
        )
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    workbooks_dir = Path(args.workbooks_dir)
    print("Districts:")
    for path in _parameter_files(Path(args.parameters_dir)):
        try:
            p = load(path, check_files=False)
            print(
                f"  {p.district.id:<28} {p.district.name}, {p.district.city}"
                + ("  [synthetic]" if p.synthetic.enabled else "")
            )
        except ParameterError as exc:
            print(f"  {path.stem:<28} INVALID: {exc.problems[0]}")
    print("Modules:")
    for m in registry.MODULES:
        state = "" if m.workbook(workbooks_dir).exists() else "  (planned: no workbook yet)"
        print(f"  {m.name:<34} {m.title}{state}")
    return EXIT_OK


def _print_summary(runs: Sequence[ModuleRun]) -> None:
    print(f"\n{'district':<24} {'module':<34} {'status':<8} {'time':>8}  error")
    for r in runs:
        error = (r.error or "") + (f" (cell {r.cell})" if r.cell is not None else "")
        print(f"{r.district:<24} {r.module:<34} {r.status:<8} {r.seconds:>7.1f}s  {error}")


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline.runner import run_district

    if args.workers is not None and args.workers < 1:
        raise _UsageError([f"--workers must be at least 1, got {args.workers}"])
    workbooks_dir = Path(args.workbooks_dir).resolve()
    if not workbooks_dir.is_dir():
        raise _UsageError([f"{workbooks_dir}: workbooks folder not found"])
    selected = _selected_modules(args.modules, workbooks_dir)
    districts = _load_all(_district_paths(args))
    output_dir = Path(args.output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    project_dir = Path.cwd().resolve()

    def progress(r: ModuleRun) -> None:
        if r.status == "cached":
            print(f"[{r.district}] {r.module}: cached (unchanged since {r.finished})", flush=True)
            return
        note = f"  {r.error}" if r.status != "ok" and r.error else ""
        why = f"  [{r.reason}]" if r.status == "ok" and r.reason else ""
        print(f"[{r.district}] {r.module}: {r.status} ({r.seconds:.1f} s){note}{why}", flush=True)

    # Default: one worker per core for several districts; a single district runs in this
    # process, one module after the other, unless --workers says otherwise.
    workers = args.workers or ((os.cpu_count() or 1) if len(districts) > 1 else 1)

    def modules_for(params: DistrictParams) -> list[registry.Module]:
        return selected or [registry.get(n) for n in params.module_names(registry.names())]

    runs: list[ModuleRun] = []
    if workers > 1:
        from .pipeline.batch import run_batch

        tasks = sum(len(modules_for(p)) for p in districts)
        print(
            f"running {tasks} modules of {len(districts)} districts with {workers} workers "
            f"into {output_dir}",
            flush=True,
        )
        runs = run_batch(
            districts,
            modules_for,
            output_dir=output_dir,
            workbooks_dir=workbooks_dir,
            project_dir=project_dir,
            workers=workers,
            force=args.force,
            on_result=progress,
        )
    else:
        for params in districts:
            modules = modules_for(params)
            print(
                f"[{params.district.id}] running {len(modules)} modules into "
                f"{output_dir / params.district.id}",
                flush=True,
            )
            runs += run_district(
                params,
                modules,
                output_dir=output_dir,
                workbooks_dir=workbooks_dir,
                project_dir=project_dir,
                on_result=progress,
                force=args.force,
            )
    _print_summary(runs)
    cached = sum(r.status == "cached" for r in runs)
    if cached:
        print(f"\n{cached} of {len(runs)} modules unchanged since their last run (--force re-runs)")
    print(f"\nReports: {output_dir / 'index.html'}")
    return EXIT_FAILED if any(r.status == "failed" for r in runs) else EXIT_OK


def _cmd_new_district(args: argparse.Namespace) -> int:
    from .pipeline.newdistrict import new_district

    try:
        path = new_district(
            args.district,
            city=args.city,
            name=args.name,
            country=args.country,
            synthetic=args.synthetic,
            seed=args.seed,
            parameters_dir=Path(args.parameters_dir),
            data_dir=Path(args.data_dir),
            force=args.force,
        )
    except (ValueError, OSError) as exc:  # bad argument; FileExistsError; template missing
        raise _UsageError([str(exc)]) from None
    if args.synthetic:
        print(f"{path}: written (synthetic data in {Path(args.data_dir) / args.district})")
    else:
        print(
            f"{path}: written with placeholder data paths; put the district's files there, "
            f"then run `sga validate {args.district}`"
        )
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from .pipeline.publish import PublishError, find_chromium, print_pdf, rerender_district

    workbooks_dir = Path(args.workbooks_dir).resolve()
    districts = _load_all(_district_paths(args))
    output_dir = Path(args.output_dir).resolve()
    try:
        chromium = find_chromium(args.chromium) if args.pdf else None
        for params in districts:
            published = rerender_district(params, output_dir, workbooks_dir)
            for item in published:
                line = f"[{item.district}] {item.module}: {item.html.name}"
                if chromium is not None:
                    item.pdf = print_pdf(item.html, item.html.with_suffix(".pdf"), chromium)
                    line += f", {item.pdf.name}"
                print(line, flush=True)
            if not published:
                print(f"[{params.district.id}] no successful module to publish", flush=True)
    except PublishError as exc:
        raise _UsageError([str(exc)]) from None
    print(f"\nReports: {output_dir / 'index.html'}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sga", description="Urban Safety Governance Assessment workbooks and reports."
    )
    parser.add_argument("--version", action="version", version=f"sga-methods {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--parameters-dir", default="parameters", help="folder of district YAML files"
    )
    common.add_argument("--workbooks-dir", default="workbooks", help="folder of workbooks")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", parents=[common], help="execute workbooks and render reports")
    run.add_argument(
        "districts", nargs="*", help=f"district ids or YAML files (default: {DEMO_DISTRICT})"
    )
    run.add_argument("--all", action="store_true", help="every district in the parameters folder")
    run.add_argument("--modules", help="comma-separated module names or numbers, e.g. 00,01")
    run.add_argument("--output-dir", default="outputs", help="where reports go (default: outputs)")
    run.add_argument(
        "--force", action="store_true", help="execute every module, even if nothing changed"
    )
    run.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="modules executed at a time, each in its own process (default: the number of "
        "cores when running several districts, else 1; 1 runs the modules one after the "
        "other in this process)",
    )
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser("validate", parents=[common], help="check district parameter files")
    val.add_argument(
        "districts", nargs="*", help=f"district ids or YAML files (default: {DEMO_DISTRICT})"
    )
    val.add_argument("--all", action="store_true", help="every district in the parameters folder")
    val.set_defaults(func=_cmd_validate)

    rep = sub.add_parser(
        "report",
        parents=[common],
        help="re-render HTML (and PDF) from executed workbooks without executing anything",
    )
    rep.add_argument(
        "districts", nargs="*", help=f"district ids or YAML files (default: {DEMO_DISTRICT})"
    )
    rep.add_argument("--all", action="store_true", help="every district in the parameters folder")
    rep.add_argument("--output-dir", default="outputs", help="where reports are (default: outputs)")
    rep.add_argument("--pdf", action="store_true", help="also print each report to PDF (Chromium)")
    rep.add_argument("--chromium", help="Chromium executable for --pdf (default: on the PATH)")
    rep.set_defaults(func=_cmd_report)

    lst = sub.add_parser("list", parents=[common], help="list districts and modules")
    lst.set_defaults(func=_cmd_list)

    new = sub.add_parser("new-district", help="write the parameter file of a new district")
    new.add_argument("district", help="district id: a slug of a-z, 0-9 and '-', e.g. nukus-markaz")
    new.add_argument("--city", required=True, help="city of the district")
    new.add_argument("--name", help="display name (default: from the id)")
    new.add_argument("--country", help="country (default: the demo's, Uzbekistan)")
    new.add_argument(
        "--synthetic", action="store_true", help="also generate SYNTHETIC data (demos and tests)"
    )
    new.add_argument(
        "--seed", type=int, help="seed of the synthetic data (default: a stable hash of the id)"
    )
    new.add_argument("--parameters-dir", default="parameters", help="folder of district YAML files")
    new.add_argument("--data-dir", default="data/synthetic", help="parent folder of synthetic data")
    new.add_argument(
        "--force", action="store_true", help="overwrite an existing parameter file and data folder"
    )
    new.set_defaults(func=_cmd_new_district)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sga`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except _UsageError as exc:
        for line in exc.problems:
            print(f"sga: error: {line}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print(
            "sga: interrupted; completed reports are in place, none is half-written",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
