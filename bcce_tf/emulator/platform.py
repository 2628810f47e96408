"""Operations moto 5.2 lacks that the platform components (analytics, monitoring) call.

hashicorp/aws reads every resource back after creating it and deletes it on destroy; where moto has
no handler for one of those calls the apply or destroy fails although the resource itself is
emulated. Each addition below stores and returns exactly the members botocore's service model
documents for that operation (checked in tests/integration/test_moto_patches_platform.py):

- athena   DeleteNamedQuery                    (destroy of aws_athena_named_query)
- logs     PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition
                                               (aws_cloudwatch_query_definition)
- budgets  DescribeSubscribersForNotification  (read of aws_budgets_budget notifications)
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

# Operations this module adds: service -> operation names (as in botocore's service model).
OPERATIONS: dict[str, tuple[str, ...]] = {
    "athena": ("DeleteNamedQuery",),
    "logs": ("PutQueryDefinition", "DescribeQueryDefinitions", "DeleteQueryDefinition"),
    "budgets": ("DescribeSubscribersForNotification",),
}


def install() -> None:
    _install_athena()
    _install_logs()
    _install_budgets()


# --- athena ---------------------------------------------------------------------------------------

def _install_athena() -> None:
    from moto.athena.models import AthenaBackend
    from moto.athena.responses import AthenaResponse

    def delete_named_query(self: AthenaBackend, query_id: str) -> bool:
        return self.named_queries.pop(query_id, None) is not None

    def delete_named_query_response(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
        query_id = self._get_param("NamedQueryId")
        backend: Any = self.athena_backend
        if not backend.delete_named_query(query_id):
            return self.error(f"NamedQuery {query_id} was not found", 400)
        return json.dumps({})

    AthenaBackend.delete_named_query = delete_named_query  # type: ignore[attr-defined]
    AthenaResponse.delete_named_query = delete_named_query_response  # type: ignore[attr-defined]


# --- logs -----------------------------------------------------------------------------------------

def _query_definitions(backend: Any) -> dict[str, dict[str, Any]]:
    # Kept on the backend instance, so moto's reset (which re-creates backends) clears it too.
    store = backend.__dict__.get("_query_definitions")
    if store is None:
        store = backend.__dict__["_query_definitions"] = {}
    return store


def _install_logs() -> None:
    from moto.logs.exceptions import (
        InvalidParameterException,
        ResourceNotFoundException,
    )
    from moto.logs.models import LogsBackend
    from moto.logs.responses import LogsResponse

    def put_query_definition(self: LogsBackend, name: str, query_string: str, log_group_names: list[str] | None,
                             query_definition_id: str | None, query_language: str | None) -> str:
        if not name or not query_string:
            raise InvalidParameterException("name and queryString are required")
        store = _query_definitions(self)
        if query_definition_id is not None and query_definition_id not in store:
            raise ResourceNotFoundException(f"Query definition {query_definition_id} does not exist")
        definition_id = query_definition_id or str(uuid.uuid4())
        definition: dict[str, Any] = {
            "queryLanguage": query_language or "CWLI",
            "queryDefinitionId": definition_id,
            "name": name,
            "queryString": query_string,
            "lastModified": int(time.time() * 1000),
        }
        if log_group_names:
            definition["logGroupNames"] = list(log_group_names)
        store[definition_id] = definition
        return definition_id

    def describe_query_definitions(self: LogsBackend, name_prefix: str | None, query_language: str | None) -> list[dict[str, Any]]:
        found = [
            dict(d) for d in _query_definitions(self).values()
            if (not name_prefix or d["name"].startswith(name_prefix))
            and (not query_language or d["queryLanguage"] == query_language)
        ]
        return sorted(found, key=lambda d: d["name"])

    def delete_query_definition(self: LogsBackend, query_definition_id: str) -> None:
        if _query_definitions(self).pop(query_definition_id, None) is None:
            raise ResourceNotFoundException(f"Query definition {query_definition_id} does not exist")

    def put_query_definition_response(self: LogsResponse) -> str:
        backend: Any = self.logs_backend
        definition_id = backend.put_query_definition(
            name=self._get_param("name"),
            query_string=self._get_param("queryString"),
            log_group_names=self._get_param("logGroupNames"),
            query_definition_id=self._get_param("queryDefinitionId"),
            query_language=self._get_param("queryLanguage"),
        )
        return json.dumps({"queryDefinitionId": definition_id})

    def describe_query_definitions_response(self: LogsResponse) -> str:
        backend: Any = self.logs_backend
        found = backend.describe_query_definitions(
            name_prefix=self._get_param("queryDefinitionNamePrefix"),
            query_language=self._get_param("queryLanguage"),
        )
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or 1000)
        page = found[start:start + size]
        body: dict[str, Any] = {"queryDefinitions": page}
        if start + size < len(found):
            body["nextToken"] = str(start + size)
        return json.dumps(body)

    def delete_query_definition_response(self: LogsResponse) -> str:
        backend: Any = self.logs_backend
        backend.delete_query_definition(self._get_param("queryDefinitionId"))
        return json.dumps({"success": True})

    LogsBackend.put_query_definition = put_query_definition  # type: ignore[attr-defined]
    LogsBackend.describe_query_definitions = describe_query_definitions  # type: ignore[attr-defined]
    LogsBackend.delete_query_definition = delete_query_definition  # type: ignore[attr-defined]
    LogsResponse.put_query_definition = put_query_definition_response  # type: ignore[attr-defined]
    LogsResponse.describe_query_definitions = describe_query_definitions_response  # type: ignore[attr-defined]
    LogsResponse.delete_query_definition = delete_query_definition_response  # type: ignore[attr-defined]


# --- budgets --------------------------------------------------------------------------------------

_NOTIFICATION_KEYS = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")


def _same_notification(stored: dict[str, Any], asked: dict[str, Any]) -> bool:
    def key(n: dict[str, Any]) -> tuple[Any, ...]:
        return (n.get("NotificationType"), n.get("ComparisonOperator"), float(n.get("Threshold", 0)),
                n.get("ThresholdType", "PERCENTAGE"))

    return key(stored) == key(asked)


def _install_budgets() -> None:
    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.models import BudgetsBackend
    from moto.budgets.responses import BudgetsResponse

    def describe_subscribers_for_notification(self: BudgetsBackend, account_id: str, budget_name: str,
                                              notification: dict[str, Any]) -> list[dict[str, Any]]:
        budget = self.budgets.get(account_id, {}).get(budget_name)
        if budget is None:
            raise NotFoundException(f"Unable to get budget: {budget_name} - the budget doesn't exist.")
        for stored in budget.notifications:
            if _same_notification(stored.details, notification):
                subscribers: Any = stored.subscribers  # the API's list, whatever moto's annotation says
                return list(subscribers)
        raise NotFoundException(f"Unable to get notification for budget: {budget_name} - the notification doesn't exist.")

    def describe_subscribers_for_notification_response(self: BudgetsResponse) -> str:
        backend: Any = self.backend
        subscribers = backend.describe_subscribers_for_notification(
            account_id=self._get_param("AccountId"),
            budget_name=self._get_param("BudgetName"),
            notification=self._get_param("Notification"),
        )
        return json.dumps({"Subscribers": subscribers})

    BudgetsBackend.describe_subscribers_for_notification = describe_subscribers_for_notification  # type: ignore[attr-defined]
    BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification_response  # type: ignore[attr-defined]


__all__ = ["OPERATIONS", "install"]
