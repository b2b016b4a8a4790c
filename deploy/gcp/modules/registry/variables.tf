variable "project_id" {
  description = "Project of the repository."
  type        = string
}

variable "region" {
  description = "Region of the repository, the same as the Cloud Run services'."
  type        = string
}

variable "name" {
  description = "Repository id."
  type        = string
}

variable "keep_count" {
  description = "Most recent image versions the cleanup policies never delete, whatever their age."
  type        = number
  default     = 10
}

variable "max_age_days" {
  description = "Image versions older than this are deleted unless among the keep_count most recent."
  type        = number
  default     = 90
}

variable "writers" {
  description = "Principals that push images (roles/artifactregistry.writer), keyed by a static name."
  type        = map(string)
  default     = {}
}
