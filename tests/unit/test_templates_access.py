"""bedrock-access, identity, guardrails and dashboards templates, rendered for both provider generations.

Every rendered .tf parses (python-hcl2) for both identity tracks, guardrails on and off; the
properties the components promise are checked on the parsed HCL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bcce_tf.config import Config
from bcce_tf.render import (
    TFVARS_FILENAME,
    RenderOptions,
    StackTarget,
    render_files,
    templates_dir,
)
from tests.support.hcl import parse

GENERATIONS = (3, 5)
AUTHS = ("identity-center", "cognito-oidc")
COGNITO = {"issuer_url": "https://idp.example.com/oauth2/acme-issuer", "client_id": "acme-cli-client-7"}
ACCESS = ("bedrock-access", "identity", "guardrails", "dashboards")


def config(generation: int, auth: str = "identity-center", guardrails: bool = True, privatelink: bool = True,
           platform: str = "grafana", **overrides: Any) -> Config:
    data: dict[str, Any] = {
        "provider": {"generation": generation},
        "components": ["bedrock-access", "identity", "dashboards"],
        "auth": auth,
        "guardrails": guardrails,
        "privatelink": privatelink,
        "dashboard": {"platform": platform},
    }
    if auth == "cognito-oidc":
        data["cognito"] = COGNITO
    data.update(overrides)
    return Config.model_validate(data)


def render(cfg: Config) -> tuple[dict[str, str], tuple[str, ...], list[str]]:
    return render_files(cfg, StackTarget(cfg.stack_name, "us-east-1"), RenderOptions())


def resources(doc: dict[str, Any], kind: str, section: str = "resource") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in doc.get(section, []):
        for k, named in block.items():
            if k == kind:
                found.update(named)
    return found


def resource_types(files: dict[str, str]) -> set[str]:
    types: set[str] = set()
    for name, text in files.items():
        if name.endswith(".tf"):
            for block in parse(text).get("resource", []):
                types |= set(block)
    return types


def named(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for block in doc.get(kind, []) for name, body in block.items()}


def one(block: Any) -> dict[str, Any]:
    return block[0] if isinstance(block, list) else block


MATRIX = [(g, a, gr, pl) for g in GENERATIONS for a in AUTHS for gr in (True, False) for pl in (True, False)]


@pytest.mark.parametrize(("generation", "auth", "guardrails", "privatelink"), MATRIX,
                         ids=[f"aws{g}-{a}-guardrails{'On' if gr else 'Off'}-privatelink{'On' if pl else 'Off'}" for g, a, gr, pl in MATRIX])
def test_every_rendered_file_parses_and_creates_no_long_lived_credentials(generation, auth, guardrails, privatelink):
    files, components, _ = render(config(generation, auth, guardrails, privatelink))
    assert {"bedrock-access", "identity", "dashboards"} <= set(components)
    assert ("guardrails" in components) == (guardrails and generation >= 5)
    # The root and this issue's modules (the other modules are parsed by their own tests).
    tf_files = [name for name in files if name.endswith(".tf") and ("/" not in name or name.split("/")[1] in ACCESS)]
    for name in tf_files:
        parse(files[name])  # raises on a syntax error
    types = resource_types({name: files[name] for name in tf_files})
    # Short-lived credentials only: no IAM users, no access keys, no console passwords.
    assert not types & {"aws_iam_user", "aws_iam_access_key", "aws_iam_user_login_profile", "aws_iam_user_policy", "aws_iam_user_policy_attachment"}
    assert not any(re.search(r"aws_iam_(user|access_key)\b", files[name]) for name in tf_files)


@pytest.mark.parametrize("platform", ["grafana", "metabase", "superset"])
@pytest.mark.parametrize("generation", GENERATIONS)
def test_every_dashboard_platform_renders(generation, platform):
    files, _, _ = render(config(generation, platform=platform))
    for name in ("main.tf", "variables.tf", "modules/dashboards/main.tf", "modules/dashboards/variables.tf"):
        parse(files[name])
    assert f"modules/dashboards/user_data/{platform}.sh.tftpl" in files
    tfvars = json.loads(files[TFVARS_FILENAME])
    assert tfvars["dashboards_platform"] == platform
    assert re.fullmatch(r"\d+\.\d+\.\d+", tfvars["dashboards_platform_version"]), "the platform version is pinned exactly"


def test_generation_3_renders_no_guardrail_and_says_so():
    cfg = config(3, guardrails=True)
    files, components, warnings = render(cfg)
    assert "guardrails" not in components
    assert not any(name.startswith("modules/guardrails/") for name in files)
    assert not any("aws_bedrock" in text for name, text in files.items() if name.endswith(".tf"))
    (warning,) = [w for w in warnings if w.startswith("guardrails")]
    assert "NOT DEPLOYED" in warning and "provider.generation" in warning and "5" in warning
    call = named(parse(files["main.tf"]), "module")["bedrock_access"]
    assert call["enforce_guardrail"] is False


def test_generation_5_guardrail_filters_topics_words_pii_and_key():
    cfg = config(5, guardrail={
        "content_filter_strength": "MEDIUM",
        "denied_topics": [{"name": "Investment advice", "definition": "Recommendations about investing money.", "examples": ["What stock should I buy?"]}],
        "blocked_words": ["project-zeus"],
        "pii_action": "BLOCK",
    })
    files, components, warnings = render(cfg)
    assert "guardrails" in components and not [w for w in warnings if w.startswith("guardrails")]
    doc = parse(files["modules/guardrails/main.tf"])
    guardrail = resources(doc, "aws_bedrock_guardrail")["this"]
    assert guardrail["kms_key_arn"] == "${var.kms_key_arn}"
    filters = one(one(guardrail["content_policy_config"])["dynamic"])["filters_config"]
    assert "PROMPT_ATTACK" in files["modules/guardrails/main.tf"] and '"NONE"' in files["modules/guardrails/main.tf"]
    assert "${var.content_filter_strength}" in json.dumps(filters)
    locals_ = {k: v for block in doc["locals"] for k, v in block.items()}
    assert locals_["content_filters"] == ["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", "PROMPT_ATTACK"]
    pii = one(guardrail["sensitive_information_policy_config"])["pii_entities_config"]
    assert sorted(p["type"] for p in pii) == ["EMAIL", "PHONE"] and {p["action"] for p in pii} == {"${var.pii_action}"}
    assert resources(doc, "aws_bedrock_guardrail_version")["this"]["guardrail_arn"] == "${aws_bedrock_guardrail.this.guardrail_arn}"
    tfvars = json.loads(files[TFVARS_FILENAME])
    assert tfvars["guardrails_content_filter_strength"] == "MEDIUM"
    assert tfvars["guardrails_denied_topics"][0]["name"] == "Investment advice"
    assert tfvars["guardrails_blocked_words"] == ["project-zeus"] and tfvars["guardrails_pii_action"] == "BLOCK"
    # User text travels in tfvars only, never in HCL.
    assert not any("project-zeus" in text or "Investment advice" in text for name, text in files.items() if name != TFVARS_FILENAME)
    call = named(parse(files["main.tf"]), "module")["bedrock_access"]
    assert (call["enforce_guardrail"], call["guardrail_arn"], call["guardrail_version"]) == (
        True, "${module.guardrails.guardrail_arn}", "${module.guardrails.guardrail_version}")


@pytest.mark.parametrize("privatelink", [True, False])
def test_privatelink_wires_the_runtime_endpoint_into_the_policy(privatelink):
    files, components, _ = render(config(3, privatelink=privatelink, dashboard={"platform": "none"}, components=["bedrock-access"]))
    call = named(parse(files["main.tf"]), "module")["bedrock_access"]
    assert call["enforce_source_vpce"] is privatelink
    assert ("network" in components) is privatelink
    if privatelink:
        assert call["source_vpce_id"] == "${module.network.bedrock_runtime_endpoint_id}"
    else:
        assert "source_vpce_id" not in call


def test_policy_lists_no_restrictable_action_on_star():
    doc = parse(render(config(5))[0]["modules/bedrock-access/main.tf"])
    statements = one(resources(doc, "aws_iam_policy_document", "data")["bedrock"])["statement"]
    star = [s for s in statements if s.get("resources") == ["*"]]
    assert [sorted(s["actions"]) for s in star] == [["bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles"]]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_dashboards_instance_hardening_per_generation(generation):
    files, _, _ = render(config(generation))
    doc = parse(files["modules/dashboards/main.tf"])
    instance = resources(doc, "aws_instance")["dashboard"]
    assert instance["associate_public_ip_address"] is False
    assert one(instance["metadata_options"])["http_tokens"] == "required"
    assert "key_name" not in instance, "no SSH key: access through SSM Session Manager"
    if generation >= 5:
        template = resources(doc, "aws_launch_template")["dashboard"]
        assert one(template["metadata_options"])["http_tokens"] == "required"
        ebs = one(one(template["block_device_mappings"])["ebs"])
        assert (ebs["encrypted"], ebs["kms_key_id"], ebs["volume_size"]) == (True, "${var.kms_key_arn}", "${var.root_volume_gb}")
        assert one(instance["launch_template"])["id"] == "${aws_launch_template.dashboard.id}"
        assert "user_data" not in instance and "root_block_device" not in instance
    else:
        assert "aws_launch_template" not in files["modules/dashboards/main.tf"].split("# --- instance")[1].replace("launch_template block", "")
        assert "launch_template" not in instance
        root = one(instance["root_block_device"])
        assert (root["encrypted"], root["kms_key_id"], root["volume_size"]) == (True, "${var.kms_key_arn}", "${var.root_volume_gb}")
        assert instance["monitoring"] is True


@pytest.mark.parametrize("generation", GENERATIONS)
def test_dashboards_database_and_password_per_generation(generation):
    files, _, _ = render(config(generation))
    doc = parse(files["modules/dashboards/main.tf"])
    db = resources(doc, "aws_db_instance")["this"]
    assert (db["storage_encrypted"], db["kms_key_id"], db["publicly_accessible"]) == (True, "${var.kms_key_arn}", False)
    assert db["iam_database_authentication_enabled"] is True
    assert db["backup_retention_period"] == "${var.backup_retention_days}"
    assert db["deletion_protection"] == "${var.deletion_protection}" and db["skip_final_snapshot"] == "${var.skip_final_snapshot}"
    root_vars = named(parse(files["variables.tf"]), "variable")
    if generation >= 5:
        assert db["manage_master_user_password"] is True and db["master_user_secret_kms_key_id"] == "${var.kms_key_arn}"
        assert "password" not in db
        assert "dashboards_db_master_password" not in root_vars
        assert "aws_secretsmanager_secret_version" not in files["modules/dashboards/main.tf"]
    else:
        assert db["password"] == "${var.db_master_password}"
        assert one(db["lifecycle"])["ignore_changes"] == ["password"]
        assert root_vars["dashboards_db_master_password"]["sensitive"] is True
        assert "default" not in root_vars["dashboards_db_master_password"]
        secret = resources(doc, "aws_secretsmanager_secret")["db"]
        assert secret["kms_key_id"] == "${var.kms_key_arn}"
    assert "db_master_password" not in files[TFVARS_FILENAME]


def test_dashboards_security_groups():
    doc = parse(render(config(3))[0]["modules/dashboards/main.tf"])
    rules = resources(doc, "aws_security_group_rule")
    summary = {name: (r["type"], r["from_port"], r.get("cidr_blocks"), r.get("source_security_group_id")) for name, r in rules.items()}
    assert summary == {
        "instance_in_platform": ("ingress", "${local.port}", ["${var.vpc_cidr}"], None),
        "instance_out_https": ("egress", 443, ["0.0.0.0/0"], None),
        "instance_out_database": ("egress", 5432, None, "${aws_security_group.database.id}"),
        "database_in_instance": ("ingress", 5432, None, "${aws_security_group.instance.id}"),
        "endpoints_in_instance": ("ingress", 443, None, "${aws_security_group.instance.id}"),
    }
    for group in resources(doc, "aws_security_group").values():
        assert "ingress" not in group and "egress" not in group, "rules live in aws_security_group_rule only"


@pytest.mark.parametrize("generation", GENERATIONS)
def test_cognito_secret_travels_only_as_sensitive_variable(generation):
    files, _, warnings = render(config(generation, "cognito-oidc"))
    root_vars = named(parse(files["variables.tf"]), "variable")
    secret = root_vars["identity_oidc_client_secret"]
    assert secret["sensitive"] is True and "default" not in secret
    tfvars = json.loads(files[TFVARS_FILENAME])
    assert "identity_oidc_client_secret" not in tfvars
    assert tfvars["identity_oidc_issuer_url"] == COGNITO["issuer_url"]
    assert tfvars["identity_principal_tags"] == {"user": "email", "team": "custom:team"}
    assert tfvars["identity_custom_attributes"] == ["team"]
    assert not any(COGNITO["issuer_url"] in text or COGNITO["client_id"] in text for name, text in files.items() if name != TFVARS_FILENAME)
    doc = parse(files["modules/identity/main.tf"])
    client = resources(doc, "aws_cognito_user_pool_client")["claude_code"]
    assert client["allowed_oauth_flows"] == ["code"] and client["generate_secret"] is False
    assert resources(doc, "aws_cognito_identity_pool")["this"]["allow_unauthenticated_identities"] is False
    principal_tags = resources(doc, "aws_cognito_identity_pool_provider_principal_tag")
    if generation >= 5:
        assert principal_tags["this"]["principal_tags"] == "${var.principal_tags}"
        assert not [w for w in warnings if "principal tags" in w]
    else:
        assert principal_tags == {}
        assert "set-principal-tag-attribute-map" in files["modules/identity/main.tf"]
        (warning,) = [w for w in warnings if "principal tags" in w]
        assert "provider.generation 5" in warning


def test_identity_center_permission_set_and_boundary():
    boundary = "arn:aws:iam::123456789012:policy/boundaries/DeveloperBoundary"
    files, _, _ = render(config(5, permissions_boundary_arn=boundary, identity_center={"group_ids": ["a1b2c3d4-1111-2222-3333-444455556666"]}))
    doc = parse(files["modules/identity/main.tf"])
    assert resources(doc, "aws_ssoadmin_permission_set_inline_policy")["developer"]["inline_policy"] == "${var.bedrock_policy_json}"
    assert "aws_ssoadmin_permissions_boundary_attachment" in {k for b in doc["resource"] for k in b}
    tfvars = json.loads(files[TFVARS_FILENAME])
    assert tfvars["identity_permissions_boundary"] == {"name": "DeveloperBoundary", "path": "/boundaries/"}
    assert tfvars["identity_group_ids"] == ["a1b2c3d4-1111-2222-3333-444455556666"]
    assert tfvars["identity_manage_permission_set"] is True
    files3, _, warnings3 = render(config(3, permissions_boundary_arn=boundary))
    assert "aws_ssoadmin_permissions_boundary_attachment" not in files3["modules/identity/main.tf"]
    assert [w for w in warnings3 if "permissions boundary" in w]


def test_permission_set_is_managed_by_the_first_region_only():
    cfg = config(5, regions=["eu-west-1", "us-east-1"], dashboard={"platform": "none"})
    first = render_files(cfg, StackTarget(cfg.stack_name, "eu-west-1"), RenderOptions())[0]
    second = render_files(cfg, StackTarget(cfg.stack_name, "us-east-1"), RenderOptions())[0]
    assert json.loads(first[TFVARS_FILENAME])["identity_manage_permission_set"] is True
    assert json.loads(second[TFVARS_FILENAME])["identity_manage_permission_set"] is False


def test_user_data_templates_use_only_the_variables_main_passes():
    root = templates_dir() / "modules" / "dashboards"
    main = (root / "main.tf.j2").read_text(encoding="utf-8")
    passed: dict[str, set[str]] = {}
    for match in re.finditer(r'templatefile\("\$\{path\.module\}/user_data/([^"]+)", \{(.*?)\}\)', main, re.DOTALL):
        passed[match.group(1)] = set(re.findall(r"^\s*(\w+)\s*=", match.group(2), re.MULTILINE))
    assert set(passed) == {"common.sh.tftpl", "${var.platform}.sh.tftpl"}
    for path in sorted((root / "user_data").glob("*.tftpl")):
        text = path.read_text(encoding="utf-8")
        used = set(re.findall(r"(?<!\$)\$\{(\w+)\}", text)) | set(re.findall(r"%\{ if (\w+)", text))
        allowed = passed["common.sh.tftpl" if path.name == "common.sh.tftpl" else "${var.platform}.sh.tftpl"]
        assert used <= allowed, f"{path.name} uses {sorted(used - allowed)}"
        assert text.count("%{ if") == text.count("%{ endif"), path.name
        assert not re.search(r"set -x|echo .*PASSWORD|echo .*SECRET", text), f"{path.name} must not print secrets"


def test_templates_use_tags_only_through_default_tags():
    for component in ACCESS:
        for path in sorted((templates_dir() / "modules" / component).rglob("*.j2")):
            text = Path(path).read_text(encoding="utf-8")
            assert not re.search(r"^\s*tags\s*=", text, re.MULTILINE), f"{path} sets tags; tags come from the provider's default_tags"
