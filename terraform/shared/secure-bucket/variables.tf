variable "name" {
  description = "Bucket name (already unique: stack, organization, account, region, purpose)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "A bucket name is 3-63 lower-case letters, digits, dots and hyphens."
  }
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS; null means SSE-S3 (required for S3 server access log targets)."
  type        = string
  default     = null
}

variable "access_log_bucket" {
  description = "Bucket receiving S3 server access logs for this bucket; null disables access logging."
  type        = string
  default     = null
}

variable "transitions" {
  description = "Lifecycle transitions of current objects."
  type = list(object({
    days          = number
    storage_class = string
  }))
  default = []

  validation {
    condition     = alltrue([for t in var.transitions : contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"], t.storage_class)])
    error_message = "A transition storage class must be one S3 accepts (STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, GLACIER_IR, DEEP_ARCHIVE)."
  }
}

variable "noncurrent_expiration_days" {
  description = "Days after which noncurrent object versions expire; null keeps them."
  type        = number
  default     = 90
}

variable "policy_documents" {
  description = "Extra bucket policy documents (JSON) merged with the TLS-only statement."
  type        = list(string)
  default     = []
}

variable "force_destroy" {
  description = "Allow destroy to delete a bucket that still holds objects."
  type        = bool
  default     = false
}

variable "receives_access_logs" {
  description = "Allow the S3 logging service to deliver server access logs into this bucket."
  type        = bool
  default     = false
}
