"""The bedrock-access component applied for real: developer role and policy; idempotent; clean destroy."""

from __future__ import annotations

import json

import pytest

from tests.support.stack import emulator_config, render_for_emulator

pytestmark = pytest.mark.integration

BOUNDARY_NAME = "developer-boundary"


def _lists(condition: dict) -> dict:
    """Condition values as lists (hashicorp/aws 3.x writes single values as one-element lists)."""
    return {op: {k: v if isinstance(v, list) else [v] for k, v in keys.items()} for op, keys in condition.items()}


def test_bedrock_access_applies_converges_and_destroys(emulator, provider_mirror, tmp_path):
    iam = emulator.client("iam")
    boundary_arn = iam.create_policy(
        PolicyName=BOUNDARY_NAME,
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}),
    )["Policy"]["Arn"]
    config = emulator_config(
        components=["bedrock-access"], privatelink=False, regions=["us-east-1", "us-west-2"],
        permissions_boundary_arn=boundary_arn, identity_center={"session_duration": "PT4H"},
    )
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    assert run.rendered.components == ("security", "bedrock-access")
    run.init()
    run.apply()

    outputs = run.outputs()
    role_name = outputs["bedrock_access_role_arn"].rsplit("/", 1)[1]
    assert role_name == "bcce-default-bedrock-us-east-1"
    role = iam.get_role(RoleName=role_name)["Role"]
    assert role["MaxSessionDuration"] == 4 * 3600
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert _lists(statement["Condition"]) == {"StringEquals": {"aws:PrincipalTag/bcce-access": ["bcce-default"]}}
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [outputs["bedrock_access_policy_arn"]]
    policy = iam.get_policy(PolicyArn=outputs["bedrock_access_policy_arn"])["Policy"]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    document = version["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document == json.loads(outputs["bedrock_access_policy_json"])
    resources = [r for st in document["Statement"] for r in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])]
    assert "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-*" in resources
    # Short-lived credentials only: the stack creates no IAM user and no access key.
    assert iam.list_users()["Users"] == []

    assert run.plan_exit_code() == 0, "a second plan must show no changes"

    run.destroy()
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("bcce-")] == []
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == [BOUNDARY_NAME]
