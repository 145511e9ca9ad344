"""Benchmark of the training doctor on deliberately broken setups and healthy controls.

For every case of ``diagnose_cases.py`` and every seed, build the setup, run
``glassnet.diagnose.doctor`` (or, for a loop the user wrote, ``watch``) and record:
detected (the expected code appears as an error or a warning), right cause first (the first
finding's code is one of the case's causes), error-level findings on healthy controls, and
the seconds per diagnosis. Goals (issue 12): ≥ 95% detected, ≥ 80% right cause first, 0
error-level findings on healthy controls.

    uv run python benchmarks/diagnose.py --out /tmp/diagnose_bench.json
    uv run python benchmarks/diagnose.py --only dead --seeds 0 --verbose
"""

import os

# One BLAS thread: on a shared 2-core machine, two OpenBLAS threads spin against the other
# jobs and small matrix products run up to 15× slower (measured: 7.5 ms against 0.5 ms for
# 32×512 @ 512×512 at load 9). Set before NumPy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import diagnose_cases

from glassnet.diagnose import doctor


def diagnose(case, seed):
    if case.watch is not None:
        return case.watch(seed)
    setup = case.build(seed)
    return doctor(setup.model, setup.loss_fn, setup.train, setup.val,
                  optimizer=setup.optimizer, steps=setup.steps, batch_size=setup.batch_size,
                  seeds=(seed,))


def run_case(case, seed) -> dict:
    started = time.perf_counter()
    report = diagnose(case, seed)
    seconds = time.perf_counter() - started
    findings = [(f.code, f.severity) for f in report.findings]
    serious = [code for code, severity in findings if severity in ("error", "warning")]
    row = {"case": case.name, "seed": seed, "expected": case.expected,
           "findings": findings, "seconds": round(seconds, 2)}
    if case.expected is None:
        row["errors"] = [code for code, severity in findings if severity == "error"]
        row["warnings"] = [code for code, severity in findings if severity == "warning"]
    else:
        row["detected"] = case.expected in serious
        row["first"] = findings[0][0] if findings else None
        row["right_cause_first"] = row["first"] in case.causes
    return row, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--verbose", action="store_true", help="print every report")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    broken, healthy = diagnose_cases.all_cases()
    cases = [c for c in broken + healthy if args.only.lower() in c.name.lower()]
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    rows = []
    for case in cases:
        for seed in seeds:
            row, report = run_case(case, seed)
            rows.append(row)
            mark = _mark(row)
            print(f"{mark} {case.name} [seed {seed}, {row['seconds']:.1f}s]: "
                  + ", ".join(f"{c}({s[0]})" for c, s in row["findings"]), flush=True)
            if args.verbose:
                print(report)
    summary = summarize(rows)
    summary["load_average_start"] = list(load)
    summary["load_average_end"] = list(os.getloadavg())
    summary["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True).stdout.strip()
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2))
    return 0


def _mark(row) -> str:
    if row["expected"] is None:
        return "OK  " if not row["errors"] else "FALSE"
    if row["detected"] and row["right_cause_first"]:
        return "OK  "
    return "MISS" if not row["detected"] else "2ND "


def summarize(rows) -> dict:
    calibration = [r for r in rows if not r["case"].startswith("held-out")]
    heldout = [r for r in rows if r["case"].startswith("held-out")]
    result = _summary(calibration)
    result["held_out"] = _summary(heldout)
    result["all"] = {key: value for key, value in _summary(rows).items()
                     if not isinstance(value, list)}
    return result


def _summary(rows) -> dict:
    broken = [r for r in rows if r["expected"] is not None]
    healthy = [r for r in rows if r["expected"] is None]
    seconds = sorted(r["seconds"] for r in rows)
    return {
        "broken_runs": len(broken),
        "detected": sum(r["detected"] for r in broken),
        "detected_share": sum(r["detected"] for r in broken) / max(len(broken), 1),
        "right_cause_first": sum(r["right_cause_first"] for r in broken),
        "right_cause_first_share":
            sum(r["right_cause_first"] for r in broken) / max(len(broken), 1),
        "healthy_runs": len(healthy),
        "healthy_with_errors": sum(bool(r["errors"]) for r in healthy),
        "healthy_error_findings": sum(len(r["errors"]) for r in healthy),
        "healthy_with_warnings": sum(bool(r["warnings"]) for r in healthy),
        "seconds_median": seconds[len(seconds) // 2] if seconds else None,
        "seconds_max": seconds[-1] if seconds else None,
        "misses": [f"{r['case']} (seed {r['seed']}): got {r['first']}" for r in broken
                   if not (r["detected"] and r["right_cause_first"])],
        "false_alarms": [f"{r['case']} (seed {r['seed']}): {r['errors']}" for r in healthy
                         if r["errors"]],
        "healthy_warnings": [f"{r['case']} (seed {r['seed']}): {r['warnings']}"
                             for r in healthy if r["warnings"]],
    }


if __name__ == "__main__":
    sys.exit(main())
