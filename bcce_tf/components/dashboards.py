"""Inputs of the dashboards component: Grafana, Metabase or Superset on EC2 with a PostgreSQL database.

The database master password never reaches a file bcce writes:

- provider.generation 5: RDS generates and keeps it (manage_master_user_password); nothing to pass.
- provider.generation 3: `secret_environment` returns it as `TF_VAR_dashboards_db_master_password`
  (a sensitive variable). Its value comes from the environment variable named by
  `dashboard.db_password_env` when set, otherwise bcce generates one. Terraform uses only the first
  value (ignore_changes), so generating a fresh one on every run changes nothing after creation.
  Terraform state holds the password (aws_db_instance, aws_secretsmanager_secret_version).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any

from bcce_tf.config import Config
from bcce_tf.errors import ConfigError
from bcce_tf.metrics.grafana_dashboard import dashboard_json
from bcce_tf.metrics.lake_questions import questions_json

SERVICES: tuple[str, ...] = ("ec2", "rds", "secretsmanager", "iam", "ssm", "logs", "kms")

DB_PASSWORD_TFVAR = "TF_VAR_dashboards_db_master_password"
PASSWORD_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits

# Exact versions installed at first boot; change them here, deliberately.
PINNED_VERSIONS: dict[str, tuple[str, str]] = {
    # platform: (platform version, Athena plugin/driver version; "" when built in)
    "grafana": ("11.3.1", "2.17.2"),  # grafana RPM, grafana-athena-datasource plugin
    "metabase": ("0.52.2", ""),  # metabase.jar; the Athena driver is built in
    "superset": ("4.1.4", "3.30.0"),  # apache-superset, pyathena[sqlalchemy]
}


class InvalidSecretError(ConfigError):
    """A secret given through the environment does not meet its rules."""

    fmt = "environment variable {variable}: {problem}"


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    """A random RDS-safe password: letters and digits only (no / @ " or space), at least one of each kind."""
    while True:
        value = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value):
            return value


def secret_environment(config: Config, environ: Mapping[str, str]) -> dict[str, str]:
    """Environment entries Terraform needs for this component's secrets.

    Empty unless dashboards are configured with provider.generation 3. Then the initial database
    password: environ[config.dashboard.db_password_env] when set (letters and digits, 16+), else a
    freshly generated one.
    """
    if config.dashboard.platform == "none" or config.provider.generation >= 5:
        return {}
    chosen = environ.get(config.dashboard.db_password_env, "")
    if chosen:
        if len(chosen) < 16 or any(c not in _ALPHABET for c in chosen):
            raise InvalidSecretError(
                variable=config.dashboard.db_password_env,
                problem="the initial dashboard database password must be at least 16 letters and digits (value not shown)",
            )
        return {DB_PASSWORD_TFVAR: chosen}
    return {DB_PASSWORD_TFVAR: generate_password()}


def tfvars(config: Config, region: str) -> dict[str, Any]:
    dash = config.dashboard
    version, plugin = PINNED_VERSIONS[dash.platform]
    analytics = "analytics" in config.enabled_components()
    return {
        "dashboards_platform": dash.platform,
        "dashboards_platform_version": version,
        "dashboards_plugin_version": plugin,
        "dashboards_instance_type": dash.instance_type,
        "dashboards_db_instance_class": dash.db_instance_class,
        "dashboards_deletion_protection": dash.deletion_protection,
        "dashboards_skip_final_snapshot": dash.skip_final_snapshot,
        "dashboards_backup_retention_days": dash.backup_retention_days,
        # Grafana's provisioned bcce dashboard (bcce_tf/metrics/grafana_dashboard.py); "" for the others.
        "dashboards_grafana_dashboard": dashboard_json(config.stack_name, region, analytics,
                                                       config.regions[0]) if dash.platform == "grafana" else "",
        # Superset's saved SQL Lab questions over the lake (bcce_tf/metrics/lake_questions.py); "" otherwise.
        "dashboards_lake_questions": questions_json() if dash.platform == "superset" and analytics else "",
    }
