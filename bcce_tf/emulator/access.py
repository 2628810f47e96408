"""Operations moto 5.2.5 lacks that the access components (identity, dashboards) need.

sso-admin:         ListTagsForResource (permission set tags, given at creation; the provider reads
                   them after every create and refresh), DescribePermissionSetProvisioningStatus
                   (the provider waits on it after ProvisionPermissionSet).
cognito-identity:  SetIdentityPoolRoles, GetIdentityPoolRoles (aws_cognito_identity_pool_roles_attachment).
iam:               the AWS managed policy AmazonSSMManagedInstanceCore exists (moto loads AWS managed
                   policies only when told to load all ~1,300 of them; the dashboards role attaches
                   this one). Listing policies with Scope=All therefore shows it, as AWS does.
ec2:               MonitorInstances, UnmonitorInstances (aws_instance monitoring = true; moto has
                   stubs that raise NotImplementedError, so the provider retries the 500 forever);
                   an instance network interface without a public IP has no Association element
                   (moto sends an empty one, which the provider reads as a public IP and then plans
                   to replace an instance created with associate_public_ip_address = false);
                   an instance launched with its security groups on the primary network interface
                   (what the provider sends when associate_public_ip_address is set) reports them as
                   the instance's SecurityGroups, as AWS does (moto reports none, so every plan
                   re-adds vpc_security_group_ids).
rds:               parameters set with ModifyDBParameterGroup are reported with Source "user" (the
                   provider keeps only those; without it every plan re-adds the parameters).

Fidelity fixes (not new operations) are listed in FIXES; each has its own test.

Each handler is named after the botocore operation (snake_case) and answers with the members the
botocore output shape documents; tests/integration/test_access_moto_patches.py checks both.
"""

from __future__ import annotations

import json
from typing import Any

# operation name (botocore) -> service, per patched service
OPERATIONS: dict[str, tuple[str, ...]] = {
    "sso-admin": ("ListTagsForResource", "DescribePermissionSetProvisioningStatus"),
    "cognito-identity": ("SetIdentityPoolRoles", "GetIdentityPoolRoles"),
    "ec2": ("MonitorInstances", "UnmonitorInstances"),
}

FIXES: tuple[str, ...] = ("ec2:InstanceNetworkInterface.Association", "ec2:Instance.SecurityGroups", "rds:Parameter.Source", "iam:AmazonSSMManagedInstanceCore")

# Operations moto "has" as stubs raising NotImplementedError: replaced, not only filled in.
STUBS: frozenset[str] = frozenset({"MonitorInstances", "UnmonitorInstances"})


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


# --- sso-admin -------------------------------------------------------------------------------


def _sso_find_permission_set(backend: Any, resource_arn: str) -> Any:
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    for permission_set in backend.permission_sets:
        if permission_set.permission_set_arn == resource_arn:
            return permission_set
    raise ResourceNotFoundException(f"Could not find PermissionSet with arn: {resource_arn}")


def _sso_list_tags_for_resource(self: Any) -> str:
    permission_set = _sso_find_permission_set(self.ssoadmin_backend, self._get_param("ResourceArn"))
    return json.dumps({"Tags": list(permission_set.tags or [])})


def _sso_describe_permission_set_provisioning_status(self: Any) -> str:
    # moto provisions synchronously (its ProvisionPermissionSet already answers SUCCEEDED), so any
    # request id it handed out has succeeded.
    from moto.core.utils import unix_time

    return json.dumps(
        {
            "PermissionSetProvisioningStatus": {
                "AccountId": self.current_account,
                "CreatedDate": unix_time(),
                "RequestId": self._get_param("ProvisionPermissionSetRequestId"),
                "Status": "SUCCEEDED",
            }
        }
    )


# --- cognito-identity ------------------------------------------------------------------------


def _cognito_pool(self: Any, pool_id: str) -> Any:
    from moto.cognitoidentity.exceptions import ResourceNotFoundError

    pool = self.backend.identity_pools.get(pool_id)
    if pool is None:
        raise ResourceNotFoundError(pool_id)
    return pool


def _cognito_set_identity_pool_roles(self: Any) -> str:
    pool = _cognito_pool(self, self._get_param("IdentityPoolId"))
    pool.bcce_roles = dict(self._get_param("Roles") or {})
    mappings = self._get_param("RoleMappings")
    pool.bcce_role_mappings = dict(mappings) if mappings else {}
    return ""


def _cognito_get_identity_pool_roles(self: Any) -> str:
    pool = _cognito_pool(self, self._get_param("IdentityPoolId"))
    body: dict[str, Any] = {"IdentityPoolId": pool.identity_pool_id, "Roles": getattr(pool, "bcce_roles", {})}
    mappings = getattr(pool, "bcce_role_mappings", {})
    if mappings:
        body["RoleMappings"] = mappings
    return json.dumps(body)


# --- ec2 -------------------------------------------------------------------------------------


