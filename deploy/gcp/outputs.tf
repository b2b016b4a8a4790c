output "web_url" {
  description = "Where users open docpipe: the web service's URL (or public_url)."
  value       = local.public_url
}

output "api_url" {
  description = "The api's URL, reachable only from inside the VPC."
  value       = module.api.uri
}

output "worker_url" {
  description = "The worker's URL, reachable only by the Eventarc trigger."
  value       = module.worker.uri
}

output "repository" {
  description = "Artifact Registry path the pipeline pushes docpipe images to."
  value       = module.registry.url
}

output "bucket" {
  description = "Bucket of the originals."
  value       = module.storage.name
}

output "database_connection_name" {
  description = "Cloud SQL connection name, PROJECT:REGION:INSTANCE."
  value       = module.database.connection_name
}

output "oidc_client_secret" {
  description = "Secret Manager secret the operator adds the OAuth client secret to."
  value       = google_secret_manager_secret.oidc_client_secret.secret_id
}

output "build_service_account" {
  description = "Service account to run cloudbuild.yaml as."
  value       = module.build.service_account
}

output "redirect_uri" {
  description = "Authorised redirect URI to register on the OAuth client."
  value       = "${local.public_url}/auth/callback"
}
