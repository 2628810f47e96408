"""Error families of bcce.

Every error carries a message template filled from structured fields and the exit code the CLI
returns for it. Callers catch a family base class; `__main__` maps any BcceError to its code.
"""

from __future__ import annotations

from typing import Any

from bcce_tf.exit_codes import ExitCode


class BcceError(Exception):
    """Base of every error bcce raises on purpose."""

    fmt = "{message}"
    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str | None = None, **fields: Any) -> None:
        self.fields = fields
        if message is not None:
            fields.setdefault("message", message)
        super().__init__(self.fmt.format(**fields))

    @property
    def message(self) -> str:
        return str(self)


class UsageError(BcceError):
    exit_code = ExitCode.USAGE


class ConfigError(BcceError):
    """The configuration file is missing, malformed or invalid."""

    exit_code = ExitCode.CONFIG_INVALID


class ConfigFileError(ConfigError):
    fmt = "{path}: {problem}"


class ConfigFieldError(ConfigError):
    fmt = "{path}: field '{field}': {problem}"


class EnvironmentProblem(BcceError):
    """Something bcce needs on this machine is missing or broken."""

    exit_code = ExitCode.ENVIRONMENT


class TerraformError(BcceError):
    """Terraform ran and failed."""

    exit_code = ExitCode.TERRAFORM_FAILED
    fmt = "terraform {command} failed (exit {exit_code_tf}): {reason}"


class StateLockedError(TerraformError):
    exit_code = ExitCode.STATE_LOCKED
    fmt = "{message}"


class RetriesExhaustedError(BcceError):
    exit_code = ExitCode.RETRIES_EXHAUSTED
    fmt = "{operation} still failing after {attempts} attempts over {elapsed:.0f}s; last reason: {reason}"


class CircuitOpenError(BcceError):
    exit_code = ExitCode.CIRCUIT_OPEN
    fmt = (
        "circuit breaker '{name}' is open since {opened_at} after {failures} failures; "
        "next attempt allowed at {retry_at} (or run: bcce reset-circuit-breaker {name})"
    )


class AwsError(BcceError):
    """An AWS call failed; raised at the boundary in place of botocore's ClientError.
    Fields: service, operation, code, detail (AWS's message), status, request_id."""

    exit_code = ExitCode.AWS_FAILED
    fmt = "{service}:{operation} failed: {code}: {detail}"

    def __init__(self, message: str | None = None, **fields: Any) -> None:
        super().__init__(message, **fields)
        request_id = fields.get("request_id")
        if request_id and message is None:
            self.args = (f"{self.args[0]} (request id {request_id})",)


class PermissionDeniedError(AwsError):
    """AWS refused an action the credentials are not allowed; the credentials themselves are fine.
    Never retried. Fields: operation, action, resource, principal, statement (the missing one)."""

    exit_code = ExitCode.PERMISSION_DENIED
    fmt = ("permission denied: {principal} may not call {action} on {resource} ({operation}: {code}); "
           "add to its IAM policy the statement {statement}")


class CredentialsError(AwsError):
    exit_code = ExitCode.CREDENTIALS
    fmt = "AWS credentials rejected or missing: {detail}"


class NotSupportedError(BcceError):
    """The endpoint answered that it does not implement an action bcce needs; never retried."""

    exit_code = ExitCode.NOT_SUPPORTED
    fmt = "{operation}: the endpoint does not implement {action} (not retried): {reason}"


class DeclinedError(BcceError):
    """The user answered no to a confirmation prompt: nothing was changed."""

    exit_code = ExitCode.DECLINED
    fmt = "{message}"


class ProviderUnavailableError(BcceError):
    """A provider the Terraform root requires can be installed from nowhere; found before Terraform runs."""

    exit_code = ExitCode.PROVIDER_UNAVAILABLE
    fmt = "{providers} cannot be installed: the provider mirror {mirror} {holds} and {why}; {ways}"


class ReadinessGateError(BcceError):
    exit_code = ExitCode.READINESS_GATE
    fmt = "{message}"


class ForceRefusedError(BcceError):
    exit_code = ExitCode.FORCE_REFUSED
    fmt = "--force refused: {setting} forbids overriding the readiness gate; fix what fails (bcce readiness) instead"


class MetricsError(BcceError):
    """`bcce metrics` could not deliver the metrics where it was asked to (file, port, Pushgateway)."""

    exit_code = ExitCode.METRICS_FAILED
    fmt = "{message}"


class DataProtectedError(BcceError):
    """A destroy or a state restore refused: going on would lose data, or the state lock is held."""

    exit_code = ExitCode.DATA_PROTECTED
    fmt = "{message}"


class TargetUnreachableError(BcceError):
    """A target account could not be reached: AssumeRole was refused or its profile failed."""

    exit_code = ExitCode.TARGET_UNREACHABLE
    fmt = "target account {account_id}: {reason}"


class NothingDeployedError(BcceError):
    exit_code = ExitCode.NOTHING_DEPLOYED


class CostUnavailableError(BcceError):
    """`bcce cost analysis`: Cost Explorer could not be read (not enabled, no data yet, or an AWS error)."""

    exit_code = ExitCode.COST_UNAVAILABLE
    fmt = "{message}"
