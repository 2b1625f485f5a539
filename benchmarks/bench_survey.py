"""Side-by-side timings of sga_methods' survey statistics against R ``survey``, svy and weightipy.

Four tasks on seeded synthetic data generated here (see ``benchmarks/README.md``):

(a) raking 1,000,000 rows to 5 margins (5, 4, 10, 3, 6 levels) to a relative tolerance of
    1e-10: ``SurveyDesign.rake`` vs R ``rake``, ``weightipy`` and a bare numpy
    ``bincount`` IPF loop;
(b) mean with strata + PSU + fpc over 1,000,000 rows: ``SurveyDesign.mean`` vs R
    ``svymean`` and ``svy``;
(c) means by 100 domains on 1,000,000 rows: ``SurveyDesign.mean(by=)`` vs R ``svyby`` and
    ``svy``;
(d) JK1 variance of a mean with 200 PSUs on 200,000 rows:
    ``SurveyDesign.to_replicate("jk1").mean`` vs R ``as.svrepdesign(type = "JK1")`` +
    ``svymean`` and ``svy``.

Every timing is the wall-clock time of building the design object from an in-memory data
frame plus the operation (R: inside ``system.time``, after the data are read), the best of
up to ``--repeat`` runs. Peak memory of our runs is measured in a fresh subprocess per task.

Run from the repository root, in the benchmark environment (``benchmarks/README.md``)::

    benchmarks/.venv/bin/python benchmarks/bench_survey.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sga_methods import SurveyDesign

HERE = Path(__file__).resolve().parent
R_SCRIPT = HERE / "bench_survey.R"

#: Levels of the five raking margins (task a).
RAKE_LEVELS: tuple[int, ...] = (5, 4, 10, 3, 6)
#: Relative tolerance of raking: max over margin levels of |achieved / target - 1|.
RAKE_EPSILON: float = 1e-10
#: Iteration cap for every raking implementation.
RAKE_MAXIT: int = 1000
#: Design of tasks (b) and (c): strata, sampled PSUs per stratum, population PSUs per stratum.
N_STRATA, PSUS_PER_STRATUM, POPULATION_PSUS = 50, 20, 100
#: Domains of task (c) and PSUs of task (d).
N_DOMAINS: int = 100
JK_PSUS: int = 200

TASKS: dict[str, str] = {
    "a": "rake 5 margins (5,4,10,3,6 levels) to 1e-10",
    "b": "mean, strata + PSU + fpc",
    "c": "means by 100 domains",
    "d": "JK1 mean, 200 PSUs",
}


# ------------------------------------------------------------------------------ data
def rake_data(n: int, seed: int) -> tuple[pd.DataFrame, dict[str, dict[int, float]]]:
    """Sample and population margins for task (a).

    Parameters
    ----------
    n : int
        Rows.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``x1..x5`` (int64 codes ``1..k``) and ``w`` (starting weights, all 1:
        weightipy always starts from 1, so every implementation solves the same problem).
    margins : dict
        ``{"x1": {1: total, ...}, ...}``; every margin sums to the same population total.

    Notes
    -----
    The five variables are cut from correlated normals (correlation 0.4), so raking needs
    several sweeps; the population shares tilt the sample shares by up to about +-30%.
    """
    rng = np.random.default_rng(seed)
    k = len(RAKE_LEVELS)
    cov = np.full((k, k), 0.4) + 0.6 * np.eye(k)
    z = rng.multivariate_normal(np.zeros(k), cov, size=n, method="cholesky")
    data = {}
    margins: dict[str, dict[int, float]] = {}
    population = 2.5 * n
    for j, levels in enumerate(RAKE_LEVELS):
        cuts = np.quantile(z[:, j], np.linspace(0, 1, levels + 1)[1:-1] + rng.uniform(-0.03, 0.03))
        codes = np.searchsorted(cuts, z[:, j]) + 1
        name = f"x{j + 1}"
        data[name] = codes.astype(np.int64)
        share = np.bincount(codes, minlength=levels + 1)[1:] / n
        tilt = share * np.exp(rng.uniform(-0.3, 0.3, levels))
        margins[name] = {lev + 1: float(t) for lev, t in enumerate(population * tilt / tilt.sum())}
    frame = pd.DataFrame(data)
    frame["w"] = 1.0
    return frame, margins


def design_data(n: int, seed: int) -> pd.DataFrame:
    """Stratified cluster sample for tasks (b) and (c).

    Parameters
    ----------
    n : int
        Rows (spread evenly over ``N_STRATA x PSUS_PER_STRATUM`` PSUs).
    seed : int
        Seed.

    Returns
    -------
    pandas.DataFrame
        ``stratum``, ``psu`` (globally unique), ``fpc`` (population PSUs of the stratum),
        ``w`` (log-normal weights), ``y`` (stratum and PSU effects plus noise) and
        ``domain`` (100 levels, unequal sizes).
    """
    rng = np.random.default_rng(seed)
    n_psu = N_STRATA * PSUS_PER_STRATUM
    psu = np.sort(rng.integers(0, n_psu, n))
    stratum = psu // PSUS_PER_STRATUM
    y = (
        0.5 * rng.standard_normal(N_STRATA)[stratum]
        + 0.3 * rng.standard_normal(n_psu)[psu]
        + rng.standard_normal(n)
    )
    domain = rng.choice(N_DOMAINS, size=n, p=rng.dirichlet(np.full(N_DOMAINS, 5.0)))
    return pd.DataFrame(
        {
            "stratum": stratum.astype(np.int64),
            "psu": psu.astype(np.int64),
            "fpc": np.full(n, float(POPULATION_PSUS)),
            "w": rng.lognormal(3.0, 0.4, n),
            "y": y + 0.2 * (domain % 7),
            "domain": domain.astype(np.int64),
        }
    )


def jk_data(n: int, seed: int) -> pd.DataFrame:
    """Cluster sample for task (d): ``JK_PSUS`` PSUs, weights ``w``, outcome ``y``."""
    rng = np.random.default_rng(seed)
    psu = np.sort(rng.integers(0, JK_PSUS, n))
    y = 0.3 * rng.standard_normal(JK_PSUS)[psu] + rng.standard_normal(n)
    return pd.DataFrame({"psu": psu.astype(np.int64), "w": rng.lognormal(3.0, 0.4, n), "y": y})


# ------------------------------------------------------------------------------ ours
def has_method(name: str) -> bool:
    """Whether ``SurveyDesign`` has the method ``name`` (rake, to_replicate) yet."""
    return callable(getattr(SurveyDesign, name, None))


def ours_rake(data: pd.DataFrame, margins: dict[str, dict[int, float]]) -> np.ndarray:
    """Task (a) with ``SurveyDesign.rake``; returns the raked weights."""
    design = SurveyDesign(data, weights="w")
    return design.rake(margins, epsilon=RAKE_EPSILON).weights.to_numpy()


def ours_mean(data: pd.DataFrame) -> tuple[float, float]:
    """Task (b): estimate and SE of the mean of ``y``."""
    design = SurveyDesign(data, weights="w", strata="stratum", psu="psu", fpc="fpc")
    row = design.mean("y").iloc[0]
    return float(row["estimate"]), float(row["se"])


def ours_domains(data: pd.DataFrame) -> pd.DataFrame:
    """Task (c): ``domain, estimate, se`` for 100 domains."""
    design = SurveyDesign(data, weights="w", strata="stratum", psu="psu", fpc="fpc")
    return design.mean("y", by="domain")[["domain", "estimate", "se"]]


def ours_jk1(data: pd.DataFrame) -> tuple[float, float]:
    """Task (d): JK1 replicate design built from the PSUs, then the mean of ``y``."""
    design = SurveyDesign(data, weights="w", psu="psu")
    row = design.to_replicate("jk1").mean("y").iloc[0]
    return float(row["estimate"]), float(row["se"])


# ------------------------------------------------------------------------------ numpy IPF
def numpy_rake(
    data: pd.DataFrame, margins: dict[str, dict[int, float]], epsilon: float = RAKE_EPSILON
) -> tuple[np.ndarray, int]:
    """Bare row-wise iterative proportional fitting with ``np.bincount`` (issue 3's yardstick).

    Parameters
    ----------
    data : pandas.DataFrame
        ``w`` and the margin columns (codes ``1..k``).
    margins : dict
        Population totals by margin and level.
    epsilon : float
        Stop after the first sweep in which every adjustment factor is within
        ``epsilon`` of 1.

    Returns
    -------
    weights : numpy.ndarray
        Raked weights.
    sweeps : int
        Sweeps over the margins.

    Notes
    -----
    One sweep: for each margin ``m``, ``w_i <- w_i T_{m,k} / sum_{j: x_mj = k} w_j`` with
    ``k = x_mi`` (Deming and Stephan 1940). A sweep with all factors within ``epsilon`` of
    1 leaves every margin within about ``epsilon`` relative of its target.
    """
    codes = [data[name].to_numpy() for name in margins]
    targets = [np.r_[0.0, [margins[name][k] for k in sorted(margins[name])]] for name in margins]
    w = data["w"].to_numpy(dtype=float).copy()
    for sweep in range(1, RAKE_MAXIT + 1):
        worst = 0.0
        for c, t in zip(codes, targets, strict=True):
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.nan_to_num(t / np.bincount(c, weights=w, minlength=t.size), nan=1.0)
            worst = max(worst, float(np.max(np.abs(factor[1:] - 1.0))))
            w *= factor[c]
        if worst < epsilon:
            return w, sweep
    return w, RAKE_MAXIT


def margin_error(
    data: pd.DataFrame, margins: dict[str, dict[int, float]], weights: np.ndarray
) -> float:
    """Largest ``|achieved / target - 1|`` over all margin levels.

    The weights are first rescaled to the population total, as weightipy returns weights
    that sum to the row count.
    """
    total = sum(next(iter(margins.values())).values())
    w = np.asarray(weights, float) * (total / np.sum(weights))
    worst = 0.0
    for name, target in margins.items():
        achieved = np.bincount(data[name].to_numpy(), weights=w)
        for level, t in target.items():
            worst = max(worst, abs(achieved[level] / t - 1.0))
    return worst


# ------------------------------------------------------------------------------ others
def weightipy_rake(data: pd.DataFrame, margins: dict[str, dict[int, float]]) -> np.ndarray:
    """Task (a) with weightipy (targets as percentages; starts from unit weights).

    weightipy stops when an iteration improves the sum of absolute weight changes by less
    than its fixed 1% criterion (``Rake.convcrit`` is not passed through from ``Rim``), so
    its achieved tolerance is reported beside its time.
    """
    import weightipy

    scheme = weightipy.scheme_from_dict(
        {
            name: {k: 100.0 * v / sum(target.values()) for k, v in target.items()}
            for name, target in margins.items()
        },
        name="bench",
        rim_params={"max_iterations": RAKE_MAXIT, "convcrit": RAKE_EPSILON},
    )
    return weightipy.weight(data[list(margins)], scheme).to_numpy()


def to_polars(data: pd.DataFrame) -> Any:
    """A polars copy of ``data`` for svy (the conversion is not timed)."""
    import polars as pl

    return pl.from_pandas(data)


def svy_mean(frame: Any, design: dict[str, Any], by: str | None = None) -> Any:
    """svy's Taylor mean of ``y`` (optionally by a domain column), as a polars frame."""
    import svy

    sample = svy.Sample(frame, svy.Design(**design))
    return sample.estimation.mean("y", by=by).to_polars()


def svy_jk1(frame: Any, design: dict[str, Any]) -> Any:
    """svy: JK1 replicate weights from the PSUs, then the replicate mean of ``y``."""
    import svy

    sample = svy.Sample(frame, svy.Design(**design)).weighting.create_jk_wgts()
    return sample.estimation.mean("y", method="replication").to_polars()


# ------------------------------------------------------------------------------ harness
@dataclass
class Timing:
    """One implementation's result on one task."""

    task: str
    implementation: str
    seconds: float | None = None
    note: str = ""
    values: dict[str, float] = field(default_factory=dict)


def best_time(fn: Callable[[], Any], repeat: int, budget: float = 30.0) -> tuple[float, Any]:
    """Minimum wall time of up to ``repeat`` calls (fewer once ``budget`` seconds are spent).

    Returns
    -------
    seconds : float
        The best time.
    result : Any
        The result of the last call.
    """
    best, spent, result = np.inf, 0.0, None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget:
            break
    return best, result


def run_r(task: str, csv: Path, extra: Path | None, repeat: int) -> dict[str, Any] | None:
    """Run ``bench_survey.R`` for one task; its JSON line holds the timing and the numbers."""
    if shutil.which("Rscript") is None:
        return None
    cmd = ["Rscript", str(R_SCRIPT), task, str(csv), str(extra or ""), str(repeat)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-3:]}
    return json.loads(lines[-1])


