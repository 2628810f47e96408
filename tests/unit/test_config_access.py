"""Config rules of the access components, their closures, and the secret hand-over to Terraform."""

from __future__ import annotations

from pathlib import Path

import pytest

from bcce_tf.components import bedrock_access, dashboards, identity
from bcce_tf.config import Config, parse_config
from bcce_tf.errors import ConfigError, ConfigFieldError

COGNITO = {"issuer_url": "https://idp.example.com/oauth2/default", "client_id": "cli-client"}


def problem(data: dict) -> str:
    with pytest.raises(ConfigFieldError) as err:
        parse_config(data, Path("bcce.json"))
    return str(err.value)


def test_cognito_needs_issuer_and_client():
    assert "needs cognito.issuer_url and cognito.client_id" in problem({"auth": "cognito-oidc"})


def test_group_ids_only_with_identity_center():
    message = problem({"auth": "cognito-oidc", "cognito": COGNITO, "identity_center": {"group_ids": ["a1b2c3d4-1111-2222-3333-444455556666"]}})
    assert "group_ids are assigned only with auth 'identity-center'" in message


def test_group_ids_must_not_repeat():
    gid = "a1b2c3d4-1111-2222-3333-444455556666"
    assert "must not repeat" in problem({"identity_center": {"group_ids": [gid, gid]}})


def test_principal_tag_claims_must_be_mapped():
    message = problem({"auth": "cognito-oidc", "cognito": {**COGNITO, "team_claim": "department"}})
    assert "cognito.team_claim 'department' is not mapped" in message and '"custom:department": "department"' in message


def test_callback_urls_are_https_or_localhost():
    assert "callback URL" in problem({"auth": "cognito-oidc", "cognito": {**COGNITO, "callback_urls": ["http://evil.example.com/cb"]}})
    Config.model_validate({"auth": "cognito-oidc", "cognito": {**COGNITO, "callback_urls": ["https://tools.example.com/cb", "http://localhost:8400/callback"]}})


def test_dashboards_need_the_analytics_data_lake():
    message = problem({"analytics_model": "none", "dashboard": {"platform": "metabase"}})
    assert "dashboard.platform 'metabase'" in message and "analytics_model" in message
    Config.model_validate({"analytics_model": "none", "dashboard": {"platform": "none"}})


def test_dashboard_backups_are_kept_at_least_a_week():
    assert "backup_retention_days" in problem({"dashboard": {"platform": "grafana", "backup_retention_days": 3}})


def test_guardrails_requested_on_generation_3_is_refused():
    assert "provider.generation 3 has no Bedrock resources" in problem({"provider": {"generation": 3}, "components": ["guardrails"]})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"components": ["identity"], "privatelink": False, "provider": {"generation": 3}}, ("security", "bedrock-access", "identity")),
        ({"components": ["identity"], "privatelink": True, "provider": {"generation": 3}}, ("security", "network", "bedrock-access", "identity")),
        ({"components": ["bedrock-access"], "privatelink": False}, ("security", "bedrock-access", "guardrails")),
        ({"components": ["bedrock-access"], "privatelink": False, "guardrails": False}, ("security", "bedrock-access")),
        ({"components": ["dashboards"], "privatelink": False, "dashboard": {"platform": "superset"}}, ("security", "network", "analytics", "dashboards")),
        ({"components": ["dashboards"], "dashboard": {"platform": "none"}}, ()),
    ],
)
def test_enabled_components_bring_what_the_developer_policy_requires(data, expected):
    assert Config.model_validate(data).enabled_components() == expected


# --- secrets -----------------------------------------------------------------------------------------


def test_identity_secret_environment_reads_the_named_variable():
    cfg = Config.model_validate({"auth": "cognito-oidc", "cognito": {**COGNITO, "client_secret_env": "ACME_IDP_SECRET"}})
    assert identity.secret_environment(cfg, {"ACME_IDP_SECRET": "s3cr3t"}) == {"TF_VAR_identity_oidc_client_secret": "s3cr3t"}


