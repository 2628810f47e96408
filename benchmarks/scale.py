"""Wall time of a run over N targets, in parallel against one after the other.
Run: .venv/bin/python benchmarks/scale.py [--targets 1,2,4] [--command plan]

For each N, a config with N target accounts (one region each, the security component, provider
generation 3) is planned with `bcce --parallelism N plan --force` and with `--parallelism 1`, each
in a fresh directory, against one moto server on loopback (each account apart, through the
credentials AssumeRole returns). Each timing is the whole `bcce` process: one child per target,
each assuming its role, running readiness, `terraform init` from the offline mirror and the plan.
One untimed warm-up run comes first. Prints a Markdown table; nothing is asserted, the numbers depend on the machine (named above it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def config(count: int) -> dict:
    accounts = [f"{100000000000 + n * 111111111:012d}" for n in range(1, count + 1)]
    return {"organization_id": "acme", "regions": ["us-east-1"], "components": ["security"],
            "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
            "targets": [{"account_id": a, "role_arn": f"arn:aws:iam::{a}:role/bcce-deploy"} for a in accounts]}


def timed_run(count: int, parallelism: int, command: str, url: str, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bcce.json").write_text(json.dumps(config(count)))
        run_env = {**env, "BCCE_STATE_DIR": str(Path(tmp) / "state")}
        argv = [sys.executable, "-m", "bcce_tf", "--quiet", "--endpoint-url", url, "--parallelism", str(parallelism), command, "--force"]
        if command == "apply":
            argv.append("--auto-approve")
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=tmp, env=run_env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv[3:])} failed with exit {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", default="1,2,4", help="comma-separated target counts")
    parser.add_argument("--command", default="plan", choices=("plan", "apply"))
    args = parser.parse_args()
    counts = [int(n) for n in args.targets.split(",")]

    from moto.server import ThreadedMotoServer

    from bcce_tf.emulator import install_all
    from bcce_tf.providers import build_mirror, default_mirror_dir

    mirror = Path(os.environ.get("BCCE_MIRROR_DIR") or default_mirror_dir())
    build_mirror(mirror)
    install_all()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_", "BCCE_"))},
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
           "BCCE_MIRROR_DIR": str(mirror), "PYTHONPATH": str(ROOT)}
    rows, one = [], None
    try:
        timed_run(1, 1, args.command, url, env)  # warm-up, not counted: page cache, moto's first requests
        for count in counts:
            parallel = timed_run(count, count, args.command, url, env)
            serial = timed_run(count, 1, args.command, url, env) if count > 1 else parallel
            one = parallel if one is None and count == 1 else one
            versus_one = f"{parallel / one:.2f}x" if one else "-"
            rows.append(f"| {count} | {serial:.1f} s | {parallel:.1f} s | {parallel / serial:.2f} | {versus_one} | "
                        f"{parallel / count:.1f} s |")
    finally:
        server.stop()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; `bcce {args.command}` of the security component per target")
    print("| targets N | parallelism 1 | parallelism N | N / 1 | parallel vs one target | parallel time per target |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