def _status_mb(key: str) -> float | None:
    """A memory figure of this process from ``/proc/self/status`` (Linux), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the peak resident set (``VmHWM``) of this process; False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def memory_child(task: str, rows: int, jk_rows: int, seed: int) -> dict[str, float | None]:
    """Generate the data of ``task``, run our implementation and measure its memory.

    Returns
    -------
    dict
        ``rss_before_mb``: resident set with the data loaded, before the run;
        ``peak_rss_mb``: peak resident set during the run (the process's high-water mark,
        reset after the data were made; without that reset, the peak of the whole process);
        ``traced_peak_mb``: peak of memory allocated during the run (tracemalloc, to which
        numpy reports its arrays).
    """
    if task == "a":
        data, margins = rake_data(rows, seed)
        fn: Callable[[], Any] = lambda: ours_rake(data, margins)  # noqa: E731
    elif task in "bc":
        data = design_data(rows, seed)
        fn = (lambda: ours_mean(data)) if task == "b" else (lambda: ours_domains(data))
    else:
        data = jk_data(jk_rows, seed)
        fn = lambda: ours_jk1(data)  # noqa: E731
    fn()  # warm-up: imports and first-call costs are not part of the run
    tracemalloc.start()
    fn()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    before = _status_mb("VmRSS")
    reset = _reset_peak()
    fn()
    peak = _status_mb("VmHWM") if reset else None
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rss_before_mb": before, "peak_rss_mb": peak, "traced_peak_mb": traced / 2**20}


def measure_memory(task: str, args: argparse.Namespace) -> dict[str, float | None] | None:
    """Run :func:`memory_child` in a fresh interpreter (clean peak RSS)."""
    cmd = [sys.executable, __file__, "--memory-child", task, "--rows", str(args.rows)]
    cmd += ["--jk-rows", str(args.jk_rows), "--seed", str(args.seed)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def rel(a: float, b: float) -> float:
    """Relative difference ``|a - b| / |b|``."""
    return abs(a - b) / abs(b) if b else abs(a - b)


# ------------------------------------------------------------------------------ tasks
def task_a(args: argparse.Namespace, tmp: Path) -> list[Timing]:
    """Raking: ours, R ``rake``, weightipy, numpy IPF."""
    data, margins = rake_data(args.rows, args.seed)
    out = []
    t_np, (w_np, sweeps) = best_time(lambda: numpy_rake(data, margins), args.repeat)
    err_np = margin_error(data, margins, w_np)
    out.append(Timing("a", "numpy bincount IPF", t_np, f"{sweeps} sweeps, error {err_np:.1e}"))
    if has_method("rake"):
        t, w = best_time(lambda: ours_rake(data, margins), args.repeat)
        diff = float(np.max(np.abs(w / w_np - 1)))
        out.insert(
            0,
            Timing(
                "a",
                "sga_methods",
                t,
                f"error {margin_error(data, margins, w):.1e}; max rel. weight diff vs numpy "
                f"{diff:.1e}",
            ),
        )
    else:
        out.insert(0, Timing("a", "sga_methods", None, "skipped: SurveyDesign.rake not there yet"))
    if "weightipy" in args.compare:
        t, w = best_time(lambda: weightipy_rake(data, margins), args.repeat)
        scaled = w * (np.sum(w_np) / np.sum(w))
        out.append(
            Timing(
                "a",
                "weightipy",
                t,
                f"error {margin_error(data, margins, w):.1e}; max rel. weight diff vs numpy "
                f"{float(np.max(np.abs(scaled / w_np - 1))):.1e}",
            )
        )
    if "r" in args.compare:
        csv, extra = tmp / "rake.csv", tmp / "rake_margins.json"
        data.to_csv(csv, index=False)
        extra.write_text(json.dumps({k: list(v.values()) for k, v in margins.items()}))
        res = run_r("a", csv, extra, args.r_repeat)
        out.append(r_timing("a", res, w_np))
    return out


def r_timing(task: str, res: dict[str, Any] | None, w_np: np.ndarray | None = None) -> Timing:
    """A :class:`Timing` from the R script's JSON (or the reason it is missing)."""
    if res is None:
        return Timing(task, "R survey", None, "skipped: Rscript not found")
    if "error" in res:
        return Timing(task, "R survey", None, "failed: " + " | ".join(res["error"]))
    note = res.get("note", "")
    if w_np is not None and "weights_head" in res:
        head = np.asarray(res["weights_head"])
        note += f"; max rel. weight diff vs numpy (first {head.size} rows) "
        note += f"{float(np.max(np.abs(head / w_np[: head.size] - 1))):.1e}"
    values = {k: v for k, v in res.items() if isinstance(v, float)}
    return Timing(task, "R survey", res["seconds"], note.strip("; "), values)


