"""The developer's AWS profile: identity-center sso-session + profile, cognito-oidc credential_process,
and a merge into ~/.aws/config that keeps everything else and is stable."""

from __future__ import annotations

import pytest

from bcce_tf.config import Config
from bcce_tf.developer import aws_profile
from bcce_tf.errors import UsageError

OUTPUTS = {"account_id": "123456789012", "identity_user_pool_id": "eu-west-1_AbC123", "identity_user_pool_client_id": "3n4b5urk1ft4fl3mg5e62hlh4s",
           "identity_pool_id": "eu-west-1:01234567-89ab-cdef-0123-456789abcdef"}
START = "https://d-1234567890.awsapps.com/start"


def ic_config(**extra) -> Config:
    return Config(organization_id="acme", regions=["eu-central-1", "eu-west-1"], **extra)


def test_identity_center_sections_use_the_aws_cli_names():
    sections = aws_profile.identity_center(ic_config(), OUTPUTS, profile="dev", region="eu-west-1", start_url=START,
                                           sso_region=None, session=None, key="k")
    text = aws_profile.merge("", sections)
    assert text == (
        "[sso-session dev]\n"
        f"sso_start_url = {START}\n"
        "sso_region = eu-central-1\n"
        "sso_registration_scopes = sso:account:access\n"
        "\n"
        "[profile dev]\n"
        "sso_session = dev\n"
        "sso_account_id = 123456789012\n"
        "sso_role_name = ClaudeCodeBedrock\n"
        "region = eu-west-1\n"
    )


def test_identity_center_needs_a_start_url_and_a_real_account():
    with pytest.raises(UsageError, match="--sso-start-url is required with auth identity-center"):
        aws_profile.identity_center(ic_config(), OUTPUTS, profile="dev", region="eu-west-1", start_url=None, sso_region=None, session=None, key="k")
    with pytest.raises(UsageError, match="--sso-start-url must be an https URL"):
        aws_profile.identity_center(ic_config(), OUTPUTS, profile="dev", region="eu-west-1", start_url="http://x/start", sso_region=None, session=None, key="k")
    with pytest.raises(UsageError, match="has no output 'account_id'"):
        aws_profile.identity_center(ic_config(), {}, profile="dev", region="eu-west-1", start_url=START, sso_region=None, session=None, key="k")


def test_permission_set_name_and_explicit_session_and_region():
    config = ic_config(identity_center={"permission_set_name": "Developers"})
    text = aws_profile.merge("", aws_profile.identity_center(config, OUTPUTS, profile="dev", region="eu-west-1", start_url=START,
                                                               sso_region="us-east-1", session="corp", key="k"))
    assert "[sso-session corp]\n" in text and "sso_session = corp\n" in text
    assert "sso_region = us-east-1\n" in text and "sso_role_name = Developers\n" in text


def test_cognito_profile_runs_bcce_credentials():
    config = Config(organization_id="acme", regions=["eu-west-1"], auth="cognito-oidc",
                    cognito={"issuer_url": "https://idp.example.com", "client_id": "c",
                             "callback_urls": ["https://app.example.com/cb", "http://localhost:8400/callback"]})
    [section] = aws_profile.cognito(config, OUTPUTS, profile="dev", region="eu-west-1", key="k")
    values = dict(section.values)
    assert section.header == "profile dev" and values["region"] == "eu-west-1"
    assert values["credential_process"] == (
        "bcce credentials --profile dev --region eu-west-1 --issuer-url https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123 "
        "--client-id 3n4b5urk1ft4fl3mg5e62hlh4s --identity-pool-id eu-west-1:01234567-89ab-cdef-0123-456789abcdef "
        "--redirect-uri http://localhost:8400/callback"
    )


def test_merge_keeps_other_sections_comments_and_foreign_keys_and_is_stable():
    existing = (
        "# my settings\n"
        "[default]\n"
        "region = us-east-2\n"
        "\n"
        "[profile dev]\n"
        "output = json\n"
        "region = us-west-2\n"
        "credential_process = old-helper\n"
        "\n"
        "[profile other]\n"
        "region = ap-south-1\n"
    )
    sections = aws_profile.identity_center(ic_config(), OUTPUTS, profile="dev", region="eu-west-1", start_url=START,
                                           sso_region=None, session=None, key="k")
    merged = aws_profile.merge(existing, sections)
    assert merged.startswith("# my settings\n[default]\nregion = us-east-2\n\n[profile dev]\noutput = json\nregion = eu-west-1\n")
    assert "old-helper" not in merged  # an owned key bcce no longer writes goes
    assert "sso_session = dev\nsso_account_id = 123456789012\nsso_role_name = ClaudeCodeBedrock\n\n[profile other]\nregion = ap-south-1\n" in merged
    assert merged.endswith("[sso-session dev]\n" f"sso_start_url = {START}\n" "sso_region = eu-central-1\nsso_registration_scopes = sso:account:access\n")
    assert aws_profile.merge(merged, sections) == merged
