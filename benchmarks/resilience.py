"""What bcce's resilience layer costs per operation. Run: .venv/bin/python benchmarks/resilience.py [--repeat N]

Prints a Markdown table (median and spread of N samples, each the mean of many calls) for:
- classifying a failed Terraform run: a short stderr, and a -json apply stream of 2,000
  resource events with the error diagnostic at the end (the pattern table is tried in order,
  credentials first, so an unclassified failure is the slowest case);
- the policy and breaker around an operation that succeeds at once: `run_with_retry` alone, and
  `Resilience.run` with the file breaker store (two locked read-modify-writes of the JSON file);
- the same operation called bare, for comparison.
Nothing here is asserted; numbers depend on the machine, so the table names it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def per_call(fn: Callable[[], object], calls: int, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - started) / calls)
    return samples


def row(name: str, samples: list[float]) -> str:
    median = statistics.median(samples)
    spread = (max(samples) - min(samples)) / 2 if len(samples) > 1 else 0.0
    return f"| {name} | {median * 1e6:,.1f} µs | ±{spread * 1e6:,.1f} µs | {len(samples)} |"


def apply_stream(resources: int, error: str) -> str:
    lines = []
    for n in range(resources):
        address = f"module.security.aws_s3_bucket.bucket_{n}"
        lines.append(json.dumps({"@level": "info", "@message": f"{address}: Creating...", "type": "apply_start",
                                 "hook": {"resource": {"addr": address}, "action": "create"}}))
        lines.append(json.dumps({"@level": "info", "@message": f"{address}: Creation complete after 0s",
                                 "type": "apply_complete", "hook": {"resource": {"addr": address}}}))
    lines.append(json.dumps({"@level": "error", "@message": "Error: failed", "type": "diagnostic",
                             "diagnostic": {"severity": "error", "summary": error, "detail": ""}}))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from bcce_tf.resilience.breaker import BreakerSettings, FileBreakerStore
    from bcce_tf.resilience.classify import classify_terraform_output
    from bcce_tf.resilience.guard import Resilience
    from bcce_tf.resilience.policy import RetryPolicy, run_with_retry

    reset = ('Error: RequestError: send request failed\ncaused by: Post "http://127.0.0.1:1/": '
             "read tcp 127.0.0.1:2->127.0.0.1:1: read: connection reset by peer")
    unknown = "Error: creating KMS Key: MalformedPolicyDocumentException: the policy is not valid"
    rows = [
        row("classify: short stderr, transient", per_call(lambda: classify_terraform_output(reset), 2000, args.repeat)),
        row("classify: short stderr, unclassified", per_call(lambda: classify_terraform_output(unknown), 2000, args.repeat)),
    ]
    stream = apply_stream(2000, reset)
    rows.append(row("classify: -json apply stream, 2,000 resources", per_call(
        lambda: classify_terraform_output("", stream), 20, args.repeat)))

    def succeed(_: int) -> int:
        return 0

    policy = RetryPolicy()
    rows.append(row("operation called bare", per_call(lambda: succeed(1), 20000, args.repeat)))
    rows.append(row("run_with_retry, first attempt succeeds", per_call(
        lambda: run_with_retry(succeed, check=lambda _: None, policy=policy, name="bench"), 2000, args.repeat)))
    with tempfile.TemporaryDirectory() as tmp:
        resilience = Resilience(policy=policy, breakers=BreakerSettings(),
                                store=FileBreakerStore(Path(tmp) / "circuit-breakers.json"))
        rows.append(row("Resilience.run with the file breaker store", per_call(
            lambda: resilience.run("bench", ("stack", "us-east-1"), succeed, lambda _: None), 200, args.repeat)))

    print(f"bcce resilience layer on {platform.machine()} {platform.system()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs\n")
    print("| what | per call (median) | spread | samples |")
    print("|---|---|---|---|")
    for line in rows:
        print(line)


if __name__ == "__main__":
    main()
