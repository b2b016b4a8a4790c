output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service of each role."
  value       = { for k, s in aws_ecs_service.this : k => s.name }
}

output "task_definition_arns" {
  description = "Task definition revision each role runs."
  value       = { for k, t in aws_ecs_task_definition.this : k => t.arn }
}

output "security_group_ids" {
  description = "Security group of each role's tasks."
  value       = { for k, g in aws_security_group.this : k => g.id }
}

output "execution_role_arns" {
  description = "ECS execution role of each role: it reads that role's secrets only."
  value       = { for k, r in aws_iam_role.execution : k => r.arn }
}

output "log_groups" {
  description = "CloudWatch log group of each role."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "session_key_secret_arn" {
  description = "Secrets Manager secret holding the web tasks' DOCPIPE_SESSION_KEY."
  value       = aws_secretsmanager_secret.session_key.arn
}
