"""The identity component applied for real, both tracks: Identity Center and Cognito OIDC federation.

Emulator additions used here (bcce_tf/emulator/access.py): sso-admin permission set tag
operations and DescribePermissionSetProvisioningStatus, cognito-identity Set/GetIdentityPoolRoles.
"""

from __future__ import annotations

import json

import pytest

from bcce_tf.components import identity
from tests.support.access_stack import (
    files_containing,
    render_with_secrets,
    state_contains,
)
from tests.support.stack import emulator_config, render_for_emulator

pytestmark = pytest.mark.integration

GROUP_A = "a1b2c3d4-1111-2222-3333-444455556666"
GROUP_B = "0123456789-a1b2c3d4-1111-2222-3333-777788889999"
CLIENT_SECRET = "oidc-Secret-4b1d9e77c0a2f3"


def _lists(condition: dict) -> dict:
    """Condition values as lists (hashicorp/aws 3.x writes single values as one-element lists)."""
    return {op: {k: v if isinstance(v, list) else [v] for k, v in keys.items()} for op, keys in condition.items()}


def _document(value):
    return json.loads(value) if isinstance(value, str) else value


def test_identity_center_applies_converges_and_destroys(emulator, provider_mirror, tmp_path):
    config = emulator_config(
        components=["identity"], privatelink=False,
        identity_center={"group_ids": [GROUP_A, GROUP_B], "session_duration": "PT4H", "permission_set_name": "ClaudeCode"},
    )
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    assert run.rendered.components == ("security", "bedrock-access", "identity")
    run.init()
    run.apply()

    outputs = run.outputs()
    sso = emulator.client("sso-admin")
    (instance,) = sso.list_instances()["Instances"]
    instance_arn = instance["InstanceArn"]
    assert outputs["identity_instance_arn"] == instance_arn
    permission_set_arn = outputs["identity_permission_set_arn"]
    described = sso.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)["PermissionSet"]
    assert (described["Name"], described["SessionDuration"]) == ("ClaudeCode", "PT4H")
    inline = sso.get_inline_policy_for_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)["InlinePolicy"]
    assert _document(inline) == json.loads(outputs["bedrock_access_policy_json"])
    tags = {t["Key"]: t["Value"] for t in sso.list_tags_for_resource(InstanceArn=instance_arn, ResourceArn=permission_set_arn)["Tags"]}
    assert tags["ManagedBy"] == "bcce"
    assignments = sso.list_account_assignments(InstanceArn=instance_arn, AccountId="123456789012", PermissionSetArn=permission_set_arn)
    assert sorted((a["PrincipalType"], a["PrincipalId"]) for a in assignments["AccountAssignments"]) == [
        ("GROUP", GROUP_B), ("GROUP", GROUP_A),
    ]

    assert run.plan_exit_code() == 0, "a second plan must show no changes"

    run.destroy()
    assert sso.list_permission_sets(InstanceArn=instance_arn)["PermissionSets"] == []
    assert sso.list_account_assignments(InstanceArn=instance_arn, AccountId="123456789012", PermissionSetArn=permission_set_arn)["AccountAssignments"] == []
    assert [r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"]] == []
    assert emulator.client("iam").list_policies(Scope="Local")["Policies"] == []


def test_cognito_oidc_applies_converges_destroys_and_writes_no_secret(emulator, provider_mirror, tmp_path):
    config = emulator_config(
        components=["identity"], privatelink=False, auth="cognito-oidc",
        cognito={"issuer_url": "https://login.example.com/oauth2/default", "client_id": "bcce-cli-client",
                 "client_secret_env": "ACME_OIDC_SECRET"},
    )
    env = identity.secret_environment(config, {"ACME_OIDC_SECRET": CLIENT_SECRET})
    run = render_with_secrets(config, tmp_path, emulator.url, provider_mirror, env)
    assert any("principal tags" in w for w in run.rendered.warnings)
    run.init()
    run.tf("plan", "-input=false", "-no-color")
    run.apply()

    outputs = run.outputs()
    idp = emulator.client("cognito-idp")
    pool_id = outputs["identity_user_pool_id"]
    provider = idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="corporate-idp")["IdentityProvider"]
    assert provider["ProviderType"] == "OIDC"
    assert provider["ProviderDetails"]["oidc_issuer"] == "https://login.example.com/oauth2/default"
    assert provider["ProviderDetails"]["client_secret"] == CLIENT_SECRET  # reached AWS, through TF_VAR_ only
    assert provider["AttributeMapping"] == {"custom:team": "team", "email": "email", "username": "sub"}
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=outputs["identity_user_pool_client_id"])["UserPoolClient"]
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["SupportedIdentityProviders"] == ["corporate-idp"]
    assert "ClientSecret" not in client
    pool = emulator.client("cognito-identity").describe_identity_pool(IdentityPoolId=outputs["identity_pool_id"])
    assert pool["AllowUnauthenticatedIdentities"] is False
    roles = emulator.client("cognito-identity").get_identity_pool_roles(IdentityPoolId=outputs["identity_pool_id"])["Roles"]
    assert roles == {"authenticated": outputs["identity_authenticated_role_arn"]}
    iam = emulator.client("iam")
    role_name = outputs["identity_authenticated_role_arn"].rsplit("/", 1)[1]
    trust = _document(iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert _lists(statement["Condition"]) == {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": [outputs["identity_pool_id"]]},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": ["authenticated"]},
    }
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [outputs["bedrock_access_policy_arn"]]

    assert run.plan_exit_code() == 0, "a second plan must show no changes"

    # The secret reached AWS but no file bcce or Terraform wrote, and no output: only the state holds it.
    assert files_containing(run.directory, CLIENT_SECRET) == []
    assert [t for t in run.transcripts if CLIENT_SECRET in t] == []
    assert CLIENT_SECRET not in json.dumps(outputs)
    assert state_contains(run.directory, CLIENT_SECRET), "the state holds the secret (documented); if not, this test looks in the wrong place"
    # A saved plan holds every input variable, sensitive ones included: plan files are secrets like the state.
    run.tf("plan", "-input=false", "-no-color", "-out=tfplan")
    assert files_containing(run.directory, CLIENT_SECRET) == ["tfplan"]
    (run.directory / "tfplan").unlink()

    run.destroy()
    assert idp.list_user_pools(MaxResults=60)["UserPools"] == []
    assert emulator.client("cognito-identity").list_identity_pools(MaxResults=60)["IdentityPools"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_identity_center_instance_from_config_skips_the_lookup(emulator, provider_mirror, tmp_path):
    instance_arn = emulator.client("sso-admin").list_instances()["Instances"][0]["InstanceArn"]
    config = emulator_config(components=["identity"], privatelink=False, identity_center={"instance_arn": instance_arn})
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    run.init()
    plan = run.show_plan_json()
    (run.directory / "tfplan").unlink()
    changes = {c["address"]: c for c in plan["resource_changes"]}
    assert changes["module.identity.aws_ssoadmin_permission_set.developer[0]"]["change"]["after"]["instance_arn"] == instance_arn
    assert not any("aws_ssoadmin_instances" in address for address in changes)
    assert "module.identity.data.aws_ssoadmin_instances.this[0]" not in json.dumps(plan.get("prior_state", {}))
