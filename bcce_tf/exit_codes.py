"""Process exit codes of the bcce CLI. The README lists them; keep both in step."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # unexpected failure inside bcce itself
    CHANGES_PRESENT = 2  # plan --detailed-exitcode: the plan has changes (Terraform's own 2)
    USAGE = 3  # bad command-line usage (unknown option, missing argument)
    CONFIG_INVALID = 4  # bcce.json missing, malformed, or failing validation
    TERRAFORM_FAILED = 5  # Terraform ran and failed with a non-retryable error
    READINESS_GATE = 6  # readiness score under the threshold, or a critical check failed
    CREDENTIALS = 7  # AWS credentials missing, expired or rejected
    CIRCUIT_OPEN = 8  # a circuit breaker is open: the operation was not attempted
    RETRIES_EXHAUSTED = 9  # a transient failure outlasted the retry budget
    STATE_LOCKED = 10  # the Terraform state is locked by another run
    ENVIRONMENT = 11  # a tool or file bcce needs is missing (provider mirror, emulator, terraform binary)
    PERMISSION_DENIED = 12  # AWS refused an action for lack of permission (credentials themselves are fine)
    DECLINED = 13  # the user answered no to a confirmation prompt
    UNHEALTHY = 14  # doctor: a live check of the deployed platform is unhealthy
    FORCE_REFUSED = 15  # --force asked for, but readiness.allow_force / BCCE_ALLOW_FORCE forbid it
    NOT_SUPPORTED = 16  # the endpoint does not implement an AWS action bcce needs (not retried)
    AWS_FAILED = 17  # an AWS call failed with an error that is neither credentials, permission nor transient
    PROVIDER_UNAVAILABLE = 20  # a provider the root needs is neither in the mirror nor reachable in a registry
    METRICS_FAILED = 22  # bcce metrics could not write its text file, listen on its port or reach the Pushgateway
    SIGN_IN_FAILED = 23  # developer sign-in / credential_process: IdP unreachable, login refused, identity pool rejected the token
    DEVELOPER_CHECK_FAILED = 24  # bcce claude-code doctor: a check the developer's machine needs failed
    COST_UNAVAILABLE = 25  # bcce cost analysis: Cost Explorer's spend could not be read (not enabled, no data, an AWS error)
    DATA_PROTECTED = 26  # a destroy or state restore refused: it would lose data, or the state lock is held
    TARGET_UNREACHABLE = 27  # a target account could not be reached: its role could not be assumed or its profile failed
    NOTHING_DEPLOYED = 28  # drift: no target has a deployed state to compare with
    INTERRUPTED = 130  # stopped with Ctrl-C
