variable "project_id" {
  description = "Project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance: the Cloud Run services'."
  type        = string
}

variable "name" {
  description = "Instance name."
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

variable "deletion_protection" {
  description = "Refuse to delete the instance, in Terraform and in the Cloud SQL API."
  type        = bool
  default     = true
}

variable "clients" {
  description = "Service account emails that sign in to the database (IAM database authentication), keyed by a static name."
  type        = map(string)

  validation {
    condition     = alltrue([for email in values(var.clients) : endswith(email, ".gserviceaccount.com")])
    error_message = "clients must be service account emails (NAME@PROJECT.iam.gserviceaccount.com)."
  }
}

variable "owner" {
  description = "Key in clients of the service account whose database user owns the schema; the others act as its role."
  type        = string

  validation {
    condition     = contains(keys(var.clients), var.owner)
    error_message = "owner must name one of the clients."
  }
}
