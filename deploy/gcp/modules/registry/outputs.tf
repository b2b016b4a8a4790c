output "url" {
  description = "Image path prefix: REGION-docker.pkg.dev/PROJECT/REPOSITORY."
  value       = "${google_artifact_registry_repository.this.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.this.repository_id}"
}

output "id" {
  description = "Repository resource id."
  value       = google_artifact_registry_repository.this.id
}
