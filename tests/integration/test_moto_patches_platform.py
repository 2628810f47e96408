"""The platform additions to moto answer, over HTTP, with the members botocore's service model documents."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from bcce_tf.emulator import platform

MODEL = botocore.session.get_session()


pytestmark = pytest.mark.integration


def output_members(service: str, operation: str) -> set[str]:
    shape = MODEL.get_service_model(service).operation_model(operation).output_shape
    return set(shape.members) if shape is not None else set()


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.mark.parametrize(("service", "operation"), [(s, o) for s, ops in platform.OPERATIONS.items() for o in ops])
def test_every_added_operation_exists_in_the_service_model(service, operation):
    assert operation in MODEL.get_service_model(service).operation_names


def test_athena_delete_named_query(emulator):
    athena = emulator.client("athena")
    athena.create_work_group(Name="wg")
    query_id = athena.create_named_query(Name="q", Database="db", QueryString="SELECT 1", WorkGroup="wg")["NamedQueryId"]
    response = athena.delete_named_query(NamedQueryId=query_id)
    assert set(body(response)) <= output_members("athena", "DeleteNamedQuery")
    assert athena.list_named_queries(WorkGroup="wg")["NamedQueryIds"] == []
    with pytest.raises(ClientError) as err:
        athena.delete_named_query(NamedQueryId=query_id)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"


def test_logs_query_definitions_round_trip(emulator):
    logs = emulator.client("logs")
    created = logs.put_query_definition(name="bcce/x/errors", queryString="fields @message", logGroupNames=["/a"])
    assert set(body(created)) == output_members("logs", "PutQueryDefinition")
    definition_id = created["queryDefinitionId"]
    logs.put_query_definition(name="other", queryString="stats count(*)")

    listed = logs.describe_query_definitions(queryDefinitionNamePrefix="bcce/")
    assert set(body(listed)) <= output_members("logs", "DescribeQueryDefinitions")
    item_members = set(MODEL.get_service_model("logs").shape_for("QueryDefinition").members)
    [item] = listed["queryDefinitions"]
    assert set(item) <= item_members
    assert (item["queryDefinitionId"], item["name"], item["queryString"], item["logGroupNames"]) == (
        definition_id, "bcce/x/errors", "fields @message", ["/a"])
    assert isinstance(item["lastModified"], int)

    logs.put_query_definition(queryDefinitionId=definition_id, name="bcce/x/errors", queryString="fields @timestamp")
    assert logs.describe_query_definitions(queryDefinitionNamePrefix="bcce/")["queryDefinitions"][0]["queryString"] == "fields @timestamp"

    page = logs.describe_query_definitions(maxResults=1)
    assert len(page["queryDefinitions"]) == 1 and page["nextToken"]
    assert len(logs.describe_query_definitions(maxResults=1, nextToken=page["nextToken"])["queryDefinitions"]) == 1

    deleted = logs.delete_query_definition(queryDefinitionId=definition_id)
    assert set(body(deleted)) == output_members("logs", "DeleteQueryDefinition") and deleted["success"] is True
    with pytest.raises(ClientError) as err:
        logs.delete_query_definition(queryDefinitionId=definition_id)
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_budgets_describe_subscribers_for_notification(emulator):
    budgets = emulator.client("budgets")
    account = "123456789012"
    notification = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0, "ThresholdType": "PERCENTAGE"}
    subscribers = [{"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:alerts"},
                   {"SubscriptionType": "EMAIL", "Address": "ops@example.com"}]
    budgets.create_budget(
        AccountId=account,
        Budget={"BudgetName": "monthly", "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"},
        NotificationsWithSubscribers=[{"Notification": notification, "Subscribers": subscribers}],
    )
    response = budgets.describe_subscribers_for_notification(AccountId=account, BudgetName="monthly", Notification=notification)
    assert set(body(response)) <= output_members("budgets", "DescribeSubscribersForNotification")
    assert response["Subscribers"] == subscribers
    other = {**notification, "Threshold": 100.0}
    with pytest.raises(ClientError) as err:
        budgets.describe_subscribers_for_notification(AccountId=account, BudgetName="monthly", Notification=other)
    assert err.value.response["Error"]["Code"] == "NotFoundException"
