"""Every rendering the config allows, checked against the real hashicorp/aws schema of its
generation: 6.25.0 (read from npm @cdktf/provider-aws, `make schema`) for generation 5, and what
`terraform providers schema -json` prints for the mirror's 3.39.0 for generation 3. Then renderings
broken on purpose, which the check must reject with the file, the line and the name."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from bcce_tf.config import Config
from bcce_tf.render import RenderOptions, StackTarget, render_stack
from bcce_tf.schema import source
from bcce_tf.schema.root import check_root

pytestmark = pytest.mark.scan
ENDPOINT = "http://127.0.0.1:4566"


def _space(generation: int) -> list[dict]:
    cases = []
    for auth, guardrails, privatelink, (analytics, dashboard), endpoint in itertools.product(
            ("identity-center", "cognito-oidc"), (True, False), (True, False),
            [(True, d) for d in ("none", "grafana", "metabase", "superset")] + [(False, "none")],
            (None, ENDPOINT)):
        cases.append({"generation": generation, "auth": auth, "guardrails": guardrails, "privatelink": privatelink,
                      "analytics": analytics, "dashboard": dashboard, "endpoint": endpoint, "telemetry": None})
    # The collector (telemetry on), with each listener, with and without PrivateLink and dashboards.
    for listener, privatelink, dashboard, endpoint in itertools.product(
            ("http", "https"), (True, False), ("none", "grafana"), (None, ENDPOINT)):
        cases.append({"generation": generation, "auth": "identity-center", "guardrails": True, "privatelink": privatelink,
                      "analytics": True, "dashboard": dashboard, "endpoint": endpoint, "telemetry": listener})
    return cases


TELEMETRY = {"http": {"enabled": True, "allow_http": True},
             "https": {"enabled": True, "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"}}


def config_for(case: dict) -> Config:
    data = {"provider": {"generation": case["generation"]}, "auth": case["auth"], "guardrails": case["guardrails"],
            "privatelink": case["privatelink"], "dashboard": {"platform": case["dashboard"]},
            "analytics_model": "open-source-self-hosted" if case["analytics"] else "none"}
    if case["auth"] == "cognito-oidc":
        data["cognito"] = {"issuer_url": "https://idp.example.com", "client_id": "client"}
    if case.get("telemetry"):
        data["telemetry"] = TELEMETRY[case["telemetry"]]
    return Config.model_validate(data)


@pytest.fixture(scope="session")
def schemas(provider_mirror: Path) -> dict[str, dict]:
    """Both carried schemas, from the cache `make schema` fills (nothing is fetched here)."""
    generation5 = source.generation5(fetch=False)
    return {
        "6.25.0": source.load(generation5),
        "3.39.0": source.load(source.generation3(provider_mirror)),
    }


def _render(case: dict, directory: Path) -> Path:
    config = config_for(case)
    target = StackTarget(config.stack_name, "us-east-1")
    return render_stack(config, target, directory, RenderOptions(endpoint_url=case["endpoint"])).directory


@pytest.mark.parametrize("generation,version", [(5, "6.25.0"), (3, "3.39.0")])
def test_every_rendering_matches_the_provider_schema(generation, version, schemas, tmp_path):
    failures = []
    for index, case in enumerate(_space(generation)):
        root = _render(case, tmp_path / str(index))
        outcome = check_root(root, loader=schemas.__getitem__)
        assert not outcome.skipped, outcome.skipped
        assert f"hashicorp/aws {version}" in outcome.checked
        failures += [f"{case}: {p.file}:{p.line}: {p.message}" for p in outcome.problems]
    assert not failures, "\n".join(failures)


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file by `new`; the 1-based line it was on."""
    text = path.read_text()
    position = text.index(old)
    path.write_text(text[:position] + new + text[position + len(old):])
    return text.count("\n", 0, position) + 1


def test_broken_renderings_are_rejected_with_file_line_and_name(schemas, tmp_path):
    case = {"generation": 5, "auth": "identity-center", "guardrails": True, "privatelink": True,
            "analytics": True, "dashboard": "none", "endpoint": None}
    root = _render(case, tmp_path)
    network, guardrails = root / "modules/network/main.tf", root / "modules/guardrails/main.tf"
    misspelt = _edit(network, "vpc_endpoint_type =", "vpc_endpont_type =")
    # A nested argument removed: filters_config needs input_strength.
    unnested = _edit(guardrails, "input_strength =", "input_strenght =")
    # A block at the wrong nesting level: filters_config belongs inside content_policy_config.
    text = guardrails.read_text()
    header = re.search(r'resource "aws_bedrock_guardrail" "this" \{\n', text)
    guardrails.write_text(text[:header.end()] + '  filters_config {\n    type = "HATE"\n  }\n' + text[header.end():])
    wrong_nesting = text.count("\n", 0, header.end()) + 1
    unnested += 3
    computed = _edit(root / "modules/security/main.tf", "enable_key_rotation", "arn = \"x\"\n  enable_key_rotation")

    outcome = check_root(root, loader=schemas.__getitem__)
    found = {(p.file, p.line): p.message for p in outcome.problems}
    assert "unknown argument 'vpc_endpont_type' (did you mean 'vpc_endpoint_type'?)" in found[("modules/network/main.tf", misspelt)]
    assert "unknown argument 'input_strenght'" in found[("modules/guardrails/main.tf", unnested)]
    assert any("filters_config: missing required argument 'input_strength'" in m
               for (f, _), m in found.items() if f == "modules/guardrails/main.tf")
    assert "unknown block type 'filters_config'" in found[("modules/guardrails/main.tf", wrong_nesting)]
    assert "aws_kms_key" in found[("modules/security/main.tf", computed)] and "'arn' is computed-only" in found[("modules/security/main.tf", computed)]
    assert len(outcome.problems) == 5, outcome.problems


def test_a_generation3_rendering_is_not_valid_for_provider_6(schemas, tmp_path):
    """The two schemas differ where the templates switch on the generation: proof the check reads them."""
    case = {"generation": 3, "auth": "identity-center", "guardrails": False, "privatelink": False,
            "analytics": True, "dashboard": "none", "endpoint": None}
    root = _render(case, tmp_path)
    outcome = check_root(root, loader=lambda _version: schemas["6.25.0"])
    assert any("buffer_size" in p.message for p in outcome.problems)
