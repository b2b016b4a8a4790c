output "service_account" {
  description = "Email of the deployer account; pass it to Cloud Build as the build's service account."
  value       = google_service_account.this.email
}

output "member" {
  description = "IAM member of the deployer account."
  value       = google_service_account.this.member
}
