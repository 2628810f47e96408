"""Which providers a root requires, which versions meet Terraform's constraints, and the decision
made before Terraform runs: the mirror, Terraform's own installation, or one line saying why not."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bcce_tf.errors import ProviderUnavailableError
from bcce_tf.exit_codes import ExitCode
from bcce_tf.providers.constraints import newest, parse_constraint, satisfies
from bcce_tf.providers.manifest import Manifest, ManifestEntry
from bcce_tf.providers.release import ReleaseName, parse_sha256sums, provider_address
from bcce_tf.providers.resolve import (
    Reachability,
    Requirement,
    choose_installation,
    https_proxy,
    probe_registry,
    requirements_from_hcl,
)
from bcce_tf.errors import EnvironmentProblem, UsageError
from tests.support.hcl import parse

AWS = "registry.terraform.io/hashicorp/aws"


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("5.49.0", ">= 5.49.0", True),
        ("5.48.9", ">= 5.49.0", False),
        ("6.25.0", ">= 5.49.0", True),
        ("3.39.0", ">= 5.49.0", False),
        ("3.39.0", ">= 3.39", True),
        ("5.99.0", "~> 5.49", True),
        ("6.0.0", "~> 5.49", False),
        ("5.49.7", "~> 5.49.1", True),
        ("5.50.0", "~> 5.49.1", False),
        ("5.49.0", "~> 5.49.1", False),
        ("1.9.0", "~> 1", True),
        ("2.0.0", "~> 1", False),
        ("6.25.0", ">= 5.49.0, < 6.0.0", False),
        ("5.100.0", ">= 5.49.0, < 6.0.0", True),
        ("6.25.0", "!= 6.25.0", False),
        ("6.25.0", "6.25.0", True),
        ("6.25.0", "= 6.25.0", True),
        ("6.0.0-beta1", ">= 5.49.0", False),  # a pre-release meets only an exact constraint
        ("6.0.0-beta1", "= 6.0.0-beta1", True),
        ("6.0.0-beta1", "< 6.0.0", False),
        ("not-a-version", ">= 1.0", False),
    ],
)
def test_terraform_version_constraints(version: str, constraint: str, expected: bool) -> None:
    assert satisfies(version, [constraint]) is expected


def test_newest_matching_version_is_chosen_like_terraform_does() -> None:
    assert newest(["3.39.0", "6.25.0", "5.100.0", "5.9.0"], [">= 5.49.0"]) == "6.25.0"
    assert newest(["3.39.0", "6.25.0", "5.100.0"], ["~> 5.49"]) == "5.100.0"
    assert newest(["3.39.0"], [">= 5.49.0"]) is None


@pytest.mark.parametrize("bad", [">= five", "=> 1.0", ">= 1.0,,", ""])
def test_unreadable_constraints_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_constraint(bad)


def test_required_providers_are_merged_across_modules() -> None:
    root = parse('terraform {\n required_providers {\n aws = { source = "hashicorp/aws", version = ">= 5.49.0" }\n }\n}\n')
    module = parse('terraform {\n required_providers {\n aws = { source = "hashicorp/aws", version = "< 7.0" }\n'
                   ' ext = { source = "registry.terraform.io/HashiCorp/external" }\n legacy = ">= 1.0"\n }\n}\n')
    found = requirements_from_hcl([root, module, {"resource": []}])
    assert found == [
        Requirement(AWS, (">= 5.49.0", "< 7.0")),
        Requirement("registry.terraform.io/hashicorp/external", ()),
        Requirement("registry.terraform.io/hashicorp/legacy", (">= 1.0",)),
    ]
    assert found[0].display == "hashicorp/aws (>= 5.49.0, < 7.0)"


def _manifest(*versions: str, os_arch: str = "linux_amd64") -> Manifest:
    return Manifest(providers=tuple(
        ManifestEntry(address=AWS, version=v, source="test", dist_filename="f.zip", dist_sha256="0" * 64,
                      executable=f"registry.terraform.io/hashicorp/aws/{v}/{os_arch}/terraform-provider-aws_v{v}_x5",
                      executable_sha256="1" * 64)
        for v in versions))


def _mirror(tmp_path: Path, manifest: Manifest) -> Path:
    # mirror_versions counts only executables still on disk
    for entry in manifest.providers:
        path = tmp_path / "mirror" / entry.executable
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    return tmp_path / "mirror"


def _never(hostname: str) -> Reachability:
    raise AssertionError(f"the registry {hostname} must not be asked")


def _decide(tmp_path: Path, manifest: Manifest | None, *, probe=_never, forced=False, generation=5,  # noqa: ANN001
            environ: dict[str, str] | None = None, constraint: str = ">= 5.49.0"):  # noqa: ANN202
    mirror = _mirror(tmp_path, manifest) if manifest else tmp_path / "mirror"
    return choose_installation(
        [Requirement(AWS, (constraint,))], mirror_dir=mirror, manifest=manifest, forced=forced,
        environ=environ if environ is not None else {"HOME": str(tmp_path / "home")}, workdir=tmp_path / "root",
        probe=probe, generation=generation,
    )


def test_mirror_holding_a_matching_version_is_used_without_asking_the_registry(tmp_path: Path) -> None:
    chosen = _decide(tmp_path, _manifest("3.39.0", "6.25.0"))
    assert chosen.mirror == tmp_path / "mirror"


def test_a_version_recorded_but_gone_from_disk_does_not_count(tmp_path: Path) -> None:
    manifest = _manifest("6.25.0")
    mirror = _mirror(tmp_path, manifest)
    (mirror / manifest.providers[0].executable).unlink()
    with pytest.raises(ProviderUnavailableError, match="holds no version of it"):
        choose_installation([Requirement(AWS, (">= 5.49.0",))], mirror_dir=mirror, manifest=manifest, forced=False,
                            environ={"HOME": str(tmp_path)}, workdir=tmp_path, generation=5,
                            probe=lambda host: Reachability(False, f"cannot resolve {host}: test"))


def test_other_platforms_in_the_mirror_do_not_count(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailableError):
        _decide(tmp_path, _manifest("6.25.0", os_arch="darwin_arm64"),
                probe=lambda host: Reachability(False, "no route"))


def test_offline_without_a_matching_version_names_provider_constraint_and_both_ways_out(tmp_path: Path) -> None:
    asked: list[str] = []

    def offline(hostname: str) -> Reachability:
        asked.append(hostname)
        return Reachability(False, f"cannot resolve {hostname}: Name or service not known")

    with pytest.raises(ProviderUnavailableError) as caught:
        _decide(tmp_path, _manifest("3.39.0"), probe=offline)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("hashicorp/aws (>= 5.49.0) cannot be installed: the provider mirror ")
    assert "holds 3.39.0" in message
    assert "registry.terraform.io cannot be reached (cannot resolve registry.terraform.io" in message
    assert "bcce providers mirror --add terraform-provider-aws_<version>_linux_amd64.zip" in message
    assert "provider.generation: 3" in message
    assert caught.value.exit_code == ExitCode.PROVIDER_UNAVAILABLE == 20
    assert asked == ["registry.terraform.io"]


def test_reachable_registry_leaves_installation_to_terraform(tmp_path: Path) -> None:
    chosen = _decide(tmp_path, _manifest("3.39.0"), probe=lambda host: Reachability(True, f"{host}:443 accepts"))
    assert chosen.mirror is None


def test_forced_mirror_is_the_only_source(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailableError, match="BCCE_PROVIDER_MIRROR makes it the only source"):
        _decide(tmp_path, _manifest("3.39.0"), forced=True)


def test_generation_3_is_told_to_build_the_mirror(tmp_path: Path) -> None:
    with pytest.raises(ProviderUnavailableError) as caught:
        _decide(tmp_path, None, generation=3, constraint=">= 3.39.0", probe=lambda host: Reachability(False, "x"))
    assert "run 'bcce providers mirror'" in str(caught.value)
    assert "provider.generation: 3" not in str(caught.value)


def test_own_cli_config_with_provider_installation_is_respected(tmp_path: Path) -> None:
    rc = tmp_path / "own.tfrc"
    rc.write_text('provider_installation {\n  network_mirror { url = "https://mirror.example/" }\n}\n')
    chosen = _decide(tmp_path, _manifest("3.39.0"), environ={"TF_CLI_CONFIG_FILE": str(rc), "HOME": str(tmp_path)})
    assert chosen.mirror is None and str(rc) in chosen.reason


def test_own_cli_config_that_is_missing_or_says_nothing_about_providers_is_not_a_way_out(tmp_path: Path) -> None:
    rc = tmp_path / "own.tfrc"
    rc.write_text('credentials "app.terraform.io" {}\n')
    for named in (rc, tmp_path / "absent.tfrc"):
        with pytest.raises(ProviderUnavailableError):
            _decide(tmp_path, _manifest("3.39.0"), environ={"TF_CLI_CONFIG_FILE": str(named), "HOME": str(tmp_path)},
                    probe=lambda host: Reachability(False, "offline"))


@pytest.mark.parametrize("layout", ["unpacked", "packed", "installed"])
def test_terraform_local_plugin_folders_count(tmp_path: Path, layout: str) -> None:
    home = tmp_path / "home"
    if layout == "unpacked":
        (home / ".terraform.d/plugins/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64").mkdir(parents=True)
    elif layout == "packed":
        folder = home / ".local/share/terraform/plugins/registry.terraform.io/hashicorp/aws"
        folder.mkdir(parents=True)
        (folder / "terraform-provider-aws_6.25.0_linux_amd64.zip").write_bytes(b"zip")
    else:  # an earlier `terraform init` of the root
        (tmp_path / "root/.terraform/providers/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64").mkdir(parents=True)
    chosen = _decide(tmp_path, _manifest("3.39.0"), environ={"HOME": str(home)})
    assert chosen.mirror is None


# ---------------------------------------------------------------- the registry probe (no network: injected)


def test_probe_reports_a_failed_name_lookup_without_connecting() -> None:
    def resolve(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def connect(*args: object, **kwargs: object) -> object:
        raise AssertionError("no connection after a failed lookup")

    answer = probe_registry("registry.terraform.io", {}, resolve=resolve, connect=connect)
    assert answer == Reachability(False, "cannot resolve registry.terraform.io: Name or service not known")


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "cannot connect to registry.terraform.io:443: Connection refused"),
        (OSError(101, "Network is unreachable"), "cannot connect to registry.terraform.io:443: Network is unreachable"),
        (TimeoutError("timed out"), "no answer from registry.terraform.io:443 within 7s"),
    ],
)
def test_probe_reports_why_a_connection_failed(error: BaseException, detail: str) -> None:
    seen: dict[str, object] = {}

    def connect(address: tuple[str, int], timeout: float) -> object:
        seen.update(address=address, timeout=timeout)
        raise error

    answer = probe_registry("registry.terraform.io", {"BCCE_REGISTRY_PROBE_TIMEOUT": "7"},
                            resolve=lambda *a, **k: [()], connect=connect)
    assert answer == Reachability(False, detail)
    assert seen == {"address": ("registry.terraform.io", 443), "timeout": 7.0}


def test_probe_goes_through_the_https_proxy_terraform_would_use() -> None:
    seen: list[tuple[str, int]] = []

    class Open:
        def __enter__(self) -> Open:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def connect(address: tuple[str, int], timeout: float) -> Open:
        seen.append(address)
        return Open()

    answer = probe_registry("registry.terraform.io", {"HTTPS_PROXY": "http://proxy.corp:3128"},
                            resolve=lambda *a, **k: [()], connect=connect)
    assert answer.reachable and seen == [("proxy.corp", 3128)]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"https_proxy": "proxy:8080"}, ("proxy", 8080)),
        ({"HTTPS_PROXY": "http://proxy:8080", "NO_PROXY": "example.com,.terraform.io"}, None),
        ({"HTTPS_PROXY": "http://proxy:8080", "NO_PROXY": "*"}, None),
        ({"HTTPS_PROXY": "https://proxy", "NO_PROXY": "io.example"}, ("proxy", 443)),
    ],
)
def test_https_proxy_selection(environ: dict[str, str], expected: tuple[str, int] | None) -> None:
    assert https_proxy("registry.terraform.io", environ) == expected


# ---------------------------------------------------------------- release file names and SHA256SUMS


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("terraform-provider-aws_6.25.0_linux_amd64.zip", ReleaseName("aws", "6.25.0", "linux_amd64")),
        ("terraform-provider-google-beta_7.1.0_darwin_arm64.zip", ReleaseName("google-beta", "7.1.0", "darwin_arm64")),
        ("terraform-provider-aws_6.0.0-beta1_linux_amd64.zip", ReleaseName("aws", "6.0.0-beta1", "linux_amd64")),
    ],
)
def test_release_names(name: str, parsed: ReleaseName) -> None:
    assert ReleaseName.parse(name) == parsed


@pytest.mark.parametrize("name", ["aws.zip", "terraform-provider-aws_6.25.0_linux_amd64.tar.gz",
                                  "terraform-provider-aws_v6.25.0_x5", "terraform-provider-aws_6.25_linux_amd64.zip",
                                  "terraform-provider-../x_1.0.0_linux_amd64.zip"])
def test_names_that_are_not_releases_are_refused_with_the_expected_form(name: str) -> None:
    with pytest.raises(UsageError, match="expected terraform-provider-<type>_<version>_<os>_<arch>.zip"):
        ReleaseName.parse(name)


def test_provider_address_from_source_option() -> None:
    release = ReleaseName("aws", "6.25.0", "linux_amd64")
    assert provider_address(release, None) == AWS
    assert provider_address(release, "acme/aws") == "registry.terraform.io/acme/aws"
    assert provider_address(release, "tf.acme.example/acme/aws") == "tf.acme.example/acme/aws"
    with pytest.raises(UsageError, match="not 'gcp'"):
        provider_address(release, "acme/gcp")
    with pytest.raises(UsageError, match="NAMESPACE/TYPE"):
        provider_address(release, "a/b/c/aws")


def test_sha256sums_in_hashicorp_format() -> None:
    text = ("a" * 64 + "  terraform-provider-aws_6.25.0_darwin_arm64.zip\n"
            + "B" * 64 + "  terraform-provider-aws_6.25.0_linux_amd64.zip\n"
            + "c" * 64 + " *terraform-provider-aws_6.25.0_manifest.json\n\n")
    sums = parse_sha256sums(text, "SHA256SUMS")
    assert sums["terraform-provider-aws_6.25.0_linux_amd64.zip"] == "b" * 64
    assert sums["terraform-provider-aws_6.25.0_manifest.json"] == "c" * 64


@pytest.mark.parametrize("text", ["not a checksum line\n", "abc  file.zip\n", ""])
def test_malformed_sha256sums_names_the_line(text: str) -> None:
    with pytest.raises(EnvironmentProblem, match="SHA256SUMS"):
        parse_sha256sums(text, "SHA256SUMS")
