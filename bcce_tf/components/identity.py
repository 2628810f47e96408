"""Inputs of the identity component: who gets the developer policy, and how they sign in.

auth = identity-center: a permission set carrying the developer policy, assigned to groups.
auth = cognito-oidc: a Cognito user pool federating the corporate OIDC provider and an identity
pool whose authenticated role carries the developer policy.

The OIDC client secret never reaches a file bcce writes: `secret_environment` reads it from the
environment variable named by `cognito.client_secret_env` and hands it to Terraform as
`TF_VAR_identity_oidc_client_secret` (a sensitive variable). Terraform state holds it, as it holds
every argument of `aws_cognito_identity_provider`: protect the state like the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bcce_tf.components.bedrock_access import session_hours
from bcce_tf.config import Config
from bcce_tf.errors import ConfigError

SERVICES: tuple[str, ...] = ("iam", "sso-admin", "cognito-idp", "cognito-identity")

CLIENT_SECRET_TFVAR = "TF_VAR_identity_oidc_client_secret"


class MissingSecretError(ConfigError):
    """A secret bcce passes to Terraform through the environment is not set."""

    fmt = "{what} is read from the environment variable {variable}, which is not set (or empty); export it before running bcce"


def secret_environment(config: Config, environ: Mapping[str, str]) -> dict[str, str]:
    """Environment entries Terraform needs for this component's secrets (empty for identity-center).

    Raises MissingSecretError when auth is cognito-oidc and the variable named by
    cognito.client_secret_env is unset or empty.
    """
    if config.auth != "cognito-oidc":
        return {}
    name = config.cognito.client_secret_env
    value = environ.get(name, "")
    if not value:
        raise MissingSecretError(what="the OIDC client secret (auth 'cognito-oidc')", variable=name)
    return {CLIENT_SECRET_TFVAR: value}


def principal_tags(config: Config) -> dict[str, str]:
    """Session tag -> user pool token claim: the user pool attribute the IdP claim is mapped to."""
    by_claim = {claim: attribute for attribute, claim in config.cognito.attribute_mapping.items()}
    tags: dict[str, str] = {}
    for tag, claim in (("user", config.cognito.user_claim), ("team", config.cognito.team_claim)):
        if claim in by_claim:
            tags[tag] = by_claim[claim]
    return tags


def custom_attributes(config: Config) -> list[str]:
    return sorted(a.removeprefix("custom:") for a in config.cognito.attribute_mapping if a.startswith("custom:"))


def permissions_boundary_reference(arn: str | None) -> dict[str, str] | None:
    """IAM policy ARN -> the (name, path) reference Identity Center takes for a permissions boundary."""
    if arn is None:
        return None
    resource = arn.split(":", 5)[5].removeprefix("policy")
    path, _, name = resource.rpartition("/")
    return {"name": name, "path": (path or "") + "/"}


def warnings(config: Config) -> list[str]:
    """What this component cannot do with the configured provider generation, said at render time."""
    found: list[str] = []
    if config.auth == "cognito-oidc" and config.provider.generation < 5:
        found.append(
            "auth 'cognito-oidc' with provider.generation 3: hashicorp/aws 3.x cannot set the identity pool's "
            "principal tags (user, team), so sessions carry no user/team tags; render with provider.generation 5, "
            "or set them once with 'aws cognito-identity set-principal-tag-attribute-map' (see the identity module)"
        )
    if config.auth == "identity-center" and config.provider.generation < 5 and config.permissions_boundary_arn:
        found.append(
            "permissions_boundary_arn with auth 'identity-center' and provider.generation 3: hashicorp/aws 3.x cannot "
            "attach a permissions boundary to a permission set; the boundary applies to the bcce roles only"
        )
    if config.auth == "identity-center" and len(config.regions) > 1:
        found.append(
            f"auth 'identity-center': the permission set is managed by the stack of the first region ({config.regions[0]}), "
            "which must be the Identity Center home region"
        )
    return found


def tfvars(config: Config, region: str) -> dict[str, Any]:
    if config.auth == "identity-center":
        ic = config.identity_center
        values: dict[str, Any] = {
            "identity_manage_permission_set": region == config.regions[0],
            "identity_instance_arn": ic.instance_arn,
            "identity_group_ids": list(ic.group_ids),
            "identity_session_duration": ic.session_duration,
            "identity_permission_set_name": ic.permission_set_name,
        }
        if config.provider.generation >= 5:
            values["identity_permissions_boundary"] = permissions_boundary_reference(config.permissions_boundary_arn)
        return values
    cg = config.cognito
    return {
        "identity_oidc_issuer_url": cg.issuer_url,
        "identity_oidc_client_id": cg.client_id,
        "identity_oidc_provider_name": cg.provider_name,
        "identity_attribute_mapping": dict(sorted(cg.attribute_mapping.items())),
        "identity_custom_attributes": custom_attributes(config),
        "identity_principal_tags": principal_tags(config),
        "identity_callback_urls": list(cg.callback_urls),
        "identity_session_hours": session_hours(config),
    }
