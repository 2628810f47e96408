"""Measure what a bcce user waits for. Run: .venv/bin/python benchmarks/run.py [--repeat N]

Prints a Markdown table (median and spread of N runs) for:
- `bcce --help` (start-up cost of the CLI),
- rendering every component for one region (pure Python + Jinja),
- the provider mirror's "already up to date" check (hashing the 177 MB aws provider),
- init, plan, apply and destroy of the security component with the bundled Terraform and
  hashicorp/aws 3.39 against a moto server on loopback.
Nothing here is asserted; numbers depend on the machine, so the table names it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def row(name: str, samples: list[float]) -> str:
    median = statistics.median(samples)
    spread = (max(samples) - min(samples)) if len(samples) > 1 else 0.0
    return f"| {name} | {median * 1000:,.0f} ms | ±{spread * 500:,.0f} ms | {len(samples)} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    from bcce_tf.config import Config
    from bcce_tf.providers import build_mirror, cli_config_path, default_mirror_dir
    from bcce_tf.render import RenderOptions, StackTarget, render_files, render_stack

    rows = []
    rows.append(row("bcce --help", timed(lambda: subprocess.run([sys.executable, "-m", "bcce_tf", "--help"],
                                                              capture_output=True, check=True), args.repeat)))
    config = Config.model_validate({"provider": {"generation": 5}, "dashboard": {"platform": "grafana"}})
    rows.append(row("render all components (gen 5)", timed(
        lambda: render_files(config, StackTarget("bcce", "us-east-1"), RenderOptions()), args.repeat)))
    mirror = Path(os.environ.get("BCCE_MIRROR_DIR") or default_mirror_dir())
    build_mirror(mirror)
    rows.append(row("provider mirror up-to-date check", timed(lambda: build_mirror(mirror), args.repeat)))

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))},
           "TF_CLI_CONFIG_FILE": str(cli_config_path(mirror)), "CHECKPOINT_DISABLE": "1",
           "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "PYTHONPATH": str(ROOT)}
    security = Config.model_validate({"components": ["security"], "provider": {"generation": 3},
                                      "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True}})
    steps: dict[str, list[float]] = {"init": [], "plan": [], "apply": [], "destroy": []}
    with tempfile.TemporaryDirectory() as tmp:
        stack = render_stack(security, StackTarget("bcce", "us-east-1"), Path(tmp), RenderOptions(endpoint_url=url))
        tf = [sys.executable, "-m", "bcce_tf.tfshim"]
        commands = {
            "init": ["init", "-input=false"],
            "plan": ["plan", "-input=false", "-out=p"],
            "apply": ["apply", "-input=false", "p"],
            "destroy": ["destroy", "-auto-approve", "-input=false"],
        }
        for _ in range(args.repeat):
            for step, argv in commands.items():
                started = time.perf_counter()
                subprocess.run([*tf, *argv], cwd=stack.directory, env=env, capture_output=True, check=True)
                steps[step].append(time.perf_counter() - started)
    server.stop()
    for step, samples in steps.items():
        rows.append(row(f"terraform {step}, security component", samples))

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print("| measurement | median | spread | runs |\n|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
