"""Before Terraform runs: can every provider the root requires be installed?

The mirror is used when it holds a version of every required provider that meets the root's
constraints. Otherwise Terraform would go to the registry: bcce first asks whether the registry can
be reached at all (a name lookup and a TCP connection, through HTTPS_PROXY when one is set), and when
it cannot, stops with one line naming the provider, the constraint and the ways out, instead of
letting `terraform init` fail (and be retried) on a network that is not there.
"""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcce_tf.errors import ProviderUnavailableError
from bcce_tf.providers.constraints import newest
from bcce_tf.providers.layout import PLATFORM
from bcce_tf.providers.manifest import Manifest

DEFAULT_HOSTNAME = "registry.terraform.io"
PROBE_TIMEOUT_ENV = "BCCE_REGISTRY_PROBE_TIMEOUT"
DEFAULT_PROBE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Requirement:
    address: str  # hostname/namespace/type
    constraints: tuple[str, ...]

    @property
    def hostname(self) -> str:
        return self.address.split("/")[0]

    @property
    def type(self) -> str:
        return self.address.rsplit("/", 1)[-1]

    @property
    def display(self) -> str:
        short = self.address.removeprefix(f"{DEFAULT_HOSTNAME}/")
        return f"{short} ({', '.join(self.constraints)})" if self.constraints else f"{short} (any version)"


def normalize_source(source: str, local_name: str) -> str:
    parts = (source or local_name).strip().lower().split("/")
    if len(parts) == 1:
        parts = ["hashicorp", *parts]
    if len(parts) == 2:
        parts = [DEFAULT_HOSTNAME, *parts]
    return "/".join(parts)


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def requirements_from_hcl(documents: Iterable[dict[str, Any]]) -> list[Requirement]:
    """Merge the ``required_providers`` of parsed HCL documents (python-hcl2 output) per provider."""
    merged: dict[str, list[str]] = {}
    for document in documents:
        for terraform_block in document.get("terraform", []) or []:
            for providers_block in terraform_block.get("required_providers", []) or []:
                for raw_name, spec in providers_block.items():
                    name = _unquote(raw_name)
                    if name.startswith("__"):
                        continue
                    if isinstance(spec, dict):
                        source, version = _unquote(spec.get("source", "")), _unquote(spec.get("version", ""))
                    else:  # the legacy form: aws = ">= 3.0"
                        source, version = "", _unquote(spec)
                    constraints = merged.setdefault(normalize_source(str(source), name), [])
                    if isinstance(version, str) and version.strip() and version.strip() not in constraints:
                        constraints.append(version.strip())
    return [Requirement(address, tuple(constraints)) for address, constraints in sorted(merged.items())]


def required_providers(root: Path) -> list[Requirement]:
    """The providers a Terraform root and the modules below it require, from their HCL."""
    from bcce_tf.policies.extract import load_hcl

    documents = []
    for path in sorted(Path(root).rglob("*.tf")):
        if ".terraform" in path.relative_to(root).parts:
            continue
        try:
            if "required_providers" not in path.read_text(encoding="utf-8", errors="replace"):
                continue  # parsing HCL is slow; most files declare no providers
        except OSError:
            continue
        _, parsed, _ = load_hcl(path)
        if parsed is not None:
            documents.append(parsed)
    return requirements_from_hcl(documents)


# ---------------------------------------------------------------- where versions can come from


def mirror_versions(mirror_dir: Path, manifest: Manifest | None, address: str, os_arch: str = PLATFORM) -> list[str]:
    """Versions of ``address`` the mirror records and still has on disk."""
    if manifest is None:
        return []
    return [e.version for e in manifest.providers
            if e.address == address and e.os_arch == os_arch and (Path(mirror_dir) / e.executable).is_file()]


def implied_mirror_dirs(workdir: Path, environ: Mapping[str, str]) -> list[Path]:
    """The folders Terraform installs from without a registry and without any CLI configuration: the
    root's own provider cache and Terraform's implied local mirrors on Unix."""
    home = Path(environ.get("HOME") or Path.home())
    data_home = Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    data_dirs = [Path(d) for d in (environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":") if d]
    # Providers an earlier `terraform init` of this root installed are reused without a registry.
    return [Path(workdir) / ".terraform" / "providers", Path(workdir) / "terraform.d" / "plugins",
            home / ".terraform.d" / "plugins",
            data_home / "terraform" / "plugins", *[d / "terraform" / "plugins" for d in data_dirs]]


