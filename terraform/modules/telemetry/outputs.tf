output "otlp_endpoint" {
  description = "OTLP/HTTP endpoint of the collector inside the VPC (OTEL_EXPORTER_OTLP_ENDPOINT)."
  value       = "${var.allow_http ? "http" : "https"}://${aws_lb.this.dns_name}:4318"
}

output "cluster_name" {
  description = "ECS cluster of the collector."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "ECS service of the collector."
  value       = aws_ecs_service.collector.name
}

output "collector_log_group" {
  description = "Log group of the collector's own output."
  value       = aws_cloudwatch_log_group.collector.name
}

output "metrics_log_group" {
  description = "Log group of the EMF records CloudWatch reads the ClaudeCode metrics from."
  value       = aws_cloudwatch_log_group.metrics.name
}

output "task_role_arn" {
  description = "Role of the collector tasks."
  value       = aws_iam_role.task.arn
}
