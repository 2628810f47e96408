"""What emptying a versioned bucket costs on the `--delete-data` path, against a raw boto3 loop.

Run: .venv/bin/python benchmarks/empty_bucket.py [--repeat N] [--entries 10000]

One moto server on loopback (with bcce's emulator additions, as the tests use it). Each round
fills two versioned buckets the same way: 3/4 of the entries are object versions (every key
written three times), 1/4 delete markers (one on top of every key). Then, in an order that rotates each round:
- bcce: `bcce_tf.bucket_data.empty` through `AwsClients` (the retry policy and the aws:s3 breaker),
  which lists from the start each round and deletes each page with one DeleteObjects;
- the anchor: a raw boto3 client, the `list_object_versions` paginator, one `delete_objects` per page.
Requests are counted with a botocore `before-send` hook on each client (every HTTP request sent,
retries included). Both must leave the bucket empty. Prints a Markdown table with medians, the
ratio to the anchor, and the machine. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from startup import machine  # noqa: E402

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def raw_client(url: str) -> Any:
    import boto3

    return boto3.client("s3", region_name=REGION, endpoint_url=url, **CREDENTIALS)


def counter(client: Any) -> list[int]:
    sent = [0]

    def count(**_: Any) -> None:
        sent[0] += 1

    client.meta.events.register("before-send.s3", count)
    return sent


def fill(url: str, bucket: str, entries: int) -> None:
    """`entries` versions and delete markers: keys = entries/4, each with 3 versions and a marker."""
    s3 = raw_client(url)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    keys = [f"logs/{i:06d}" for i in range(entries // 4)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda job: s3.put_object(Bucket=bucket, Key=job[0], Body=b"x" * 64),
                      [(key, n) for n in range(3) for key in keys]))
    for start in range(0, len(keys), 1000):  # a DeleteObjects without version ids writes delete markers
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})


def remaining(url: str, bucket: str) -> int:
    page = raw_client(url).list_object_versions(Bucket=bucket, MaxKeys=1000)
    return len(page.get("Versions") or []) + len(page.get("DeleteMarkers") or [])


def run_bcce(url: str, bucket: str) -> tuple[float, int, int]:
    from bcce_tf import bucket_data
    from bcce_tf.aws import AwsClients

    clients = AwsClients(endpoint_url=url, environ={})
    sent = counter(clients.client("s3", REGION))
    started = time.perf_counter()
    deleted = bucket_data.empty(clients, REGION, bucket)
    return time.perf_counter() - started, sent[0], deleted


def run_anchor(url: str, bucket: str) -> tuple[float, int, int]:
    """List every page with the paginator, then one delete_objects per page. (Deleting each page
    while paging on would be one loop, but moto then loses its place at the version-id marker of
    a version just deleted and ends the listing early; real S3 does not.)"""
    s3 = raw_client(url)
    sent = counter(s3)
    started = time.perf_counter()
    batches = [[{"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])]
               for page in s3.get_paginator("list_object_versions").paginate(
                   Bucket=bucket, PaginationConfig={"PageSize": 1000})]
    deleted = 0
    for batch in batches:
        if batch:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
            deleted += len(batch)
    return time.perf_counter() - started, sent[0], deleted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--entries", type=int, default=10_000, help="object versions plus delete markers per bucket")
    args = parser.parse_args()

    import os

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        os.environ.setdefault(name, value)
    from moto.server import ThreadedMotoServer

    from bcce_tf.emulator import install_all

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    install_all()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    sides = {"raw boto3: paginator, then delete_objects per page (anchor)": run_anchor, "bcce --delete-data emptying (bucket_data.empty)": run_bcce}
    times: dict[str, list[float]] = {name: [] for name in sides}
    requests: dict[str, list[int]] = {name: [] for name in sides}
    fill_times: list[float] = []
    try:
        for round_ in range(args.repeat):
            order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
            for n, name in enumerate(order):
                bucket = f"bench-{round_}-{n}"
                started = time.perf_counter()
                fill(url, bucket, args.entries)
                fill_times.append(time.perf_counter() - started)
                seconds, sent, deleted = sides[name](url, bucket)
                left = remaining(url, bucket)
                if deleted != args.entries or left:
                    raise SystemExit(f"{name}: deleted {deleted} of {args.entries}, {left} left in s3://{bucket}")
                times[name].append(seconds)
                requests[name].append(sent)
                print(f"round {round_ + 1} {name}: {seconds:.2f} s, {sent} requests", file=sys.stderr)
    finally:
        server.stop()

    anchor = next(iter(sides))
    base = statistics.median(times[anchor])
    print(f"Emptying a versioned bucket of {args.entries:,} entries ({args.entries * 3 // 4:,} object versions, "
          f"{args.entries // 4:,} delete markers) on moto over loopback; {args.repeat} rounds, order alternating; "
          f"filling took {statistics.median(fill_times):.1f} s median; load average {os.getloadavg()[0]:.1f}.")
    print(f"Machine: {machine()}\n")
    print("| path | median | ratio to anchor | spread | requests |")
    print("|---|---|---|---|---|")
    for name in sides:
        median = statistics.median(times[name])
        spread = (max(times[name]) - min(times[name])) / 2
        counts = sorted(set(requests[name]))
        print(f"| {name} | {median:.2f} s | {median / base:.2f}x | ±{spread:.2f} s | "
              f"{', '.join(str(c) for c in counts)} |")


if __name__ == "__main__":
    main()
