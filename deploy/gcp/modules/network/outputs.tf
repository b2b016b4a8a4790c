output "network" {
  description = "VPC network id."
  value       = google_compute_network.this.id
}

output "subnetwork" {
  description = "Subnet id."
  value       = google_compute_subnetwork.this.id
}