def local_versions(directories: Sequence[Path], address: str, os_arch: str = PLATFORM) -> list[str]:
    """Versions of ``address`` in filesystem-mirror folders, packed (zip) or unpacked."""
    found: list[str] = []
    provider_type = address.rsplit("/", 1)[-1]
    for directory in directories:
        base = Path(directory).joinpath(*address.split("/"))
        try:
            entries = list(base.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and (entry / os_arch).is_dir():
                found.append(entry.name)
            prefix, suffix = f"terraform-provider-{provider_type}_", f"_{os_arch}.zip"
            if entry.is_file() and entry.name.startswith(prefix) and entry.name.endswith(suffix):
                found.append(entry.name[len(prefix):-len(suffix)])
    return found


def own_cli_config(environ: Mapping[str, str]) -> Path | None:
    """The user's own Terraform CLI configuration when it says how to install providers (a network
    or filesystem mirror bcce cannot see into); without a provider_installation block Terraform
    installs the implied way, which bcce checks itself."""
    named = environ.get("TF_CLI_CONFIG_FILE")
    path = Path(named) if named else Path(environ.get("HOME") or Path.home()) / ".terraformrc"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return path if "provider_installation" in text else None


# ---------------------------------------------------------------- can the registry be reached?


@dataclass(frozen=True)
class Reachability:
    reachable: bool
    detail: str


Resolver = Callable[..., Any]
Connector = Callable[..., Any]


def https_proxy(hostname: str, environ: Mapping[str, str]) -> tuple[str, int] | None:
    """(host, port) of the proxy Terraform would use for ``hostname``, if any (HTTPS_PROXY, NO_PROXY)."""
    proxy = environ.get("HTTPS_PROXY") or environ.get("https_proxy")
    if not proxy:
        return None
    no_proxy = environ.get("NO_PROXY") or environ.get("no_proxy") or ""
    for entry in (e.strip().lstrip(".").lower() for e in no_proxy.split(",")):
        if entry == "*" or (entry and (hostname == entry or hostname.endswith(f".{entry}"))):
            return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def probe_registry(
    hostname: str,
    environ: Mapping[str, str],
    *,
    resolve: Resolver = socket.getaddrinfo,
    connect: Connector = socket.create_connection,
) -> Reachability:
    """Whether a TCP connection to the registry (or the proxy in front of it) can be opened.

    A machine without a network answers at once (no name server, no route, connection refused);
    only a network that drops packets makes the probe wait, for at most BCCE_REGISTRY_PROBE_TIMEOUT.
    """
    via = https_proxy(hostname, environ)
    host, port = via or (hostname, 443)
    what = f"the proxy {host}:{port}" if via else f"{host}:{port}"
    try:
        timeout = float(environ.get(PROBE_TIMEOUT_ENV) or DEFAULT_PROBE_TIMEOUT)
    except ValueError:
        timeout = DEFAULT_PROBE_TIMEOUT
    try:
        resolve(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return Reachability(False, f"cannot resolve {host}: {exc.strerror or exc}")
    except OSError as exc:
        return Reachability(False, f"cannot resolve {host}: {exc.strerror or exc}")
    try:
        with connect((host, port), timeout=timeout):
            pass
    except TimeoutError:
        return Reachability(False, f"no answer from {what} within {timeout:g}s")
    except OSError as exc:
        return Reachability(False, f"cannot connect to {what}: {exc.strerror or exc}")
    return Reachability(True, f"{what} accepts connections")


Probe = Callable[[str], Reachability]


# ---------------------------------------------------------------- the decision


@dataclass(frozen=True)
class MirrorChoice:
    mirror_dir: Path
    forced: bool  # BCCE_PROVIDER_MIRROR=on or a path: the mirror is the only source


@dataclass(frozen=True)
class Installation:
    mirror: Path | None  # the mirror Terraform installs from (TF_CLI_CONFIG_FILE), None = Terraform's own way
    reason: str


def choose_installation(
    requirements: Sequence[Requirement],
    *,
    mirror_dir: Path,
    manifest: Manifest | None,
    forced: bool,
    environ: Mapping[str, str],
    workdir: Path,
    probe: Probe,
    generation: int,
) -> Installation:
    """Where Terraform gets its providers, or ProviderUnavailableError when nowhere can serve them.

    ``forced``: the mirror was asked for (BCCE_PROVIDER_MIRROR=on or a path), so it alone counts.
    """
    held = {r.address: mirror_versions(mirror_dir, manifest, r.address) for r in requirements}
    missing = [r for r in requirements if newest(held[r.address], r.constraints) is None]
    if not missing:
        return Installation(Path(mirror_dir), f"the provider mirror {mirror_dir} holds every required provider")
    if forced:
        raise _unavailable(missing, held, mirror_dir, generation, "BCCE_PROVIDER_MIRROR makes it the only source")
    own = own_cli_config(environ)
    if own is not None:
        return Installation(None, f"provider installation follows your Terraform CLI configuration {own}")
    implied = implied_mirror_dirs(workdir, environ)
    still = [r for r in missing if newest(local_versions(implied, r.address), r.constraints) is None]
    if not still:
        return Installation(None, "Terraform's local plugin folders hold the providers the mirror lacks")
    answers: dict[str, Reachability] = {}
    for requirement in still:
        if requirement.hostname not in answers:
            answers[requirement.hostname] = probe(requirement.hostname)
    unreachable = [r for r in still if not answers[r.hostname].reachable]
    if not unreachable:
        reached = "; ".join(a.detail for a in answers.values())
        return Installation(None, f"Terraform installs from the registry ({reached})")
    first = answers[unreachable[0].hostname]
    raise _unavailable(unreachable, held, mirror_dir, generation,
                       f"{unreachable[0].hostname} cannot be reached ({first.detail})")


def _unavailable(missing: Sequence[Requirement], held: Mapping[str, list[str]], mirror_dir: Path,
                 generation: int, why: str) -> ProviderUnavailableError:
    names = ", ".join(r.display for r in missing)
    holdings = sorted({v for r in missing for v in held.get(r.address, [])})
    holds = f"holds {', '.join(holdings)}" if holdings else "holds no version of it"
    example = missing[0]
    ways = (f"add a release zip with 'bcce providers mirror --add terraform-provider-{example.type}_<version>_{PLATFORM}.zip"
            " --sha256sums <SHA256SUMS file>'")
    if generation >= 5:
        ways += ", or set provider.generation: 3 in the config (hashicorp/aws 3.39, which 'bcce providers mirror' builds from PyPI)"
    else:
        ways += ", or run 'bcce providers mirror' (builds hashicorp/aws 3.39.0 and hashicorp/null 2.1.2 from PyPI)"
    return ProviderUnavailableError(
        providers=names, mirror=str(mirror_dir), holds=holds, why=why, ways=ways,
        missing=[r.address for r in missing],
    )


def probe_with(environ: Mapping[str, str]) -> Probe:
    return lambda hostname: probe_registry(hostname, environ)
