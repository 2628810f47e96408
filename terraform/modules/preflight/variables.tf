variable "config_path" {
  description = "Path to the bcce.json to check (relative paths are taken from the directory Terraform runs in)."
  type        = string
  default     = "bcce.json"
}

variable "min_score" {
  description = "Lowest readiness score (0-100) that lets the plan go on."
  type        = number
  default     = 70

  validation {
    condition     = var.min_score >= 0 && var.min_score <= 100 && floor(var.min_score) == var.min_score
    error_message = "min_score must be a whole number from 0 to 100."
  }
}

variable "region" {
  description = "Check this one region of the config only (default: every region of the config)."
  type        = string
  default     = null
}

variable "profile" {
  description = "AWS profile bcce checks with (default: the credential chain Terraform runs with)."
  type        = string
  default     = null
}

variable "endpoint_url" {
  description = "Send every AWS call of the checks to this URL (an emulator, LocalStack or a proxy)."
  type        = string
  default     = null
}

variable "bcce_command" {
  description = "How to start bcce; the module appends [\"external\", \"preflight\"]. For example [\"python3\", \"-m\", \"bcce_tf\"]."
  type        = list(string)
  default     = ["bcce"]

  validation {
    condition     = length(var.bcce_command) > 0
    error_message = "bcce_command needs at least the program to run."
  }
}
