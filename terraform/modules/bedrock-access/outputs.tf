output "role_arn" {
  description = "ARN of the developer role."
  value       = aws_iam_role.developer.arn
}

output "role_name" {
  description = "Name of the developer role."
  value       = aws_iam_role.developer.name
}

output "policy_arn" {
  description = "ARN of the managed developer policy."
  value       = aws_iam_policy.bedrock.arn
}

output "policy_json" {
  description = "The developer policy document."
  value       = data.aws_iam_policy_document.bedrock.json
}
