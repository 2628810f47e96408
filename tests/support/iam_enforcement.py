"""moto's IAM enforcement over HTTP: POST /moto-api/reset-auth sets INITIAL_NO_AUTH_ACTION_COUNT
(the number of calls served before policies are checked); posting "inf" turns checking off."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager


def _reset_auth(url: str, count: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset-auth", data=count.encode(), method="POST",
                                     headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request, timeout=10).read()


def user_with_policy(emulator, name: str, document: dict) -> dict[str, str]:  # noqa: ANN001
    """An IAM user with one inline policy; returns its access key as AWS_* variables."""
    iam = emulator.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


@contextmanager
def enforced(url: str) -> Iterator[None]:
    """Every call checked against the caller's IAM policies, until the block ends."""
    _reset_auth(url, "0")
    try:
        yield
    finally:
        _reset_auth(url, "inf")
