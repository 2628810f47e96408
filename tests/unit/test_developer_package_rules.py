"""The pure parts of `bcce claude-code package`: deterministic archives, the manifest, the AWS
config snippet round trip, the merge program (bcce's own merge functions, standalone), no secrets."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
import types
import zipfile

import pytest

from bcce_tf.developer import aws_profile, files, package, settings

SECTIONS = [
    aws_profile.Section("sso-session dev", (("sso_start_url", "https://d-1.awsapps.com/start"), ("sso_region", "us-east-1"),
                                            ("sso_registration_scopes", "sso:account:access"))),
    aws_profile.Section("profile dev", (("sso_session", "dev"), ("sso_account_id", "123456789012"),
                                        ("sso_role_name", "ClaudeCodeBedrock"), ("region", "us-east-1"))),
]
COGNITO = [aws_profile.Section("profile dev", (
    ("credential_process", "bcce credentials --profile dev --region us-east-1 --client-id abc --redirect-uri http://localhost:8400/callback"),
    ("region", "us-east-1")))]
OWNED = {"env": {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1", "AWS_PROFILE": "dev"}, "awsAuthRefresh": "aws sso login --profile dev"}


def members(system: str = "linux") -> dict[str, bytes]:
    return package.contents(system, settings_text=files.json_text(OWNED), aws_config_text=aws_profile.merge("", SECTIONS),
                            readme_text="read me\n")


def program(monkeypatch) -> dict[str, object]:
    module = types.ModuleType("bcce_package_merge")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses looks its module up
    exec(compile(package.merge_program(), "merge.py", "exec"), module.__dict__)  # noqa: S102 - the program the package carries
    return module.__dict__


@pytest.mark.parametrize("system", package.SYSTEMS)
def test_the_same_members_give_the_same_bytes(system):
    first = package.archive(system, "dev", members(system))
    again = package.archive(system, "dev", dict(reversed(list(members(system).items()))))
    assert first.data == again.data
    assert first.name == f"bcce-claude-code-dev-{system}.{'zip' if system == 'windows' else 'tar.gz'}"
    changed = package.archive(system, "dev", {**members(system), "README.txt": b"other\n"})
    assert changed.data != first.data


def test_tar_members_are_sorted_with_fixed_time_owner_and_modes():
    data = package.archive("linux", "dev", members()).data
    assert data[4:8] == b"\0\0\0\0"  # gzip header MTIME
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        infos = tar.getmembers()
    assert [i.name for i in infos] == ["bcce-claude-code-dev", *(f"bcce-claude-code-dev/{n}" for n in sorted(members()))]
    assert {i.mtime for i in infos} == {package.FIXED_MTIME}
    assert {(i.uid, i.gid, i.uname, i.gname) for i in infos} == {(0, 0, "", "")}
    modes = {i.name.rsplit("/", 1)[-1]: i.mode for i in infos}
    assert modes["install.sh"] == 0o755 and modes["merge.py"] == 0o755 and modes["claude-settings.json"] == 0o644


def test_zip_entries_have_a_fixed_time_and_the_windows_installer():
    data = package.archive("windows", "dev", members("windows")).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert {i.date_time for i in infos} == {package.FIXED_ZIP_TIME}
        names = [i.filename.rsplit("/", 1)[-1] for i in infos]
        assert names == sorted(names) and "install.ps1" in names and "install.sh" not in names
        script = archive.read("bcce-claude-code-dev/install.ps1")
    script.decode("ascii")  # Windows PowerShell 5.1 reads a BOM-less script as ANSI: keep it ASCII
    assert b"merge.py" in script and b"Split-Path -Parent $MyInvocation.MyCommand.Path" in script


def test_manifest_is_what_sha256sum_reads():
    archives = [package.Archive("windows", "b.zip", b"two"), package.Archive("linux", "a.tar.gz", b"one")]
    assert package.manifest(archives) == (
        f"{hashlib.sha256(b'one').hexdigest()}  a.tar.gz\n{hashlib.sha256(b'two').hexdigest()}  b.zip\n")


@pytest.mark.parametrize("sections", [SECTIONS, COGNITO])
def test_the_snippet_reads_back_as_the_sections_it_was_written_from(sections):
    assert package.parse_sections(aws_profile.merge("", sections)) == sections


def test_the_merge_program_merges_exactly_as_bcce_does(monkeypatch):
    merged = program(monkeypatch)
    existing = {"theme": "dark", "env": {"MY_VAR": "x", "AWS_REGION": "ap-south-1", "OTEL_LOGS_EXPORTER": "otlp"},
                "awsCredentialExport": "old"}
    assert merged["merge_settings"](existing, OWNED) == settings.merge(existing, OWNED)
    assert merged["json_text"](OWNED) == files.json_text(OWNED)
    text = "[default]\nregion = us-east-2\n# mine\n\n[profile dev]\noutput = json\nregion = eu-west-1\n"
    snippet_sections = merged["parse_sections"](aws_profile.merge("", SECTIONS))
    assert merged["merge_config"](text, snippet_sections) == aws_profile.merge(text, SECTIONS)


def test_the_merge_program_uses_only_the_standard_library():
    source = package.merge_program()
    imports = {line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "json", "os", "re", "sys", "dataclasses", "datetime", "pathlib", "typing"}
    assert "bcce_tf" not in source


@pytest.mark.parametrize("leak", ["aws_secret_access_key = abc", "AKIAABCDEFGHIJKLMNOP", '"SessionToken": "x"'])
def test_a_secret_is_never_packaged(leak):
    with pytest.raises(ValueError, match="looks like a secret in aws-config"):
        package.contents("linux", settings_text="{}\n", aws_config_text=f"[profile dev]\n{leak}\n", readme_text="")


def test_readme_says_how_each_track_signs_in():
    common = dict(stack="bcce-us-east-1", profile="dev", region="us-east-1", model_ids={"sonnet": "us.x"})
    sso = package.readme("linux", auth="identity-center", **common)
    assert "aws sso login --profile dev" in sso and "tar -xzf bcce-claude-code-dev-linux.tar.gz" in sso and "sonnet: us.x" in sso
    oidc = package.readme("windows", auth="cognito-oidc", **common)
    assert "bcce credentials" in oidc and "install.ps1" in oidc and "%USERPROFILE%" in oidc and "aws sso login" not in oidc
    assert json.dumps(oidc).isascii()