@pytest.mark.parametrize("environ", [{}, {"ACME_IDP_SECRET": ""}, {"OTHER": "x"}])
def test_identity_secret_environment_names_the_missing_variable(environ):
    cfg = Config.model_validate({"auth": "cognito-oidc", "cognito": {**COGNITO, "client_secret_env": "ACME_IDP_SECRET"}})
    with pytest.raises(identity.MissingSecretError) as err:
        identity.secret_environment(cfg, environ)
    assert isinstance(err.value, ConfigError)
    assert "ACME_IDP_SECRET" in str(err.value) and "cognito-oidc" in str(err.value)


def test_identity_center_needs_no_secret():
    assert identity.secret_environment(Config(), {}) == {}


def test_dashboards_secret_environment_generation_3():
    cfg = Config.model_validate({"provider": {"generation": 3}, "dashboard": {"platform": "grafana"}})
    generated = dashboards.secret_environment(cfg, {})["TF_VAR_dashboards_db_master_password"]
    assert len(generated) == 32 and generated.isalnum()
    assert generated != dashboards.secret_environment(cfg, {})["TF_VAR_dashboards_db_master_password"]
    chosen = "ChosenPassword1234567"
    assert dashboards.secret_environment(cfg, {"BCCE_DASHBOARD_DB_PASSWORD": chosen}) == {"TF_VAR_dashboards_db_master_password": chosen}
    with pytest.raises(dashboards.InvalidSecretError) as err:
        dashboards.secret_environment(cfg, {"BCCE_DASHBOARD_DB_PASSWORD": "short/@"})
    assert "BCCE_DASHBOARD_DB_PASSWORD" in str(err.value) and "short/@" not in str(err.value)


@pytest.mark.parametrize("data", [{"provider": {"generation": 5}, "dashboard": {"platform": "grafana"}}, {"provider": {"generation": 3}}])
def test_dashboards_need_no_secret_with_rds_managed_passwords_or_without_dashboards(data):
    assert dashboards.secret_environment(Config.model_validate(data), {"BCCE_DASHBOARD_DB_PASSWORD": "x" * 20}) == {}


def test_generated_passwords_are_rds_safe():
    for _ in range(200):
        value = dashboards.generate_password()
        assert not set(value) & set('/@" ')
        assert any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value)


# --- derived inputs --------------------------------------------------------------------------------


def test_principal_tags_map_claims_to_user_pool_attributes():
    cfg = Config.model_validate({"auth": "cognito-oidc", "cognito": COGNITO})
    assert identity.principal_tags(cfg) == {"user": "email", "team": "custom:team"}
    assert identity.custom_attributes(cfg) == ["team"]


@pytest.mark.parametrize(
    ("arn", "reference"),
    [
        (None, None),
        ("arn:aws:iam::123456789012:policy/Boundary", {"name": "Boundary", "path": "/"}),
        ("arn:aws:iam::123456789012:policy/org/dev/Boundary", {"name": "Boundary", "path": "/org/dev/"}),
    ],
)
def test_permissions_boundary_reference(arn, reference):
    assert identity.permissions_boundary_reference(arn) == reference


def test_developer_policy_size_is_checked_before_terraform_runs():
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1"]
    patterns = [f"anthropic.claude-{name}-*" for name in ("opus-4", "sonnet-4", "3-7-sonnet", "3-5-haiku", "haiku-4-5")]
    cfg = Config.model_validate({"regions": regions, "allowed_model_patterns": patterns})
    with pytest.raises(ConfigError) as err:
        bedrock_access.tfvars(cfg, "us-east-1")
    assert "managed policy limit of 6144" in str(err.value)
    small = Config.model_validate({"regions": regions})
    assert bedrock_access.tfvars(small, "us-east-1")["bedrock_access_regions"] == regions


def test_session_hours_follow_the_identity_center_session():
    assert bedrock_access.session_hours(Config.model_validate({"identity_center": {"session_duration": "PT12H"}})) == 12
