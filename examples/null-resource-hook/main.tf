# Call bcce from your own Terraform: one null_resource scores readiness (and stops the apply
# when the gate fails), the next plans and applies a bcce component, and destroys it again
# when this resource is destroyed.
terraform {
  required_version = ">= 1.3"

  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "~> 2.1"
    }
  }
}

variable "config_path" {
  description = "bcce.json of the deployment (absolute, or relative to this directory)."
  type        = string
  default     = "bcce.json"
}

variable "component" {
  description = "bcce component to deploy."
  type        = string
  default     = "security"
}

variable "min_score" {
  description = "Lowest readiness score that lets the deployment go on (BCCE_MIN_SCORE)."
  type        = number
  default     = 70
}

variable "endpoint_url" {
  description = "Send every AWS call to this URL (an emulator); empty for AWS itself."
  type        = string
  default     = ""
}

variable "bcce" {
  description = "The bcce command."
  type        = string
  default     = "bcce"
}

locals {
  config = abspath(var.config_path)
  # bcce works (renders its stacks under .bcce/) in the directory of its config.
  workdir = dirname(local.config)
  environment = merge(
    { BCCE_MIN_SCORE = tostring(var.min_score) },
    var.endpoint_url == "" ? {} : { AWS_ENDPOINT_URL = var.endpoint_url },
  )
}

resource "null_resource" "readiness" {
  triggers = {
    config    = filesha256(local.config)
    min_score = tostring(var.min_score)
  }

  provisioner "local-exec" {
    working_dir = local.workdir
    environment = local.environment
    command     = "${var.bcce} --config '${local.config}' readiness --format json --output bcce-readiness.json"
  }
}

resource "null_resource" "deploy" {
  depends_on = [null_resource.readiness]

  # Destroy-time provisioners may only read self: keep what they need in the triggers.
  triggers = {
    config       = local.config
    config_hash  = filesha256(local.config)
    component    = var.component
    workdir      = local.workdir
    endpoint_url = var.endpoint_url
    bcce         = var.bcce
  }

  provisioner "local-exec" {
    working_dir = local.workdir
    environment = local.environment
    command     = "${var.bcce} --config '${local.config}' plan --component ${var.component} && ${var.bcce} --config '${local.config}' apply --component ${var.component}"
  }

  provisioner "local-exec" {
    when        = destroy
    working_dir = self.triggers.workdir
    environment = self.triggers.endpoint_url == "" ? {} : { AWS_ENDPOINT_URL = self.triggers.endpoint_url }
    command     = "${self.triggers.bcce} --config '${self.triggers.config}' destroy --component ${self.triggers.component} --auto-approve"
  }
}

output "readiness_report" {
  description = "Where bcce wrote the readiness report (JSON)."
  value       = "${local.workdir}/bcce-readiness.json"
}
