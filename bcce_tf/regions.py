"""AWS region names: the one place bcce decides whether a string names a region.

A name is valid when botocore's endpoint data (`botocore/data/partitions.json`) lists it in one
of the AWS partitions, or when it matches that partition's documented `regionRegex` (so a region
launched after this botocore release is still accepted). The file is read as JSON, without
importing botocore, so that validating a command line stays fast.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

from bcce_tf.errors import UsageError

# Region names are lower-case words joined by hyphens; the partitions' patterns use \w, which
# would also let upper case and underscores through.
_SHAPE = re.compile(r"^[a-z]{2,5}(-[a-z]+)+-[0-9]{1,2}$")


@dataclass(frozen=True)
class Partition:
    id: str
    pattern: re.Pattern[str]
    regions: tuple[str, ...]


def partitions_file() -> Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        from bcce_tf.errors import EnvironmentProblem

        raise EnvironmentProblem("botocore is not installed: bcce needs it for AWS region names")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "partitions.json"


def parse_partitions(data: dict) -> tuple[Partition, ...]:
    """Partitions from botocore's partitions.json; the `*-global` pseudo regions are left out."""
    found = []
    for entry in data.get("partitions", []):
        regions = tuple(sorted(name for name in entry.get("regions", {}) if not name.endswith("-global")))
        found.append(Partition(str(entry["id"]), re.compile(str(entry["regionRegex"])), regions))
    return tuple(found)


@functools.lru_cache(maxsize=1)
def partitions() -> tuple[Partition, ...]:
    return parse_partitions(json.loads(partitions_file().read_text(encoding="utf-8")))


def known_regions(found: tuple[Partition, ...] | None = None) -> tuple[str, ...]:
    return tuple(sorted(name for partition in (found or partitions()) for name in partition.regions))


def problem(name: object, found: tuple[Partition, ...] | None = None) -> str | None:
    """None when `name` is an AWS region name, else why not, with the closest valid names."""
    found = found or partitions()
    if not isinstance(name, str):
        return f"a region name is a string, not {type(name).__name__}"
    known = known_regions(found)
    if name in known:
        return None
    if _SHAPE.fullmatch(name) and any(partition.pattern.fullmatch(name) for partition in found):
        return None
    shown = name if len(name) <= 40 and name.isprintable() else repr(name[:40])
    close = difflib.get_close_matches(name.strip().lower(), known, n=3, cutoff=0.6)
    hint = f"; closest: {', '.join(close)}" if close else f"; known regions look like {known[0]} or us-east-1"
    return f"'{shown}' is not an AWS region name{hint}"


def check(name: str, label: str) -> str:
    """`name` when it is a region name; else UsageError (exit 3) naming `label` (an option or a
    query key). Never retried: the same name fails the same way."""
    reason = problem(name)
    if reason is not None:
        raise UsageError(f"{label}: {reason}")
    return name
