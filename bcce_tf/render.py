"""Render the Terraform root of one stack and region from the templates under terraform/.

The Jinja context holds structure only (which components, which provider generation, whether an
endpoint override or an S3 backend is used): validated enums and booleans, never a user string.
Every user value travels in `bcce.auto.tfvars.json`, so nothing typed into bcce.json can become
HCL. Output is deterministic: the same config gives byte-identical files.
"""

from __future__ import annotations

import functools

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from bcce_tf import aws_services
from bcce_tf.components import component_module
from bcce_tf.config import Config
from bcce_tf.errors import EnvironmentProblem
from bcce_tf.fsutil import atomic_write_bytes

TFVARS_FILENAME = "bcce.auto.tfvars.json"
MANIFEST_FILENAME = ".bcce-render.json"
ROOT_PARTS = ("_root_variables.tf.j2", "_call.tf.j2", "_root_outputs.tf.j2")


def templates_dir() -> Path:
    override = os.environ.get("BCCE_TEMPLATES_DIR")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "terraform", here / "_terraform"):
        if (candidate / "root").is_dir():
            return candidate
    raise EnvironmentProblem("Terraform templates not found next to bcce_tf (set BCCE_TEMPLATES_DIR)")


@dataclass(frozen=True)
class StackTarget:
    """One stack in one region: the unit that owns a Terraform root and a state."""

    stack_name: str
    region: str
    account_id: str | None = None  # set for a target of the config's `targets`: its own root and state

    @property
    def key(self) -> str:
        if self.account_id:
            return f"{self.stack_name}-{self.account_id}-{self.region}"
        return f"{self.stack_name}-{self.region}"


@dataclass(frozen=True)
class RenderOptions:
    endpoint_url: str | None = None
    components: tuple[str, ...] | None = None  # None = what the config enables


@dataclass
class RenderedStack:
    target: StackTarget
    directory: Path
    components: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    warnings: list[str] = field(default_factory=list)


def stack_dir(workdir: Path, target: StackTarget) -> Path:
    return workdir / ".bcce" / "stacks" / target.key


@functools.lru_cache(maxsize=8)
def _environment(root: Path) -> jinja2.Environment:
    # One per template folder: compiled templates are kept (and recompiled when a file changes).
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def structure(config: Config, components: tuple[str, ...], endpoint_url: str | None) -> dict[str, Any]:
    """The whole Jinja context. Only booleans, enums and fixed names: no user-typed text."""
    generation = config.provider.generation
    return {
        "aws_generation": generation,
        "components": list(components),
        "endpoint_mode": endpoint_url is not None,
        "endpoint_keys": aws_services.endpoint_keys(list(aws_services.SERVICES), generation),
        "backend": config.backend.type,
        "privatelink": config.privatelink,
        "guardrails_requested": config.guardrails,
        "auth": config.auth,
        "dashboard_platform": config.dashboard.platform,
    }


def common_tfvars(config: Config, target: StackTarget, endpoint_url: str | None) -> dict[str, Any]:
    tags = {
        **config.tags,
        "Project": "bcce",
        "Organization": config.organization_id,
        "Stack": target.stack_name,
        "ManagedBy": "bcce",
    }
    values: dict[str, Any] = {
        "region": target.region,
        "stack_name": target.stack_name,
        "organization_id": config.organization_id,
        "default_tags": dict(sorted(tags.items())),
    }
    if endpoint_url is not None:
        values["aws_endpoint_url"] = endpoint_url
    return values


def build_tfvars(config: Config, target: StackTarget, components: tuple[str, ...], endpoint_url: str | None) -> dict[str, Any]:
    values = common_tfvars(config, target, endpoint_url)
    for name in components:
        for key, value in component_module(name).tfvars(config, target.region).items():
            if key in values:
                raise RuntimeError(f"component {name} redefines root variable {key}")
            values[key] = value
    return values


