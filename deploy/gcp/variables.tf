variable "project_id" {
  description = "Google Cloud project that holds the stack."
  type        = string
}

variable "region" {
  description = "Region of every regional resource: Cloud Run, the bucket, Eventarc, Cloud SQL, Artifact Registry."
  type        = string
  default     = "europe-west1"
}

variable "name" {
  description = "Prefix of resource names and service account ids (lowercase, at most 16 characters)."
  type        = string
  default     = "docpipe"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.name))
    error_message = "name must be 2-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "bucket_name" {
  description = "Name of the originals bucket; PROJECT_ID-NAME-originals if null."
  type        = string
  default     = null
}

variable "image" {
  description = "Image of the services' first revision. Owned by the delivery pipeline afterwards: Cloud Build deploys each new image and Terraform ignores the change."
  type        = string
  default     = "us-docker.pkg.dev/cloudrun/container/hello"
}

variable "oidc_issuer" {
  description = "Issuer of the sign-in tokens: https://accounts.google.com for Sign in with Google, https://securetoken.google.com/PROJECT_ID for Identity Platform."
  type        = string
  default     = "https://accounts.google.com"
}

variable "oidc_client_id" {
  description = "OAuth client id users sign in with (Google Auth Platform or Identity Platform); also the audience the api accepts."
  type        = string
}

variable "public_url" {
  description = "URL browsers use for the web, e.g. a custom domain; the web service's run.app URL if null."
  type        = string
  default     = null
}

variable "scaling" {
  description = "Instances, per-instance concurrency and size of each service."
  type = map(object({
    min         = number
    max         = number
    concurrency = number
    cpu         = string
    memory      = string
  }))
  default = {
    web    = { min = 0, max = 5, concurrency = 80, cpu = "1", memory = "512Mi" }
    api    = { min = 0, max = 10, concurrency = 80, cpu = "1", memory = "1Gi" }
    worker = { min = 1, max = 10, concurrency = 2, cpu = "2", memory = "2Gi" }
  }

  validation {
    condition     = alltrue([for k in ["web", "api", "worker"] : contains(keys(var.scaling), k)])
    error_message = "scaling needs web, api and worker."
  }
}

variable "worker_timeout_seconds" {
  description = "Request timeout of the worker: an event is answered only after its document is OCRed. Keep it above DOCPIPE_JOB_TIMEOUT."
  type        = number
  default     = 900
}

variable "database_tier" {
  description = "Cloud SQL machine tier."
  type        = string
  default     = "db-custom-1-3840"
}

variable "database_availability_type" {
  description = "ZONAL, or REGIONAL for a standby in a second zone."
  type        = string
  default     = "ZONAL"
}

variable "subnet_cidr" {
  description = "IPv4 range of the subnet the web's Direct VPC egress uses to reach the internal api."
  type        = string
  default     = "10.8.0.0/24"
}

variable "deletion_protection" {
  description = "Protect the database, the services and the bucket's objects from terraform destroy."
  type        = bool
  default     = true
}
