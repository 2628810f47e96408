"""The access additions to moto answer with the members botocore's service model documents.

Checked through the emulator the Terraform runs use (a moto server reached over HTTP), so each
answer goes through the same serialization the provider parses.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from bcce_tf.emulator import access

pytestmark = pytest.mark.integration

MODEL = botocore.session.get_session()


def output_members(service: str, operation: str) -> set[str]:
    shape = MODEL.get_service_model(service).operation_model(operation).output_shape
    return set(shape.members) if shape is not None else set()


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.mark.parametrize(("service", "operation"), [(s, o) for s, ops in access.OPERATIONS.items() for o in ops])
def test_every_added_operation_exists_in_the_service_model(service, operation):
    assert operation in MODEL.get_service_model(service).operation_names


@pytest.mark.parametrize(("service", "operation"), [(s, o) for s, ops in access.OPERATIONS.items() for o in ops])
def test_every_added_operation_is_installed_under_its_snake_case_name(moto_server, service, operation):
    cls = access.response_classes()[service]
    assert getattr(cls, access._snake(operation)) is access.HANDLERS[service][operation]


def test_sso_permission_set_tags_and_provisioning_status(emulator):
    sso = emulator.client("sso-admin")
    instance_arn = sso.list_instances()["Instances"][0]["InstanceArn"]
    permission_set = sso.create_permission_set(
        InstanceArn=instance_arn, Name="ps", SessionDuration="PT1H", Tags=[{"Key": "Stack", "Value": "bcce"}]
    )["PermissionSet"]["PermissionSetArn"]
    tags = sso.list_tags_for_resource(InstanceArn=instance_arn, ResourceArn=permission_set)
    assert set(body(tags)) <= output_members("sso-admin", "ListTagsForResource")
    assert tags["Tags"] == [{"Key": "Stack", "Value": "bcce"}]
    with pytest.raises(ClientError) as err:
        sso.list_tags_for_resource(InstanceArn=instance_arn, ResourceArn=instance_arn + "/ps-0000000000000000")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"

    request_id = sso.provision_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set, TargetType="ALL_PROVISIONED_ACCOUNTS")[
        "PermissionSetProvisioningStatus"]["RequestId"]
    status = sso.describe_permission_set_provisioning_status(InstanceArn=instance_arn, ProvisionPermissionSetRequestId=request_id)
    assert set(body(status)) == output_members("sso-admin", "DescribePermissionSetProvisioningStatus")
    shape = MODEL.get_service_model("sso-admin").shape_for("PermissionSetProvisioningStatus")
    assert set(status["PermissionSetProvisioningStatus"]) <= set(shape.members)
    assert status["PermissionSetProvisioningStatus"]["Status"] == "SUCCEEDED"
    assert status["PermissionSetProvisioningStatus"]["RequestId"] == request_id


def test_cognito_identity_pool_roles_round_trip(emulator):
    identity = emulator.client("cognito-identity")
    pool_id = identity.create_identity_pool(IdentityPoolName="pool", AllowUnauthenticatedIdentities=False)["IdentityPoolId"]
    role = "arn:aws:iam::123456789012:role/authenticated"
    set_response = identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role})
    assert body(set_response) == {}
    roles = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert set(body(roles)) <= output_members("cognito-identity", "GetIdentityPoolRoles")
    assert roles["IdentityPoolId"] == pool_id
    assert roles["Roles"] == {"authenticated": role}
    assert "RoleMappings" not in roles
    with pytest.raises(ClientError) as err:
        identity.get_identity_pool_roles(IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _instance(ec2: Any, **network: Any) -> dict[str, Any]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    nic = {"DeviceIndex": 0, "SubnetId": subnet, "Groups": [group], **network}
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, NetworkInterfaces=[nic])["Instances"][0]
    return {"instance": instance, "group": group}


def test_ec2_monitor_and_unmonitor_instances(emulator):
    ec2 = emulator.client("ec2")
    instance_id = _instance(ec2)["instance"]["InstanceId"]
    for operation, state in (("monitor_instances", "enabled"), ("unmonitor_instances", "disabled")):
        response = getattr(ec2, operation)(InstanceIds=[instance_id])
        assert set(body(response)) == {"InstanceMonitorings"}
        assert set(body(response)) == output_members("ec2", "".join(p.title() for p in operation.split("_")))
        assert response["InstanceMonitorings"] == [{"InstanceId": instance_id, "Monitoring": {"State": state}}]
        described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        assert described["Monitoring"]["State"] == state


def test_ec2_private_interface_has_no_association_and_instance_reports_its_groups(emulator):
    ec2 = emulator.client("ec2")
    made = _instance(ec2, AssociatePublicIpAddress=False)
    described = ec2.describe_instances(InstanceIds=[made["instance"]["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert "Association" not in described["NetworkInterfaces"][0]
    assert "PublicIpAddress" not in described
    assert [g["GroupId"] for g in described["SecurityGroups"]] == [made["group"]]
    public = _instance(ec2, AssociatePublicIpAddress=True)["instance"]
    assert public["NetworkInterfaces"][0]["Association"]["PublicIp"]


def test_rds_user_parameters_report_source_user(emulator):
    rds = emulator.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="pg", DBParameterGroupFamily="postgres16", Description="d")
    rds.modify_db_parameter_group(
        DBParameterGroupName="pg", Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}]
    )
    (parameter,) = rds.describe_db_parameters(DBParameterGroupName="pg")["Parameters"]
    assert parameter["Source"] == "user"
    assert set(parameter) <= set(MODEL.get_service_model("rds").shape_for("Parameter").members)


def test_iam_ssm_managed_instance_core_is_attachable(emulator):
    iam = emulator.client("iam")
    arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    document = iam.get_policy_version(PolicyArn=arn, VersionId=iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"])
    statements = document["PolicyVersion"]["Document"]
    statements = json.loads(statements) if isinstance(statements, str) else statements
    assert any("ssmmessages:CreateControlChannel" in json.dumps(s) for s in statements["Statement"])
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]] == [arn]
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_fixes_are_listed(moto_server):
    assert set(access.FIXES) == {
        "ec2:InstanceNetworkInterface.Association", "ec2:Instance.SecurityGroups", "rds:Parameter.Source", "iam:AmazonSSMManagedInstanceCore",
    }