def render_files(config: Config, target: StackTarget, options: RenderOptions) -> tuple[dict[str, str], tuple[str, ...], list[str]]:
    """Pure rendering: relative path -> file text. No disk writes."""
    components = options.components if options.components is not None else config.enabled_components()
    warnings: list[str] = []
    if config.guardrails_unsupported():
        warnings.append(
            "guardrails: NOT DEPLOYED. The config turns guardrails on, but provider.generation 3 (hashicorp/aws 3.x) "
            "has no Bedrock guardrail resources, so no guardrail is rendered and the developer policy does not "
            "require one. Set provider.generation to 5 to deploy the guardrail and enforce it."
        )
    for name in components:
        component_warnings = getattr(component_module(name), "warnings", None)
        if component_warnings is not None:
            warnings.extend(component_warnings(config))
    root = templates_dir()
    env = _environment(root)
    context = structure(config, components, options.endpoint_url)
    files: dict[str, str] = {}

    def stitched(part: str) -> str:
        chunks = []
        for name in components:
            rel = f"modules/{name}/{part}"
            if (root / rel).exists():
                chunks.append(env.get_template(rel).render(context).strip("\n"))
        return "\n\n".join(chunk for chunk in chunks if chunk) + "\n"

    context_root = {**context, "component_variables": stitched(ROOT_PARTS[0]),
                    "component_calls": stitched(ROOT_PARTS[1]), "component_outputs": stitched(ROOT_PARTS[2])}
    for path in sorted((root / "root").glob("*.j2")):
        files[path.name.removesuffix(".j2")] = env.get_template(f"root/{path.name}").render(context_root)
    for shared in sorted(p for p in (root / "shared").iterdir() if p.is_dir()):
        for path in sorted(shared.rglob("*")):
            if path.is_file():
                rel = path.relative_to(root).as_posix()
                out = "modules/" + path.relative_to(root / "shared").as_posix()
                files[out.removesuffix(".j2")] = env.get_template(rel).render(context) if path.suffix == ".j2" else path.read_text(encoding="utf-8")
    for name in components:
        module_root = root / "modules" / name
        if not module_root.is_dir():
            raise EnvironmentProblem(f"template folder for component '{name}' is missing: {module_root}")
        for path in sorted(module_root.rglob("*")):
            if path.is_dir() or path.name in ROOT_PARTS:
                continue
            rel = path.relative_to(root).as_posix()
            if path.suffix == ".j2":
                files[rel.removesuffix(".j2")] = env.get_template(rel).render(context)
            else:
                files[rel] = path.read_text(encoding="utf-8")
    tfvars = build_tfvars(config, target, components, options.endpoint_url)
    files[TFVARS_FILENAME] = json.dumps(tfvars, indent=2, sort_keys=True) + "\n"
    return files, components, warnings


def write_stack(directory: Path, files: dict[str, str]) -> dict[str, str]:
    """Write rendered files, removing files a previous render wrote that are no longer rendered.

    Only files listed in the previous render manifest are ever deleted: state, plan files and
    .terraform/ are never touched.
    """
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / MANIFEST_FILENAME
    previous: dict[str, str] = {}
    if manifest_path.exists():
        try:
            previous = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
        except (json.JSONDecodeError, AttributeError):
            previous = {}
    hashes: dict[str, str] = {}
    for rel, text in files.items():
        data = text.encode("utf-8")
        hashes[rel] = hashlib.sha256(data).hexdigest()
        target = directory / rel
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, data, fsync=False)
    for rel in sorted(set(previous) - set(files)):
        stale = directory / rel
        if stale.is_file():
            stale.unlink()
        parent = stale.parent
        while parent != directory and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    manifest = json.dumps({"files": dict(sorted(hashes.items()))}, indent=2) + "\n"
    manifest_path.write_text(manifest, encoding="utf-8")
    return hashes


def render_stack(config: Config, target: StackTarget, workdir: Path, options: RenderOptions = RenderOptions(),
                 directory: Path | None = None) -> RenderedStack:
    files, components, warnings = render_files(config, target, options)
    directory = directory if directory is not None else stack_dir(workdir, target)
    hashes = write_stack(directory, files)
    return RenderedStack(target=target, directory=directory, components=components, files=hashes, warnings=warnings)
