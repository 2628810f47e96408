"""Breaker records in a DynamoDB table, for a fleet of CI runners that shares breaker state.

One item per breaker, keyed by the string attribute "name". Writes are conditional on the
`version` the writer read, so two runners can never overwrite each other's change; the loser
reads again and re-applies its change.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import botocore.exceptions as boto_errors

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.resilience.breaker_record import BreakerRecord
from bcce_tf.resilience.breaker_store import BreakerUpdate, Change

_CONFLICT = "ConditionalCheckFailedException"


class DynamoDBBreakerStore:
    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        max_conflicts: int = 20,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self.table_name = table_name
        self._max_conflicts = max_conflicts
        self._sleep = sleep

    def read_all(self) -> dict[str, BreakerRecord]:
        records: dict[str, BreakerRecord] = {}
        with _translated("Scan"):
            pages = self._client.get_paginator("scan").paginate(TableName=self.table_name, ConsistentRead=True)
            for page in pages:
                for item in page.get("Items", []):
                    record = _from_item(item)
                    records[record.name] = record
        return records

    def read(self, name: str) -> BreakerRecord | None:
        with _translated("GetItem"):
            response = self._client.get_item(TableName=self.table_name, Key=_key(name), ConsistentRead=True)
        item = response.get("Item")
        return _from_item(item) if item else None

    def update(self, name: str, change: Change) -> BreakerUpdate:
        for _ in range(self._max_conflicts):
            before = self.read(name)
            current = before if before is not None else BreakerRecord(name=name)
            after = change(current)
            if after == current and before is not None:
                return BreakerUpdate(before, after)
            after = replace(after, version=current.version + 1)
            if self._put_if_unchanged(after, expected=before):
                return BreakerUpdate(before, after)
            self._sleep(random.uniform(0, 0.05))
        raise EnvironmentProblem(
            f"circuit breaker '{name}': {self._max_conflicts} writes in a row lost a race "
            f"in DynamoDB table {self.table_name}"
        )

    def _put_if_unchanged(self, record: BreakerRecord, *, expected: BreakerRecord | None) -> bool:
        if expected is None:
            condition: dict[str, Any] = {
                "ConditionExpression": "attribute_not_exists(#name)",
                "ExpressionAttributeNames": {"#name": "name"},
            }
        else:
            condition = {
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":expected": {"N": str(expected.version)}},
            }
        try:
            with _translated("PutItem", passing=_CONFLICT):
                self._client.put_item(TableName=self.table_name, Item=_to_item(record), **condition)
        except boto_errors.ClientError:
            return False
        return True


@contextmanager
def _translated(operation: str, *, passing: str | None = None) -> Iterator[None]:
    """botocore's errors through bcce's one translator (aws_errors), except the `passing` code."""
    from bcce_tf.aws_errors import translate

    try:
        yield
    except boto_errors.ClientError as exc:
        if passing is not None and exc.response.get("Error", {}).get("Code") == passing:
            raise
        raise translate(exc, "dynamodb", operation) from exc
    except boto_errors.BotoCoreError as exc:
        raise translate(exc, "dynamodb", operation) from exc


def _key(name: str) -> dict[str, Any]:
    return {"name": {"S": name}}


def _to_item(record: BreakerRecord) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for key, value in record.to_dict().items():
        if value is None:
            continue
        item[key] = {"S": str(value)} if isinstance(value, str) else {"N": repr(value)}
    return item


def _from_item(item: dict[str, Any]) -> BreakerRecord:
    return BreakerRecord.from_dict({key: next(iter(typed.values())) for key, typed in item.items()})
