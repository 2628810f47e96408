"""Start-up cost of the CLI against the toolkit it is built on, measured paired.

Run: .venv/bin/python benchmarks/startup.py [--repeat N]

Each round runs `python -c "import typer"`, `bcce --help` and `bcce --version` one after the other
(the order rotates each round), so the machine's load drifts over all three alike. The ratio is
median(bcce) / median(import typer); the target is at most 1.5. Prints a Markdown table and the
machine it ran on. Nothing is asserted: the numbers belong to the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
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


def once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def measure(repeat: int, env: dict[str, str] | None = None) -> dict[str, list[float]]:
    """`repeat` rounds of every command, alternating; the first round warms the file cache and is dropped."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    table = commands()
    names = list(table)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeat + 1):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            elapsed = once(table[name], env)
            if round_:
                samples[name].append(elapsed)
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


def report(samples: dict[str, list[float]]) -> str:
    baseline_name = next(iter(samples))
    baseline = statistics.median(samples[baseline_name])
    lines = ["| command | median | ratio to `import typer` | runs |", "|---|---|---|---|"]
    for name, values in samples.items():
        median = statistics.median(values)
        ratio = "1.00" if name == baseline_name else f"{median / baseline:.2f}"
        lines.append(f"| `{name}` | {median * 1000:,.0f} ms | {ratio} | {len(values)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="paired rounds (default 15)")
    args = parser.parse_args()
    samples = measure(args.repeat)
    print(report(samples))
    baseline = statistics.median(samples['python -c "import typer"'])
    worst = max(statistics.median(values) / baseline for name, values in samples.items() if name.startswith("bcce"))
    print(f"\nmachine: {machine()}")
    print(f"worst ratio {worst:.2f} (target <= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
