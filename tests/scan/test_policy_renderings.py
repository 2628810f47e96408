"""Every policy written in the rendered roots, for every combination the config allows, against AWS's
catalogue of actions, resource types and condition keys (bcce_tf.policies).

This reads the HCL as written: literal actions, condition keys and ARNs are checked; values Terraform
computes (ARNs of resources, conditions built in `dynamic` blocks from locals) are not known here.
The complete documents, as Terraform renders them, are checked after every apply of the integration
tests (tests/support/stack.py) for provider generation 3. Generation 5 cannot be planned without
hashicorp/aws 5.x, so for it this static check is what runs.
"""

from __future__ import annotations

import itertools

import pytest

from bcce_tf.config import Config
from bcce_tf.policies.check import check_policies
from bcce_tf.policies.extract import policies_from_root
from bcce_tf.render import RenderOptions, StackTarget, render_stack

pytestmark = pytest.mark.scan

COMBINATIONS = [
    {"generation": gen, "auth": auth, "guardrails": guard, "privatelink": link, "dashboard": dash}
    for gen, auth, guard, link, dash in itertools.product(
        (5, 3), ("identity-center", "cognito-oidc"), (True, False), (True, False), ("none", "grafana"))
] + [
    # The OpenTelemetry collector's roles (telemetry on).
    {"generation": gen, "auth": "identity-center", "guardrails": True, "privatelink": link, "dashboard": "none", "telemetry": True}
    for gen, link in itertools.product((5, 3), (True, False))
]


def config_for(case: dict) -> Config:
    data = {"provider": {"generation": case["generation"]}, "auth": case["auth"], "guardrails": case["guardrails"],
            "privatelink": case["privatelink"], "dashboard": {"platform": case["dashboard"]}}
    if case["auth"] == "cognito-oidc":
        data["cognito"] = {"issuer_url": "https://idp.example.com", "client_id": "client"}
    if case.get("telemetry"):
        data["telemetry"] = {"enabled": True, "allow_http": True}
    return Config.model_validate(data)


@pytest.mark.parametrize("case", COMBINATIONS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_every_rendered_policy_names_only_what_aws_defines(case, tmp_path):
    config = config_for(case)
    rendered = render_stack(config, StackTarget(config.stack_name, "us-east-1"), tmp_path, RenderOptions())
    documents = policies_from_root(rendered.directory)
    # Key, bucket, flow-log, Firehose, developer policies and more: an empty list would prove nothing.
    assert len(documents) >= 12
    findings = check_policies(documents)
    assert not findings, "\n".join(str(f) for f in findings)