def task_bc(task: str, args: argparse.Namespace, tmp: Path, data: pd.DataFrame) -> list[Timing]:
    """Stratified cluster mean (b) or 100 domain means (c): ours, R, svy."""
    out = []
    if task == "b":
        t, (est, se) = best_time(lambda: ours_mean(data), args.repeat)
        out.append(Timing(task, "sga_methods", t, values={"estimate": est, "se": se}))
    else:
        t, dom = best_time(lambda: ours_domains(data), args.repeat)
        mine = dom.set_index("domain").sort_index()
        out.append(Timing(task, "sga_methods", t, f"{len(mine)} domains"))
    if "svy" in args.compare:
        frame = to_polars(data)
        design = {"stratum": "stratum", "psu": "psu", "wgt": "w", "pop_size": "fpc"}
        by = None if task == "b" else "domain"
        t, res = best_time(lambda: svy_mean(frame, design, by), args.repeat)
        res = res.to_pandas()
        if task == "b":
            diff = rel(float(res["se"].iloc[0]), out[0].values["se"])
            note = f"SE rel. diff vs ours {diff:.1e}"
        else:
            theirs = res.set_index("domain").sort_index()
            diff = float(np.max(np.abs(theirs["se"] / mine["se"] - 1)))
            note = f"max SE rel. diff vs ours {diff:.1e}"
        out.append(Timing(task, "svy", t, note))
    if "r" in args.compare:
        csv = tmp / "design.csv"
        if not csv.exists():
            data.to_csv(csv, index=False)
        res = run_r(task, csv, None, args.r_repeat)
        timing = r_timing(task, res)
        if res and "error" not in res and task == "b":
            timing.note = f"SE rel. diff vs ours {rel(res['se'], out[0].values['se']):.1e}"
        elif res and "error" not in res:
            r_se = pd.Series(res["se"], index=res["domain"]).reindex(mine.index)
            diff = float(np.max(np.abs(r_se / mine["se"] - 1)))
            timing.note = f"max SE rel. diff vs ours {diff:.1e}"
        out.append(timing)
    return out


