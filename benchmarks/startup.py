"""Start-up cost of the CLI against the toolkit it is built on, measured paired.

Run: .venv/bin/python benchmarks/startup.py [--repeat N]

Each round runs `python -c "import typer"`, `bcce --help` and `bcce --version` one after the other
(the order rotates each round), so the machine's load drifts over all three alike. The ratio is
median(bcce) / median(import typer); the target is at most 1.5. Prints a Markdown table and the
machine it ran on. The CPU time (user + system) of each child is shown too: on a loaded machine
it drifts less than the wall time. Nothing is asserted: the numbers belong to the machine.

Python's bytecode cache is on, as for an installed package (the warm-up round writes it): an
inherited PYTHONDONTWRITEBYTECODE=1 is dropped from the children's environment, else every run
would compile every bcce module from source while typer's modules come compiled from the wheel.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5


def bcce_command() -> list[str]:
    """The `bcce` console script next to this Python, as a user runs it; else `python -m bcce_tf`."""
    script = Path(sys.executable).with_name("bcce")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bcce_tf"]


def commands() -> dict[str, list[str]]:
    bcce = bcce_command()
    return {
        'python -c "import typer"': [sys.executable, "-c", "import typer"],
        "bcce --help": [*bcce, "--help"],
        "bcce --version": [*bcce, "--version"],
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(argv: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Wall time of one run; its CPU time is appended to `cpu` when given."""
    cpu_before, started = _cpu(), time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    elapsed = time.perf_counter() - started
    if cpu is not None:
        cpu.append(_cpu() - cpu_before)
    return elapsed


def measure(repeat: int, env: dict[str, str] | None = None,
            cpu: dict[str, list[float]] | None = None) -> dict[str, list[float]]:
    """`repeat` rounds of every command, alternating; the first round warms the file and bytecode
    caches and is dropped."""
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    table = commands()
    names = list(table)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeat + 1):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            used: list[float] = []
            elapsed = once(table[name], env, used)
            if round_:
                samples[name].append(elapsed)
                if cpu is not None:
                    cpu.setdefault(name, []).extend(used)
    return samples


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores (nproc), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def report(samples: dict[str, list[float]], cpu: dict[str, list[float]] | None = None) -> str:
    baseline_name = next(iter(samples))
    baseline = statistics.median(samples[baseline_name])
    cpu = cpu or {}
    cpu_baseline = statistics.median(cpu[baseline_name]) if cpu.get(baseline_name) else 0.0
    lines = ["| command | median | ratio to `import typer` | CPU median | CPU ratio | runs |", "|---|---|---|---|---|---|"]
    for name, values in samples.items():
        median = statistics.median(values)
        ratio = "1.00" if name == baseline_name else f"{median / baseline:.2f}"
        used = cpu.get(name)
        cpu_cells = (f"{statistics.median(used) * 1000:,.0f} ms | {statistics.median(used) / cpu_baseline:.2f}"
                     if used and cpu_baseline else "not measured | -")
        lines.append(f"| `{name}` | {median * 1000:,.0f} ms | {ratio} | {cpu_cells} | {len(values)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="paired rounds (default 15)")
    args = parser.parse_args()
    cpu: dict[str, list[float]] = {}
    samples = measure(args.repeat, cpu=cpu)
    print(report(samples, cpu))

    baseline = statistics.median(samples['python -c "import typer"'])
    worst = max(statistics.median(values) / baseline for name, values in samples.items() if name.startswith("bcce"))
    print(f"\nmachine: {machine()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"worst ratio {worst:.2f} (target <= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
