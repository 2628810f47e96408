"""The dashboards component applied for real (Grafana, provider 3.39) with network and analytics.

Emulator additions used here (bcce_tf/emulator/access.py): EC2 MonitorInstances, the
AmazonSSMManagedInstanceCore managed policy, no empty Association on private network interfaces,
instance SecurityGroups from the primary network interface, RDS parameters with Source "user".
"""

from __future__ import annotations

import base64
import json

import pytest

from bcce_tf.components import dashboards
from tests.support.access_stack import (
    files_containing,
    render_with_secrets,
    state_contains,
)
from tests.support.stack import emulator_config

pytestmark = pytest.mark.integration

DB_PASSWORD = "KnownDashboardPassw0rd4Test"


def test_dashboards_apply_converge_destroy_and_write_no_password(emulator, provider_mirror, tmp_path):
    config = emulator_config(
        components=["dashboards"], privatelink=False, organization_id="acme",
        dashboard={"platform": "grafana", "deletion_protection": False, "skip_final_snapshot": True},
    )
    env = dashboards.secret_environment(config, {"BCCE_DASHBOARD_DB_PASSWORD": DB_PASSWORD})
    assert env == {"TF_VAR_dashboards_db_master_password": DB_PASSWORD}
    run = render_with_secrets(config, tmp_path, emulator.url, provider_mirror, env)
    assert run.rendered.components == ("security", "network", "analytics", "dashboards")
    run.init()
    run.tf("plan", "-input=false", "-no-color")
    run.apply()
    outputs = run.outputs()
    key_arn = outputs["kms_key_arn"]

    ec2 = emulator.client("ec2")
    (reservation,) = ec2.describe_instances(InstanceIds=[outputs["dashboards_instance_id"]])["Reservations"]
    (instance,) = reservation["Instances"]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert instance["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    assert "PublicIpAddress" not in instance
    assert instance["SubnetId"] in outputs["private_subnet_ids"]
    assert instance["Monitoring"]["State"] == "enabled"
    assert instance["IamInstanceProfile"]["Arn"].endswith("/bcce-acme-dash-us-east-1")
    (root,) = [m for m in instance["BlockDeviceMappings"] if m["DeviceName"] == instance["RootDeviceName"]] or instance["BlockDeviceMappings"][:1]
    volume = ec2.describe_volumes(VolumeIds=[root["Ebs"]["VolumeId"]])["Volumes"][0]
    assert (volume["Encrypted"], volume["KmsKeyId"], volume["Size"]) == (True, key_arn, 30)
    user_data = base64.b64decode(ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")["UserData"]["Value"]).decode()
    assert 'dnf install -y "grafana-11.3.1"' in user_data
    assert outputs["dashboards_db_secret_arn"] in user_data and outputs["dashboards_app_secret_arn"] in user_data
    assert "workgroup: " + outputs["athena_workgroup"] in user_data

    (instance_sg,) = instance["SecurityGroups"]
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [outputs["vpc_id"]]}])["SecurityGroups"]}
    instance_group = groups[instance_sg["GroupId"]]
    (ingress,) = instance_group["IpPermissions"]
    assert (ingress["FromPort"], ingress["ToPort"], [r["CidrIp"] for r in ingress["IpRanges"]]) == (3000, 3000, ["10.80.0.0/16"])
    egress = sorted((p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]], [g["GroupId"] for g in p["UserIdGroupPairs"]]) for p in instance_group["IpPermissionsEgress"])
    rds = emulator.client("rds")
    (db,) = rds.describe_db_instances()["DBInstances"]
    (db_sg,) = [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]]
    assert egress == [(443, ["0.0.0.0/0"], []), (5432, [], [db_sg])]
    (db_ingress,) = groups[db_sg]["IpPermissions"]
    assert (db_ingress["FromPort"], [g["GroupId"] for g in db_ingress["UserIdGroupPairs"]], db_ingress["IpRanges"]) == (5432, [instance_sg["GroupId"]], [])
    assert groups[db_sg]["IpPermissionsEgress"] == []

    assert db["Engine"] == "postgres"
    assert (db["StorageEncrypted"], db["KmsKeyId"], db["PubliclyAccessible"]) == (True, key_arn, False)
    assert db["BackupRetentionPeriod"] == 7
    assert db["IAMDatabaseAuthenticationEnabled"] is True
    assert sorted(s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]) == sorted(outputs["private_subnet_ids"])

    secrets = emulator.client("secretsmanager")
    db_secret = secrets.describe_secret(SecretId=outputs["dashboards_db_secret_arn"])
    assert db_secret["KmsKeyId"] == key_arn
    assert json.loads(secrets.get_secret_value(SecretId=db_secret["ARN"])["SecretString"])["password"] == DB_PASSWORD
    assert secrets.describe_secret(SecretId=outputs["dashboards_app_secret_arn"])["KmsKeyId"] == key_arn

    iam = emulator.client("iam")
    attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="bcce-acme-dash-us-east-1")["AttachedPolicies"]]
    assert attached == ["AmazonSSMManagedInstanceCore"]
    inline = iam.get_role_policy(RoleName="bcce-acme-dash-us-east-1", PolicyName="dashboards")["PolicyDocument"]
    inline = json.loads(inline) if isinstance(inline, str) else inline
    resources = json.dumps(inline)
    assert f"workgroup/{outputs['athena_workgroup']}" in resources and outputs["athena_results_bucket"] in resources
    services = sorted(e["ServiceName"].rsplit(".", 1)[1] for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [outputs["vpc_id"]]}])["VpcEndpoints"])
    assert services == ["athena", "ec2messages", "glue", "monitoring", "s3", "secretsmanager", "ssm", "ssmmessages"]

    # bcce generates a fresh password on every run; only the first one is ever used.
    run.env = dashboards.secret_environment(config, {})
    assert run.env["TF_VAR_dashboards_db_master_password"] != DB_PASSWORD
    assert run.plan_exit_code() == 0, "a second plan must show no changes"

    # The password reached RDS and Secrets Manager, but no file bcce or Terraform wrote, and no output.
    assert files_containing(run.directory, DB_PASSWORD) == []
    assert [t for t in run.transcripts if DB_PASSWORD in t] == []
    assert DB_PASSWORD not in json.dumps(outputs)
    assert state_contains(run.directory, DB_PASSWORD), "the state holds the password (documented); if not, this test looks in the wrong place"

    run.destroy()
    states = {i["State"]["Name"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
    assert states <= {"terminated"}
    assert rds.describe_db_instances()["DBInstances"] == []
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []
    assert secrets.list_secrets()["SecretList"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    # Deleted endpoints stay visible for a while in state "deleted", in AWS as in the emulator.
    assert {e["State"].lower() for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]} <= {"deleted"}
    assert [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"] == []


USER_DATA_ROOT = """
locals {{
  common = templatefile("{dir}/common.sh.tftpl", {{
    region = "us-east-1", db_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    app_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf",
    db_host = "db.example.internal", db_port = 5432, db_name = "dashboards"
  }})
  platform = {{
    for name, versions in {versions} : name => templatefile("{dir}/${{name}}.sh.tftpl", {{
      region = "us-east-1", port = 3000, version = versions[0], plugin_version = versions[1],
      db_host = "db.example.internal", db_port = 5432, db_name = "dashboards",
      athena_workgroup = "wg", glue_database = "usage", results_bucket = "results-bucket",
      dashboard_gzip = name == "grafana" ? base64gzip(file("{dashboard}")) : ""
      questions_gzip = name == "superset" ? base64gzip(file("{questions}")) : ""
    }})
  }}
}}

output "user_data" {{
  value = {{ for name, script in local.platform : name => join("\\n", [local.common, script]) }}
}}
"""


def test_user_data_renders_and_is_valid_bash_for_every_platform(provider_mirror, tmp_path):
    import shutil
    import subprocess

    from bcce_tf.render import templates_dir
    from tests.conftest import run_terraform

    source = templates_dir() / "modules" / "dashboards" / "user_data"
    versions = "{" + ", ".join(f'{name} = ["{v}", "{p}"]' for name, (v, p) in dashboards.PINNED_VERSIONS.items()) + "}"
    from bcce_tf.metrics.grafana_dashboard import dashboard_json
    from bcce_tf.metrics.lake_questions import questions_json

    board = dashboard_json("bcce", "us-east-1", True)
    (tmp_path / "dashboard.json").write_text(board, encoding="utf-8")
    (tmp_path / "questions.json").write_text(questions_json(), encoding="utf-8")
    (tmp_path / "main.tf").write_text(USER_DATA_ROOT.format(dir=source.as_posix(), versions=versions,
                                                            dashboard=(tmp_path / "dashboard.json").as_posix(),
                                                            questions=(tmp_path / "questions.json").as_posix()),
                                      encoding="utf-8")
    for args in (("init", "-input=false", "-no-color"), ("apply", "-auto-approve", "-input=false", "-no-color")):
        result = run_terraform(tmp_path, provider_mirror, *args)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    scripts = json.loads(run_terraform(tmp_path, provider_mirror, "output", "-json", "user_data").stdout)
    assert set(scripts) == {"grafana", "metabase", "superset"}
    bash = shutil.which("bash")
    for name, script in scripts.items():
        version, plugin = dashboards.PINNED_VERSIONS[name]
        assert version in script and (plugin == "" or plugin in script), name
        assert "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" in script
        assert len(script.encode()) < 16 * 1024, "EC2 user data is limited to 16 KB"
        if name == "grafana":  # the dashboard file the instance writes is the generated dashboard
            import base64
            import re
            import gzip

            [blob] = re.findall(r"printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d \| gunzip", script)
            assert gzip.decompress(base64.b64decode(blob)).decode() == board
            assert "uid: bcce-cloudwatch" in script and "type: file" in script
        if name == "superset":  # the saved questions the instance writes are bcce's, and its Python compiles
            import base64
            import gzip
            import re

            [blob] = re.findall(r"printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d \| gunzip", script)
            assert gzip.decompress(base64.b64decode(blob)).decode() == questions_json()
            [program] = re.findall(r"<<'PY'\n(.*?)\nPY\n", script, re.DOTALL)
            compile(program, "bcce_lake.py", "exec")
            assert '"us-east-1" "usage" "wg" "results-bucket" /etc/superset/bcce-questions.json' in script
        if bash:
            checked = subprocess.run([bash, "-n"], input=script, capture_output=True, text=True, check=False)
            assert checked.returncode == 0, f"{name}: {checked.stderr}"
