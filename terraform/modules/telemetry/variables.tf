variable "name_prefix" {
  description = "Prefix of resource names: <stack>-<organization>."
  type        = string
}

variable "stack_name" {
  description = "Name of the stack; prefixes the ECR pull-through cache repositories."
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
  description = "AWS region of the stack."
  type        = string
}

variable "kms_key_arn" {
  description = "Stack key: encrypts the collector's log groups."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the network component."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of that VPC: the only source allowed to reach the OTLP port."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (two availability zones) for the load balancer, the tasks and the endpoints."
  type        = list(string)
}

variable "privatelink" {
  description = "The network component has a CloudWatch Logs interface endpoint already (PrivateLink on)."
  type        = bool
}

variable "events_log_group_name" {
  description = "Analytics log group Claude Code's log events are written to (/bcce/claude-code/<organization>)."
  type        = string
}

variable "events_log_group_arn" {
  description = "ARN of that log group."
  type        = string
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the metrics the EMF exporter writes."
  type        = string
}

variable "collector_version" {
  description = "Pinned ADOT collector image tag."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener; null for plain HTTP inside the VPC."
  type        = string
  default     = null
}

variable "allow_http" {
  description = "Plain HTTP inside the VPC; exactly one of this and certificate_arn."
  type        = bool
}

variable "desired_count" {
  description = "Number of collector tasks."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of the collector's log groups, in days."
  type        = number
}
