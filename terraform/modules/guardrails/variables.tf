variable "name_prefix" {
  description = "Prefix of resource names: <stack>-<organization>."
  type        = string
}

variable "kms_key_arn" {
  description = "Stack key encrypting the guardrail."
  type        = string
}

variable "content_filter_strength" {
  description = "Strength of the content filters (LOW, MEDIUM, HIGH)."
  type        = string
}

variable "denied_topics" {
  description = "Denied topics: name, definition, examples."
  type = list(object({
    name       = string
    definition = string
    examples   = list(string)
  }))
  default = []
}

variable "blocked_words" {
  description = "Blocked words and phrases."
  type        = list(string)
  default     = []
}

variable "pii_action" {
  description = "Action on e-mail addresses and phone numbers (BLOCK, ANONYMIZE)."
  type        = string
}

variable "blocked_message" {
  description = "Message returned in place of blocked input or output."
  type        = string
}
