output "name" {
  description = "Service name."
  value       = google_cloud_run_v2_service.this.name
}

output "uri" {
  description = "The service's https://…run.app URL."
  value       = google_cloud_run_v2_service.this.uri
}

output "service_account" {
  description = "Email of the service's own service account."
  value       = google_service_account.this.email
}

output "member" {
  description = "IAM member of the service account: serviceAccount:EMAIL."
  value       = google_service_account.this.member
}

output "ingress" {
  description = "Ingress setting of the service."
  value       = google_cloud_run_v2_service.this.ingress
}

output "public" {
  description = "Whether the invoker IAM check is off (anyone reaching the ingress may call)."
  value       = google_cloud_run_v2_service.this.invoker_iam_disabled
}

output "concurrency" {
  description = "Requests one instance handles at once."
  value       = google_cloud_run_v2_service.this.template[0].max_instance_request_concurrency
}

output "timeout" {
  description = "Request timeout, e.g. 900s."
  value       = google_cloud_run_v2_service.this.template[0].timeout
}

output "env" {
  description = "Plain environment variables of the container."
  value       = { for e in google_cloud_run_v2_service.this.template[0].containers[0].env : e.name => e.value if length(e.value_source) == 0 }
}

output "secret_env" {
  description = "Environment variables read from Secret Manager: name => secret id."
  value       = { for e in google_cloud_run_v2_service.this.template[0].containers[0].env : e.name => e.value_source[0].secret_key_ref[0].secret if length(e.value_source) > 0 }
}
