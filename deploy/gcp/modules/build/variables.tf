variable "project_id" {
  description = "Project of the account."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run services."
  type        = string
}

variable "name" {
  description = "Service account id of the deployer."
  type        = string
}

variable "services" {
  description = "Cloud Run services the deployer may update (roles/run.developer on each)."
  type        = list(string)
}

variable "runtime_service_accounts" {
  description = "Emails of the services' accounts the deployer acts as, keyed by a static name."
  type        = map(string)
}