def task_d(args: argparse.Namespace, tmp: Path) -> list[Timing]:
    """JK1: ours, R, svy."""
    data = jk_data(args.jk_rows, args.seed)
    out = []
    ref_se = None
    if has_method("to_replicate"):
        t, (est, ref_se) = best_time(lambda: ours_jk1(data), args.repeat)
        out.append(Timing("d", "sga_methods", t, values={"estimate": est, "se": ref_se}))
    else:
        out.append(
            Timing("d", "sga_methods", None, "skipped: SurveyDesign.to_replicate not there yet")
        )
    if "svy" in args.compare:
        frame = to_polars(data)
        t, res = best_time(lambda: svy_jk1(frame, {"psu": "psu", "wgt": "w"}), args.repeat)
        se = float(res.to_pandas()["se"].iloc[0])
        note = f"SE rel. diff vs ours {rel(se, ref_se):.1e}" if ref_se else f"SE {se:.6g}"
        out.append(Timing("d", "svy", t, note))
    if "r" in args.compare:
        csv = tmp / "jk.csv"
        data.to_csv(csv, index=False)
        res = run_r("d", csv, None, args.r_repeat)
        timing = r_timing("d", res)
        if res and "error" not in res and ref_se:
            timing.note = f"SE rel. diff vs ours {rel(res['se'], ref_se):.1e}"
        out.append(timing)
    return out


