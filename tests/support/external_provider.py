"""A stand-in for the hashicorp/external provider, for tests.

hashicorp/external cannot be installed on machines without registry access, so tests install this
small provider in its place. It speaks Terraform's plugin protocol 6 through the PyPI package ``tf``
and implements the ``external`` data source with the documented protocol of the real provider:

* ``program`` (list of string, required): the command to run, not through a shell;
  null and empty elements are left out, as the real provider does;
* ``query`` (map of string, optional): sent to the program on stdin as one JSON object, entries
  with null values left out, ``{}`` when absent;
* ``working_dir`` (string, optional): the directory the program runs in;
* ``result`` (map of string, computed): the JSON object the program prints on stdout;
* ``id`` (string, computed): always ``-``.

A program that exits non-zero fails the read with its stderr in the diagnostic; output that is
not a JSON object of strings fails it with a diagnostic saying so. Diagnostic summaries and the
shape of their details follow the real provider, so tests can match on them.

Run as a script, this file serves the provider; ``install_external_provider`` writes the
launcher Terraform starts from a filesystem mirror.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tf import schema, types
from tf.iface import Config, DataSource, Provider, ReadDataContext, Resource, State
from tf.utils import Diagnostics

ADDRESS = "registry.terraform.io/hashicorp/external"
PLATFORM = "linux_amd64"
CERT_CACHE_NAME = ".external-provider-cert.json"


class ExternalDataSource(DataSource):
    def __init__(self, provider: ExternalProvider) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "external"

    @classmethod
    def get_schema(cls) -> schema.Schema:
        return schema.Schema(
            version=0,
            attributes=[
                schema.Attribute("program", types.List(types.String()), required=True),
                schema.Attribute("working_dir", types.String(), optional=True),
                schema.Attribute("query", types.Map(types.String()), optional=True),
                schema.Attribute("result", types.Map(types.String()), computed=True),
                schema.Attribute("id", types.String(), computed=True),
            ],
        )

    def validate(self, diags: Diagnostics, type_name: str, config: Config) -> None:
        super().validate(diags, type_name, config)
        program = config.get("program")
        if isinstance(program, list) and len(program) == 0:
            diags.add_error(
                "Invalid Attribute Value",
                "Attribute program list must contain at least 1 elements, got: 0",
                path=["program"],
            )

    def read(self, ctx: ReadDataContext, config: Config) -> State | None:
        diags = ctx.diagnostics
        program = [arg for arg in (config.get("program") or []) if arg]
        if not program:
            diags.add_error(
                "External Program Missing",
                "The data source was configured without a program to execute. "
                "Verify the configuration contains at least one non-empty value.",
                path=["program"],
            )
            return None

        query = {k: v for k, v in (config.get("query") or {}).items() if v is not None}
        working_dir = config.get("working_dir") or None

        executable = shutil.which(program[0])
        if executable is None:
            diags.add_error(
                "External Program Lookup Failed",
                "The data source received an unexpected error while attempting to find the program.\n\n"
                "The program must be accessible according to the platform where Terraform is running, "
                "and executable.\n"
                f"\nPlatform: {sys.platform}\nProgram: {program[0]}\nError: executable file not found",
                path=["program"],
            )
            return None

        try:
            completed = subprocess.run(
                [executable, *program[1:]],
                input=json.dumps(query, sort_keys=True, separators=(",", ":")).encode(),
                capture_output=True,
                cwd=working_dir,
                check=False,
            )
        except OSError as exc:
            diags.add_error(
                "External Program Execution Failed",
                "The data source received an unexpected error while attempting to execute the program."
                f"\n\nProgram: {executable}\nError Message: {exc}\nState: not started",
                path=["program"],
            )
            return None

        if completed.returncode != 0:
            stderr = completed.stderr.decode("utf-8", "replace")
            state = _exit_state(completed.returncode)
            if stderr:
                detail = (
                    "The data source received an unexpected error while attempting to execute the program."
                    f"\n\nProgram: {executable}\nError Message: {stderr}\nState: {state}"
                )
            else:
                detail = (
                    "The data source received an unexpected error while attempting to execute the program.\n\n"
                    "The program was executed, however it returned no additional error messaging."
                    f"\n\nProgram: {executable}\nState: {state}"
                )
            diags.add_error("External Program Execution Failed", detail, path=["program"])
            return None

        result, problem = _parse_result(completed.stdout)
        if problem is not None:
            diags.add_error(
                "Unexpected External Program Results",
                "The data source received unexpected results after executing the program.\n\n"
                "Program output must be a JSON encoded map of string keys and string values.\n"
                f"\nProgram: {executable}\nResult Error: {problem}",
                path=["program"],
            )
            return None

        return {**config, "result": result, "id": "-"}


def _exit_state(returncode: int) -> str:
    if returncode < 0:
        name = signal.strsignal(-returncode) or f"signal {-returncode}"
        return f"signal: {name.lower()}"
    return f"exit status {returncode}"


def _parse_result(stdout: bytes) -> tuple[dict[str, str] | None, str | None]:
    try:
        document: Any = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"output is not valid JSON: {exc}"
    if document is None:
        return None, None
    if not isinstance(document, dict):
        return None, f"cannot use a JSON {type(document).__name__} as the result: expected an object"
    wrong = sorted(k for k, v in document.items() if not isinstance(v, str))
    if wrong:
        return None, f"values must be strings; not a string: {', '.join(wrong)}"
    return document, None


class ExternalProvider(Provider):
    def get_model_prefix(self) -> str:
        return ""

    def full_name(self) -> str:
        return ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> schema.Schema:
        return schema.Schema(version=0, attributes=[])

    def validate_config(self, diags: Diagnostics, config: Config) -> None:
        return None

    def configure_provider(self, diags: Diagnostics, config: Config) -> None:
        return None

    def get_data_sources(self) -> list[type[DataSource]]:
        return [ExternalDataSource]

    def get_resources(self) -> list[type[Resource]]:
        return []


def install_external_provider(mirror_dir: Path, version: str = "2.3.4") -> Path:
    """Write the launcher of this stand-in into the filesystem mirror ``mirror_dir``; return its path.

    The launcher is the only file in its platform directory (Terraform hashes that directory into
    the lock file). The provider keeps its TLS certificate in ``mirror_dir`` rather than in the
    user's home.
    """
    mirror_dir = Path(mirror_dir).absolute()
    target = mirror_dir / ADDRESS / version / PLATFORM / f"terraform-provider-external_v{version}"
    target.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(Path(__file__).absolute()), "--cert-cache", str(mirror_dir / CERT_CACHE_NAME)]
    script = "#!/bin/sh\nexec " + " ".join(shlex.quote(part) for part in command) + ' "$@"\n'
    tmp = mirror_dir / f".{target.name}.tmp"
    tmp.write_text(script)
    tmp.chmod(0o755)
    os.replace(tmp, target)
    return target


def main(argv: list[str]) -> None:
    from tf import runner
    from tf.runner import run_provider

    args = list(argv)
    if "--cert-cache" in args:
        at = args.index("--cert-cache")
        cache = Path(args[at + 1])
        del args[at : at + 2]
        runner._get_cert_cache_path = lambda: cache  # keep the certificate out of ~/.cache
    run_provider(ExternalProvider(), args)


if __name__ == "__main__":
    main(sys.argv)
