"""The telemetry component applied for real (provider 3.39 against the emulator): the ADOT collector
on ECS Fargate behind an internal load balancer, with security, network and analytics under it.

It checks what was created through the AWS API (the collector's pipeline is read back from the
registered task definition and parsed), that a second plan has nothing to do, and that destroy
leaves nothing behind. Not checked on the emulator: that a Fargate task starts and answers OTLP
(moto registers services and tasks but runs no container), and the ECR pull-through cache rule
(provider generation 5 only; hashicorp/aws 3.39 has no such resource).
"""

from __future__ import annotations

import json

import pytest
import yaml

from bcce_tf.components import telemetry
from tests.integration.test_platform_stacks import leftovers, role_policy
from tests.support.stack import emulator_config, render_for_emulator
from tests.unit.test_telemetry_collector import assert_pipeline_is_defined

pytestmark = pytest.mark.integration


def telemetry_leftovers(emulator) -> dict[str, list]:
    found = leftovers(emulator)
    ecs, elb = emulator.client("ecs"), emulator.client("elbv2")
    clusters = ecs.list_clusters()["clusterArns"]
    found.update({
        # A deleted cluster stays listed as INACTIVE for a while (as in AWS): only active ones are left over.
        "ecs_clusters": [c["clusterArn"] for c in ecs.describe_clusters(clusters=clusters)["clusters"]
                         if c["status"] == "ACTIVE"] if clusters else [],
        "task_definitions": ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"],
        "load_balancers": [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]],
        "target_groups": [tg["TargetGroupArn"] for tg in elb.describe_target_groups()["TargetGroups"]],
    })
    return {kind: items for kind, items in found.items() if items}


@pytest.mark.parametrize("listener,privatelink", [("HTTP", False), ("HTTPS", True)])
def test_telemetry_component_applies_converges_and_destroys(listener, privatelink, emulator, provider_mirror, tmp_path):
    if listener == "HTTPS":
        # An ACM certificate in the emulated account, as an operator would have issued for the collector's name.
        certificate = emulator.client("acm").request_certificate(DomainName="otel.acme.internal")["CertificateArn"]
        settings = {"enabled": True, "certificate_arn": certificate, "desired_count": 1}
    else:
        settings = {"enabled": True, "allow_http": True, "desired_count": 1}
    config = emulator_config(components=["telemetry"], organization_id="acme", privatelink=privatelink, log_retention_days=90,
                             telemetry=settings)
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    assert run.rendered.components == ("security", "network", "analytics", "telemetry")
    assert telemetry.PUBLIC_IMAGE_WARNING in run.rendered.warnings
    run.init()
    run.apply()
    out = run.outputs()
    key_arn = out["kms_key_arn"]

    elb = emulator.client("elbv2")
    [lb] = elb.describe_load_balancers()["LoadBalancers"]
    assert (lb["Scheme"], lb["Type"]) == ("internal", "application")
    assert out["telemetry_otlp_endpoint"] == f"{listener.lower()}://{lb['DNSName']}:4318"
    [found_listener] = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert (found_listener["Port"], found_listener["Protocol"]) == (4318, listener)
    if listener == "HTTPS":
        assert [c["CertificateArn"] for c in found_listener["Certificates"]] == [certificate]
        assert found_listener["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    [group] = elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    assert (group["TargetType"], group["Port"], group["HealthCheckPort"]) == ("ip", 4318, "13133")
    assert found_listener["DefaultActions"][0]["TargetGroupArn"] == group["TargetGroupArn"]
    # Without PrivateLink the collector brings its own CloudWatch Logs endpoint; with it, the network's serves.
    endpoints = {e["ServiceName"] for e in emulator.client("ec2").describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [out["vpc_id"]]}])["VpcEndpoints"]}
    assert ("com.amazonaws.us-east-1.logs" in endpoints) is True
    ec2 = emulator.client("ec2")
    subnets = ec2.describe_subnets(SubnetIds=[z["SubnetId"] for z in lb["AvailabilityZones"]])["Subnets"]
    assert {s["VpcId"] for s in subnets} == {out["vpc_id"]} and not any(s["MapPublicIpOnLaunch"] for s in subnets)
    [lb_group] = ec2.describe_security_groups(GroupIds=lb["SecurityGroups"])["SecurityGroups"]
    assert [(p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in lb_group["IpPermissions"]] == [(4318, ["10.80.0.0/16"])]

    ecs = emulator.client("ecs")
    [service] = ecs.describe_services(cluster=out["telemetry_cluster"], services=["collector"])["services"]
    assert (service["launchType"], service["desiredCount"]) == ("FARGATE", 1)
    vpc_config = service["networkConfiguration"]["awsvpcConfiguration"]
    assert vpc_config["assignPublicIp"] == "DISABLED" and set(vpc_config["subnets"]) == set(out["private_subnet_ids"])
    assert service["loadBalancers"][0]["targetGroupArn"] == group["TargetGroupArn"]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
    [container] = task["containerDefinitions"]
    assert container["image"] == f"public.ecr.aws/aws-observability/aws-otel-collector:{telemetry.COLLECTOR_VERSION}"
    assert container["logConfiguration"]["options"]["awslogs-group"] == out["telemetry_collector_log_group"]

    # The pipeline the collector gets, as registered: every component defined, names as deployed.
    [variable] = [e for e in container["environment"] if e["name"] == "AOT_CONFIG_CONTENT"]
    pipeline = yaml.safe_load(variable["value"])
    assert_pipeline_is_defined(pipeline)
    assert pipeline["exporters"]["awscloudwatchlogs"]["log_group_name"] == "/bcce/claude-code/acme"
    assert pipeline["exporters"]["awsemf"]["log_group_name"] == out["telemetry_metrics_log_group"]
    assert pipeline["exporters"]["awsemf"]["namespace"] == "ClaudeCode"

    logs = emulator.client("logs")
    for name in (out["telemetry_collector_log_group"], out["telemetry_metrics_log_group"]):
        [found] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        assert (found["retentionInDays"], found["kmsKeyId"]) == (90, key_arn)

    # The task role may write exactly the events group and the EMF group; the execution role only the collector's own.
    iam = emulator.client("iam")
    task_role = task["taskRoleArn"].rsplit("/", 1)[-1]
    assert role_policy(emulator, task_role)["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    [policy_name] = iam.list_role_policies(RoleName=task_role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=task_role, PolicyName=policy_name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    [statement] = document["Statement"]
    groups = {g["logGroupName"]: g["arn"].removesuffix(":*") for g in logs.describe_log_groups()["logGroups"]}
    assert set(statement["Resource"]) == {groups["/bcce/claude-code/acme"], groups["/bcce/claude-code/acme"] + ":log-stream:*",
                                          groups[out["telemetry_metrics_log_group"]],
                                          groups[out["telemetry_metrics_log_group"]] + ":log-stream:*"}
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]

    assert run.plan_exit_code() == 0, "a second plan must show no changes"
    run.destroy()
    assert telemetry_leftovers(emulator) == {}, "destroy left resources behind"
    if listener == "HTTPS":
        emulator.client("acm").delete_certificate(CertificateArn=certificate)
