# Your own Terraform, gated by bcce: a plain `terraform plan` here fails when the readiness score
# is under var.min_score (module "preflight"), and data "external" "account" tells the account,
# partition and caller bcce sees, so the rest of the root can use them.
terraform {
  required_version = ">= 1.3"

  required_providers {
    external = {
      source  = "hashicorp/external"
      version = ">= 2.0"
    }
  }
}

variable "config_path" {
  description = "bcce.json to check."
  type        = string
  default     = "bcce.json"
}

variable "min_score" {
  description = "Lowest readiness score that lets the plan go on."
  type        = number
  default     = 70
}

variable "endpoint_url" {
  description = "Send bcce's AWS calls here (emulator or proxy); null for AWS itself."
  type        = string
  default     = null
}

variable "bcce_command" {
  description = "How to start bcce."
  type        = list(string)
  default     = ["bcce"]
}

module "preflight" {
  source = "../../terraform/modules/preflight"

  config_path  = var.config_path
  min_score    = var.min_score
  endpoint_url = var.endpoint_url
  bcce_command = var.bcce_command
}

data "external" "account" {
  program = concat(var.bcce_command, ["external", "account"])

  query = {
    endpoint_url = var.endpoint_url
  }

  lifecycle {
    postcondition {
      condition     = self.result.is_root == "false"
      error_message = "Terraform runs with the root user's credentials (${self.result.caller_arn}); use a role."
    }
  }
}

output "account_id" {
  value = data.external.account.result.account_id
}

output "partition" {
  value = data.external.account.result.partition
}

output "caller_arn" {
  value = data.external.account.result.caller_arn
}

output "readiness_score" {
  value = module.preflight.score
}

output "readiness_status" {
  value = module.preflight.status
}

output "readiness_digest" {
  value = module.preflight.digest
}
