variable "project_id" {
  description = "Project of the bucket."
  type        = string
}

variable "name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "location" {
  description = "Bucket location: a single region, the Eventarc trigger's region."
  type        = string
}

variable "noncurrent_days" {
  description = "Days a replaced or deleted object version is kept before it is deleted."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Let terraform destroy delete a bucket that still holds objects."
  type        = bool
  default     = false
}

variable "object_users" {
  description = "Principals that read and write objects (roles/storage.objectUser), keyed by a static name."
  type        = map(string)
  default     = {}
}
