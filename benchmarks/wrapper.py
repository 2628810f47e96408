"""What the bcce wrapper costs against raw Terraform on the same root and the same emulator.

Run: .venv/bin/python benchmarks/wrapper.py [--repeat N]

One moto server on loopback (with bcce's emulator additions, as the tests use it) serves every
run. Each round, for the security component (hashicorp/aws 3.39 from the offline mirror):
- `bcce plan --force` (render, readiness gate, init, plan, show -json, summary) against
  `terraform init && terraform plan -out && terraform show -json` in a copy of the root bcce rendered;
- `bcce apply --force` (gate, apply of the saved plan) against `terraform apply <plan>`;
- both destroy what they made and the emulator is reset between them, so every plan and apply
  starts from an empty account.
The order of the two sides rotates each round and the first round (warm-up) is dropped. Then the
readiness gate alone (`bcce readiness`) for a config of 1 region and of 4 regions, paired: its
checks run concurrently, so 4 regions should cost about what 1 does.
Prints a Markdown table with medians and ratios, and the machine. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from startup import bcce_command, machine  # noqa: E402

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
REGIONS_4 = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]


def config(regions: list[str]) -> dict:
    return {
        "organization_id": "acme", "regions": regions, "components": ["security"],
        "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
    }


def timed(argv: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


class Bench:
    def __init__(self, url: str, work: Path, mirror: Path) -> None:
        from bcce_tf.providers import cli_config_path

        self.url = url
        self.bcce = [*bcce_command(), "--endpoint-url", url]
        self.tf = [sys.executable, "-m", "bcce_tf.tfshim"]
        # The bytecode cache on, as for an installed package (see startup.py).
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("TF_", "AWS_", "BCCE_")) and k != "PYTHONDONTWRITEBYTECODE"}
        self.env = {**base, **CREDENTIALS, "BCCE_MIRROR_DIR": str(mirror), "BCCE_STATE_DIR": str(work / "state"),
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.tf_env = {**self.env, "TF_CLI_CONFIG_FILE": str(cli_config_path(mirror)), "CHECKPOINT_DISABLE": "1",
                       "TF_IN_AUTOMATION": "1"}
        self.project = work / "project"
        self.project.mkdir()
        (self.project / "bcce.json").write_text(json.dumps(config(["us-east-1"])))
        self.raw = work / "raw"

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=30).read()

    def bcce_side(self) -> dict[str, float]:
        plan = timed([*self.bcce, "plan", "--force"], self.project, self.env)
        apply = timed([*self.bcce, "apply", "--force"], self.project, self.env)
        timed([*self.bcce, "destroy", "--auto-approve", "--delete-data"], self.project, self.env)
        self.reset()
        return {"plan": plan, "apply": apply}

    def raw_side(self) -> dict[str, float]:
        if not self.raw.exists():  # the root bcce rendered, without its state, plan or Terraform data
            rendered = self.project / ".bcce" / "stacks" / "bcce-us-east-1"
            shutil.copytree(rendered, self.raw, ignore=shutil.ignore_patterns(
                ".terraform", "terraform.tfstate*", "*.tfplan", "bcce-plan-summary.json"))
        plan = (timed([*self.tf, "init", "-input=false", "-no-color"], self.raw, self.tf_env)
                + timed([*self.tf, "plan", "-input=false", "-no-color", "-out=raw.tfplan"], self.raw, self.tf_env)
                + timed([*self.tf, "show", "-json", "raw.tfplan"], self.raw, self.tf_env))
        apply = timed([*self.tf, "apply", "-input=false", "-no-color", "raw.tfplan"], self.raw, self.tf_env)
        timed([*self.tf, "destroy", "-auto-approve", "-input=false", "-no-color"], self.raw, self.tf_env)
        self.reset()
        return {"plan": plan, "apply": apply}

    def gate(self, regions: list[str]) -> float:
        project = self.project.parent / f"gate-{len(regions)}"
        project.mkdir(exist_ok=True)
        (project / "bcce.json").write_text(json.dumps(config(regions)))
        # The gate may refuse an emulator account (exit 6): that is a measured run of it too.
        return timed([*self.bcce, "readiness", "--format", "json"], project, self.env, ok=(0, 6))


def paired(repeat: int, sides: dict[str, Callable[[], dict[str, float]]]) -> dict[str, dict[str, list[float]]]:
    """`repeat` rounds of every side, the order rotating; the first round warms up and is dropped."""
    names = list(sides)
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in names}
    for round_ in range(repeat + 1):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            for step, elapsed in sides[name]().items():
                if round_:
                    samples[name].setdefault(step, []).append(elapsed)
    return samples


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="paired rounds after the warm-up round (default 3)")
    args = parser.parse_args()

    import logging

    from moto.server import ThreadedMotoServer

    from bcce_tf.emulator import install_all
    from bcce_tf.providers import build_mirror, default_mirror_dir

    mirror = Path(os.environ.get("BCCE_MIRROR_DIR") or default_mirror_dir())
    build_mirror(mirror)
    install_all()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per emulator request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        with tempfile.TemporaryDirectory(prefix="bcce-wrapper-") as tmp:
            bench = Bench(f"http://{host}:{port}", Path(tmp), mirror)
            bench.bcce_side()  # renders the root the raw side copies
            sides = paired(args.repeat, {"bcce": bench.bcce_side, "terraform": bench.raw_side})
            gates = paired(args.repeat, {"1": lambda: {"gate": bench.gate(["us-east-1"])},
                                         "4": lambda: {"gate": bench.gate(REGIONS_4)}})
    finally:
        server.stop()

    lines = ["| measurement | bcce | raw Terraform | ratio | runs |", "|---|---|---|---|---|"]
    labels = {"plan": ("`bcce plan --force` (gate included) vs `terraform init && plan -out && show -json`"),
              "apply": "`bcce apply --force` (gate included) vs `terraform apply <plan>`"}
    for step, label in labels.items():
        ours, raw = sides["bcce"][step], sides["terraform"][step]
        lines.append(f"| {label} | {ms(ours)} | {ms(raw)} | {statistics.median(ours) / statistics.median(raw):.2f}x "
                     f"| {len(ours)} |")
    one, four = gates["1"]["gate"], gates["4"]["gate"]
    lines.append(f"| `bcce readiness`, 4 regions vs 1 region | {ms(four)} | {ms(one)} (1 region) "
                 f"| {statistics.median(four) / statistics.median(one):.2f}x | {len(one)} |")
    print("\n".join(lines))
    print(f"\nmachine: {machine()}")


if __name__ == "__main__":
    main()
