"""Rendering: deterministic, strict, and no user value ever inside HCL text."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pytest

from bcce_tf.config import Config
from bcce_tf.render import TFVARS_FILENAME, RenderOptions, StackTarget, render_files, render_stack, structure, write_stack

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
TARGET = StackTarget("bcce", "eu-west-1")


def security_only(generation: int) -> Config:
    return Config.model_validate({"components": ["security"], "provider": {"generation": generation}})


def test_same_input_gives_byte_identical_files(tmp_path):
    config = Config()
    first, _, _ = render_files(config, TARGET, RenderOptions())
    second, _, _ = render_files(config, TARGET, RenderOptions())
    assert first == second
    a = render_stack(config, TARGET, tmp_path / "a")
    b = render_stack(config, TARGET, tmp_path / "b")
    assert a.files == b.files


@pytest.mark.parametrize("generation", [3, 5])
@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:4566"])
@pytest.mark.parametrize("name", ["versions.tf", "providers.tf"])
def test_root_files_match_golden(generation, endpoint, name, request):
    files, _, _ = render_files(security_only(generation), TARGET, RenderOptions(endpoint_url=endpoint))
    golden = GOLDEN / f"gen{generation}-{'endpoint' if endpoint else 'aws'}" / name
    if request.config.getoption("--update-golden", default=False):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(files[name])
    assert files[name] == golden.read_text()


def test_user_values_only_reach_tfvars():
    config = Config.model_validate({
        "organization_id": "zq-acme-corp", "stack_name": "zq-stack",
        "tags": {"CostCenter": "cc-4242 :/=+@ x"}, "monitoring": {"alarm_email": "ops@acme.example"},
    })
    files, _, _ = render_files(config, TARGET, RenderOptions(endpoint_url="http://127.0.0.1:9999"))
    tfvars = json.loads(files.pop(TFVARS_FILENAME))
    assert tfvars["organization_id"] == "zq-acme-corp"
    assert tfvars["default_tags"]["CostCenter"] == "cc-4242 :/=+@ x"
    hcl = "\n".join(files.values())
    for value in ("zq-acme-corp", "zq-stack", "cc-4242", "ops@acme.example", "127.0.0.1:9999"):
        assert value not in hcl, f"user value {value!r} leaked into HCL"


def test_jinja_context_holds_no_strings_from_the_user():
    config = Config.model_validate({"organization_id": "zzz-unique-org", "stack_name": "zzz-stack"})
    context = structure(config, config.enabled_components(), "http://127.0.0.1:1")
    assert "zzz" not in json.dumps(context)
    assert "127.0.0.1" not in json.dumps(context)


def test_missing_template_variable_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf.j2").write_text("x = {{ not_defined }}\n")
    (tmp_path / "shared").mkdir()
    monkeypatch.setenv("BCCE_TEMPLATES_DIR", str(tmp_path))
    with pytest.raises(jinja2.UndefinedError):
        render_files(Config(components=["security"]), TARGET, RenderOptions(components=()))


def test_rerender_removes_only_files_it_wrote(tmp_path):
    directory = tmp_path / "stack"
    write_stack(directory, {"main.tf": "a\n", "modules/x/main.tf": "b\n"})
    (directory / "terraform.tfstate").write_text("{}")
    (directory / ".terraform").mkdir()
    write_stack(directory, {"main.tf": "a\n"})
    assert (directory / "main.tf").exists()
    assert not (directory / "modules").exists()
    assert (directory / "terraform.tfstate").exists() and (directory / ".terraform").is_dir()


def test_provider_generation_switches_s3_syntax():
    gen3, _, _ = render_files(security_only(3), TARGET, RenderOptions())
    gen5, _, _ = render_files(security_only(5), TARGET, RenderOptions())
    assert "aws_s3_bucket_versioning" not in gen3["modules/secure-bucket/main.tf"]
    assert "aws_s3_bucket_versioning" in gen5["modules/secure-bucket/main.tf"]
    assert '"~> 3.39"' in gen3["versions.tf"] and '">= 5.49.0, < 7.0.0"' in gen5["versions.tf"]


def test_guardrails_on_generation_3_warn_at_render():
    config = Config.model_validate({"provider": {"generation": 3}, "guardrails": True})
    _, components, warnings = render_files(config, TARGET, RenderOptions())
    assert "guardrails" not in components
    assert any("provider.generation 3" in w and "no guardrail" in w for w in warnings)
