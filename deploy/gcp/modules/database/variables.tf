variable "project_id" {
  description = "Project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance: the Cloud Run services'."
  type        = string
}

variable "name" {
  description = "Instance name; also the prefix of the password secret's id."
  type        = string
}

variable "tier" {
  description = "Machine tier, e.g. db-custom-1-3840."
  type        = string
  default     = "db-custom-1-3840"
}

variable "availability_type" {
  description = "ZONAL, or REGIONAL for a standby in a second zone."
  type        = string
  default     = "ZONAL"

  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.availability_type)
    error_message = "availability_type must be ZONAL or REGIONAL."
  }
}

variable "database" {
  description = "Name of the database docpipe uses."
  type        = string
  default     = "docpipe"
}

variable "user" {
  description = "Name of the database user docpipe connects as."
  type        = string
  default     = "docpipe"
}

variable "password_version" {
  description = "Version of the generated password; increase it to rotate the password."
  type        = number
  default     = 1
}

variable "deletion_protection" {
  description = "Refuse to delete the instance, in Terraform and in the Cloud SQL API."
  type        = bool
  default     = true
}

variable "clients" {
  description = "Principals that connect (roles/cloudsql.client) and read the password, keyed by a static name."
  type        = map(string)
  default     = {}
}
