output "url" {
  description = "Where users open docpipe; the REST API is under /v1/."
  value       = local.public_url
}

output "ecr_repository_url" {
  description = "Where the pipeline pushes images: REPOSITORY_URL:TAG."
  value       = module.registry.repository_url
}

output "cluster_name" {
  description = "ECS cluster of the three services."
  value       = module.compute.cluster_name
}

output "service_names" {
  description = "ECS service of each role."
  value       = module.compute.service_names
}

output "bucket_name" {
  description = "Documents bucket."
  value       = module.data.bucket_name
}

output "queue_url" {
  description = "Queue of the bucket's ObjectCreated events."
  value       = module.data.queue_url
}

output "dlq_url" {
  description = "Dead-letter queue of the events."
  value       = module.data.dlq_url
}

output "user_pool_id" {
  description = "Cognito user pool."
  value       = module.identity.user_pool_id
}

output "client_id" {
  description = "Cognito app client of the web."
  value       = module.identity.client_id
}

output "issuer" {
  description = "Issuer of the pool's tokens."
  value       = module.identity.issuer
}

output "hosted_ui_url" {
  description = "Cognito hosted sign-in pages."
  value       = module.identity.hosted_ui_url
}

output "db_address" {
  description = "PostgreSQL host."
  value       = module.data.db_address
}

output "db_secret_arn" {
  description = "Secrets Manager secret with the database credentials."
  value       = module.data.db_secret_arn
}

output "session_key_secret_arn" {
  description = "Secrets Manager secret with the key the web tasks seal sessions with (DOCPIPE_SESSION_KEY)."
  value       = module.compute.session_key_secret_arn
}

output "flow_log_group_name" {
  description = "CloudWatch Logs group of the VPC's flow logs."
  value       = module.network.flow_log_group_name
}