def _ec2_set_monitoring(self: Any, state: str) -> Any:
    from moto.core.responses import ActionResult

    instance_ids = self._get_param("InstanceIds", [])
    self.error_on_dryrun()
    monitorings = []
    for instance_id in instance_ids:
        instance = self.ec2_backend.get_instance(instance_id)
        instance.monitoring_state = state
        monitorings.append({"InstanceId": instance_id, "Monitoring": {"State": state}})
    return ActionResult({"InstanceMonitorings": monitorings})


def _ec2_monitor_instances(self: Any) -> Any:
    return _ec2_set_monitoring(self, "enabled")


def _ec2_unmonitor_instances(self: Any) -> Any:
    return _ec2_set_monitoring(self, "disabled")


HANDLERS: dict[str, dict[str, Any]] = {
    "sso-admin": {
        "ListTagsForResource": _sso_list_tags_for_resource,
        "DescribePermissionSetProvisioningStatus": _sso_describe_permission_set_provisioning_status,
    },
    "cognito-identity": {
        "SetIdentityPoolRoles": _cognito_set_identity_pool_roles,
        "GetIdentityPoolRoles": _cognito_get_identity_pool_roles,
    },
    "ec2": {
        "MonitorInstances": _ec2_monitor_instances,
        "UnmonitorInstances": _ec2_unmonitor_instances,
    },
}


def response_classes() -> dict[str, type]:
    from moto.cognitoidentity.responses import CognitoIdentityResponse
    from moto.ec2.responses import EC2Response
    from moto.ssoadmin.responses import SSOAdminResponse

    return {"sso-admin": SSOAdminResponse, "cognito-identity": CognitoIdentityResponse, "ec2": EC2Response}


# --- iam -------------------------------------------------------------------------------------

AWS_MANAGED_POLICIES_USED: tuple[str, ...] = ("AmazonSSMManagedInstanceCore",)


def _install_aws_managed_policies() -> None:
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy, IAMBackend

    if getattr(IAMBackend, "_bcce_access_policies", False):
        return
    every = json.loads(aws_managed_policies_data)
    wanted = {name: every[name] for name in AWS_MANAGED_POLICIES_USED}
    original = IAMBackend._init_aws_policies

    def _init_aws_policies(self: Any) -> list[Any]:
        loaded = original(self)
        have = {p.name for p in loaded}
        extra = [AWSManagedPolicy.from_data(n, self.account_id, self.region_name, d) for n, d in wanted.items() if n not in have]
        return [*loaded, *extra]

    IAMBackend._init_aws_policies = _init_aws_policies
    IAMBackend._bcce_access_policies = True


# --- fidelity fixes ----------------------------------------------------------------------------

INSTANCE_ASSOCIATION_PATH = "NetworkInterfaces.InstanceNetworkInterface.Association"


def _install_instance_association_fix() -> None:
    from moto.core.serialize import return_if_not_empty
    from moto.ec2.responses import EC2Response

    EC2Response.RESPONSE_KEY_PATH_TO_TRANSFORMER.setdefault(INSTANCE_ASSOCIATION_PATH, return_if_not_empty)


def _install_instance_groups_fix() -> None:
    from moto.ec2.models.instances import Instance

    if getattr(Instance, "_bcce_primary_nic_groups", False):
        return
    original = Instance.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        primary = self.nics.get(0) if self.nics else None
        if not self.security_groups and primary is not None and primary._group_set:
            self.security_groups = list(primary._group_set)

    Instance.__init__ = __init__
    Instance._bcce_primary_nic_groups = True


def _install_parameter_source_fix() -> None:
    from moto.rds.models import DBParameterGroup

    if getattr(DBParameterGroup, "_bcce_source_user", False):
        return
    original = DBParameterGroup.update_parameters

    def update_parameters(self: Any, new_parameters: Any) -> None:
        new_parameters = list(new_parameters)
        original(self, new_parameters)
        for parameter in new_parameters:
            self.parameters[parameter["ParameterName"]].setdefault("Source", "user")

    DBParameterGroup.update_parameters = update_parameters
    DBParameterGroup._bcce_source_user = True


def install() -> None:
    _install_aws_managed_policies()
    _install_instance_association_fix()
    _install_instance_groups_fix()
    _install_parameter_source_fix()
    classes = response_classes()
    for service, handlers in HANDLERS.items():
        cls = classes[service]
        for operation, handler in handlers.items():
            method = _snake(operation)
            # Fill gaps and replace NotImplementedError stubs; when moto implements an operation
            # for real (no longer a gap, no longer a stub), its own implementation wins.
            if not hasattr(cls, method) or (operation in STUBS and _is_stub(getattr(cls, method))):
                setattr(cls, method, handler)


def _is_stub(function: Any) -> bool:
    import inspect

    try:
        return "NotImplementedError" in inspect.getsource(function)
    except (OSError, TypeError):
        return False
