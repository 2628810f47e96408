"""What an S3 bucket holds, and emptying it completely: every object version and delete marker,
a page (at most 1,000) at a time, through the one AWS client factory (bcce_tf/aws.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bcce_tf.errors import AwsError

PAGE = 1000  # the most list_object_versions returns and delete_objects accepts in one call


@dataclass(frozen=True)
class BucketContents:
    bucket: str
    versions: int  # object versions, current and noncurrent
    delete_markers: int
    size: int  # bytes, all versions
    exists: bool = True

    def describe(self) -> str:
        if not self.exists:
            return "already gone"
        return f"{self.versions} object versions, {_size(self.size)}" + (
            f", {self.delete_markers} delete markers" if self.delete_markers else "")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def _missing(exc: Exception) -> bool:
    return getattr(exc, "fields", {}).get("code") == "NoSuchBucket"


def contents(clients: Any, region: str, bucket: str) -> BucketContents:
    """Count every version and delete marker (paged); a bucket that no longer exists says so."""
    versions = markers = size = 0
    params: dict[str, Any] = {"Bucket": bucket, "MaxKeys": PAGE}
    while True:
        try:
            page = clients.call("s3", region, "list_object_versions", **params)
        except AwsError as exc:
            if _missing(exc):
                return BucketContents(bucket, 0, 0, 0, exists=False)
            raise
        for version in page.get("Versions") or []:
            versions += 1
            size += int(version.get("Size") or 0)
        markers += len(page.get("DeleteMarkers") or [])
        if not page.get("IsTruncated"):
            return BucketContents(bucket, versions, markers, size)
        params["KeyMarker"] = page.get("NextKeyMarker")
        params["VersionIdMarker"] = page.get("NextVersionIdMarker")


def empty(clients: Any, region: str, bucket: str, on_progress: Callable[[int], None] | None = None) -> int:
    """Delete every version and delete marker of `bucket`; returns how many were deleted.

    Each round lists from the start and deletes what it got, until a listing comes back empty: a
    re-run after an interruption simply carries on, and objects written meanwhile are caught too."""
    deleted = 0
    while True:
        try:
            page = clients.call("s3", region, "list_object_versions", Bucket=bucket, MaxKeys=PAGE)
        except AwsError as exc:
            if _missing(exc):
                return deleted
            raise
        batch = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                 for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])]
        if not batch:
            return deleted
        answer = clients.call("s3", region, "delete_objects", Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        errors = answer.get("Errors") or []
        if errors:
            first = errors[0]
            raise AwsError(service="s3", operation="DeleteObjects", code=str(first.get("Code")),
                           detail=f"{len(errors)} object versions of s3://{bucket} not deleted, first "
                                  f"{first.get('Key')}: {first.get('Message')}")
        deleted += len(batch)
        if on_progress is not None:
            on_progress(deleted)