# ------------------------------------------------------------------------------ report
def machine_info() -> dict[str, str]:
    """CPU, cores, memory, OS and the versions of everything compared."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(x.split()[1])
            for x in Path("/proc/meminfo").read_text().splitlines()
            if x.startswith("MemTotal")
        )
        memory = f"{mem_kb / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    info = {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load average (1, 5, 15 min) at the end": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    for pkg in ("sga-methods", "numpy", "pandas", "svy", "polars", "weightipy"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = "not installed"
    if shutil.which("Rscript"):
        cmd = [
            "Rscript",
            "-e",
            'cat(R.version.string, "; survey", format(packageVersion("survey")))',
        ]
        info["R"] = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    return info


def ratio_rows(timings: list[Timing]) -> list[str]:
    """Markdown rows: task, implementation, seconds, ratio to ours, note."""
    rows = []
    ours = {t.task: t.seconds for t in timings if t.implementation == "sga_methods"}
    for t in timings:
        secs = f"{t.seconds:.3f}" if t.seconds is not None else "-"
        mine = ours.get(t.task)
        if t.implementation == "sga_methods" or t.seconds is None or not mine:
            ratio = "-"
        else:
            ratio = f"{t.seconds / mine:.2f}"
        rows.append(f"| ({t.task}) {TASKS[t.task]} | {t.implementation} | {secs} | {ratio} | "
                    f"{t.note} |")  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the tasks and print a Markdown table (and JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="abcd", help="subset of 'abcd' (default all)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of tasks a-c")
    parser.add_argument("--jk-rows", type=int, default=200_000, help="rows of task d")
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--repeat", type=int, default=5, help="best of N (Python)")
    parser.add_argument("--r-repeat", type=int, default=3, help="best of N (R)")
    parser.add_argument(
        "--compare",
        default="r,svy,weightipy",
        help="comma-separated alternatives to run: r, svy, weightipy (default all)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.compare = {x.strip().lower() for x in args.compare.split(",") if x.strip()}
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args.rows, args.jk_rows, args.seed)))
        return 0

    timings: list[Timing] = []
    memory: dict[str, dict[str, float | None] | None] = {}
    with tempfile.TemporaryDirectory(prefix="sga-bench-") as name:
        tmp = Path(name)
        for task in args.tasks:
            print(f"task ({task}) {TASKS[task]} ...", file=sys.stderr, flush=True)
            if task == "a":
                timings += task_a(args, tmp)
            elif task in "bc":
                timings += task_bc(task, args, tmp, design_data(args.rows, args.seed))
            elif task == "d":
                timings += task_d(args, tmp)
            needed = {"a": "rake", "d": "to_replicate"}.get(task)
            if not args.no_memory and (needed is None or has_method(needed)):
                memory[task] = measure_memory(task, args)
    for t in timings:
        if t.note.startswith("skipped: SurveyDesign"):
            print(f"({t.task}) {t.note}: part {t.task} of the comparison is incomplete.")
    info = machine_info()
    lines = [
        "| task | implementation | seconds | ratio (time / ours) | note |",
        "|---|---|---|---|---|",
        *ratio_rows(timings),
        "",
        "| task | peak RSS during our run (MB) | RSS with the data, before the run (MB) | "
        "peak allocated by the run (tracemalloc, MB) |",
        "|---|---|---|---|",
    ]
    for task, mem in memory.items():
        if mem:
            cells = [mem["peak_rss_mb"], mem["rss_before_mb"], mem["traced_peak_mb"]]
            lines.append(
                f"| ({task}) | " + " | ".join(f"{c:.0f}" if c else "-" for c in cells) + " |"
            )
    lines += ["", *(f"- {k}: {v}" for k, v in info.items())]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "timings": [t.__dict__ for t in timings],
                    "memory": memory,
                    "machine": info,
                    "arguments": {k: v for k, v in vars(args).items() if k != "json"}
                    | {"compare": sorted(args.compare)},
                },
                indent=2,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
