"""Start-up speed of the `liaison` command: wall time of whole processes, as a person at a shell waits for them.

Set-up: a fresh temporary LIAISON_DATA_DIR with the bundled sample engagement indexed once (`liaison demo`, the
default MiniLM embedder). Then each command is run N times as a subprocess (after one warm-up run) and the
median wall time is reported, with the fastest and slowest, and the median CPU time (user + system, which a busy
machine inflates less than wall time):

- `liaison --help`: importing the CLI and printing its help;
- `liaison ask "what is the credit cap?" -e acme-customer-care --json`: model load and one answer;
- `liaison search "credit cap" -e acme-customer-care --json`: model load and one ranked search.

`--source DIR` runs the CLI of another checkout (e.g. an older worktree) with this venv's libraries, to compare
before and after; each run is `python -c "from bot.cli import main; main()"`, what the console script does. From
the repository root:

    . .venv/bin/activate
    python benchmarks/cli_speed.py                              # 5 runs each
    python benchmarks/cli_speed.py --runs 9 --out /tmp/cli_speed.json
    python benchmarks/cli_speed.py --source /tmp/main-orig      # the same commands with an older tree's CLI
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ENGAGEMENT = "acme-customer-care"
COMMANDS: dict[str, list[str]] = {
    "--help": ["--help"],
    "ask --json": ["ask", "what is the credit cap?", "-e", ENGAGEMENT, "--json"],
    "search --json": ["search", "credit cap", "-e", ENGAGEMENT, "--json"],
    # an Italian question (issue #14): the same answer path, plus the language detector and the catalogues
    "ask (Italian) --json": [
        "ask",
        "entro quanto tempo va risolto un incidente di severità 1?",
        "-e",
        ENGAGEMENT,
        "--json",
    ],
    "--lang it --help": ["--lang", "it", "--help"],
}
TARGETS = {"--help": 0.5, "ask --json": 1.5}


def _liaison(source: Path | None) -> tuple[list[str], dict[str, str]]:
    """The argv prefix and extra environment that run the CLI of `source` (or of this tree)."""
    env = {}
    if source is not None:  # first on the path, before this tree's editable install (and any PYTHONPATH given)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(source.resolve()), os.environ.get("PYTHONPATH")) if p)
    return [sys.executable, "-c", "from bot.cli import main; main()"], env


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; CPU time says what the command costs when the machine is busy."""
    cpu, started = _cpu(), time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv[3:])} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return seconds, cpu_seconds


def measure(*, runs: int, source: Path | None, data_dir: Path) -> dict[str, Any]:
    prefix, extra = _liaison(source)
    env = {**os.environ, **extra, "LIAISON_DATA_DIR": str(data_dir), "LIAISON_LLM": ""}
    env.pop("LIAISON_EMBEDDER", None)  # the default model: its load is part of what is measured
    cwd = data_dir.parent  # not the repository: `python -c` puts the working directory on sys.path
    started = time.perf_counter()
    _run([*prefix, "demo", "-e", ENGAGEMENT], env, cwd)  # index once (and warm the page cache)
    index_seconds = time.perf_counter() - started
    results: dict[str, Any] = {}
    for name, args in COMMANDS.items():
        _run([*prefix, *args], env, cwd)  # one warm-up run, not counted
        timed = [_run([*prefix, *args], env, cwd) for _ in range(runs)]
        times = [wall for wall, _ in timed]
        results[name] = {
            "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3),
            "max_s": round(max(times), 3),
            "cpu_median_s": round(statistics.median(cpu for _, cpu in timed), 3),
            "runs": runs,
            "target_s": TARGETS.get(name),
        }
    return {
        "source": str(source.resolve()) if source else str(Path(__file__).resolve().parents[1]),
        "index_demo_s": round(index_seconds, 2),
        "commands": results,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def print_table(report: dict[str, Any]) -> None:
    print(f"CLI of {report['source']} (sample engagement indexed in {report['index_demo_s']} s)")
    print(f"{'command':<16} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7} {'target s':>9}")
    for name, r in report["commands"].items():
        target = f"{r['target_s']:.1f}" if r["target_s"] else "-"
        row = f"{r['median_s']:>9.3f} {r['min_s']:>7.3f} {r['max_s']:>7.3f} {r['cpu_median_s']:>7.3f}"
        print(f"{name:<16} {row} {target:>9}")
    print(f"({report['cpus']} CPUs, load average {report['load_average']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="Timed runs per command (after one warm-up run).")
    parser.add_argument("--source", type=Path, help="Run the CLI of this checkout instead of this tree's.")
    parser.add_argument("--out", type=Path, help="Also write the results here as JSON.")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    tmp = Path(tempfile.mkdtemp(prefix="liaison-cli-speed-"))
    try:
        report = measure(runs=args.runs, source=args.source, data_dir=tmp / "data")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(report)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
