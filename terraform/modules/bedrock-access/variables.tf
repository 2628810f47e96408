variable "name_prefix" {
  description = "Prefix of resource names: <stack>-<organization>."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the stack."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
}

variable "region" {
  description = "Region of this stack; part of the IAM names, which are global."
  type        = string
}

variable "regions" {
  description = "Regions where Claude may be invoked."
  type        = list(string)
}

variable "model_patterns" {
  description = "Anthropic Claude model id patterns (anthropic.claude-*)."
  type        = list(string)
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the developer role; null for none."
  type        = string
  default     = null
}

variable "max_session_hours" {
  description = "Longest session of the developer role, in hours."
  type        = number
  default     = 8
}

variable "enforce_guardrail" {
  description = "Allow invocations only when they carry the guardrail below."
  type        = bool
  default     = false
}

variable "guardrail_arn" {
  description = "ARN of the Bedrock guardrail every invocation must use (with enforce_guardrail)."
  type        = string
  default     = null
}

variable "guardrail_version" {
  description = "Published version of that guardrail."
  type        = string
  default     = null
}

variable "enforce_source_vpce" {
  description = "Allow invocations only through the VPC endpoint below."
  type        = bool
  default     = false
}

variable "source_vpce_id" {
  description = "Id of the bedrock-runtime interface endpoint invocations must come through (with enforce_source_vpce)."
  type        = string
  default     = null
}

variable "access_tag_key" {
  description = "Principal tag a federated principal of this account must carry (value: the name prefix) to assume the developer role."
  type        = string
  default     = "bcce-access"
}
