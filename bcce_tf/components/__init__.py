"""One module per deployable component: its Terraform inputs and the AWS services it uses.

A component `X` has a template folder `terraform/modules/X/` (the module itself, plus
`_root_variables.tf.j2`, `_call.tf.j2` and `_root_outputs.tf.j2` stitched into the stack root)
and a Python module here with:

    SERVICES: tuple[str, ...]                     # AWS services it calls (keys of aws_services.SERVICES)
    def tfvars(config, region) -> dict[str, Any]  # root variables it reads, all user values

and optionally:

    def warnings(config) -> list[str]                          # what it cannot do here; render reports it
    def secret_environment(config, environ) -> dict[str, str]  # TF_VAR_ secrets for Terraform's environment
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from bcce_tf.config import COMPONENTS


def component_module(name: str) -> ModuleType:
    return import_module(f"bcce_tf.components.{name.replace('-', '_')}")


def services_for(components: tuple[str, ...]) -> tuple[str, ...]:
    found: set[str] = {"sts"}
    for name in components:
        found |= set(component_module(name).SERVICES)
    return tuple(sorted(found))


__all__ = ["COMPONENTS", "component_module", "services_for"]
