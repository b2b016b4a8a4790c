output "services" {
  description = "The APIs enabled, for other modules to depend on."
  value       = sort([for s in google_project_service.this : s.service])
}
