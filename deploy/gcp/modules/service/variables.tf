variable "project_id" {
  description = "Project of the service."
  type        = string
}

variable "region" {
  description = "Region of the service."
  type        = string
}

variable "name" {
  description = "Name of the service and id of its service account (6-30 characters)."
  type        = string
}

variable "command" {
  description = "docpipe role the container runs: api, web or worker."
  type        = string

  validation {
    condition     = contains(["api", "web", "worker"], var.command)
    error_message = "command must be api, web or worker."
  }
}

variable "image" {
  description = "Image of the first revision; later revisions are the pipeline's (lifecycle ignore_changes)."
  type        = string
}

variable "ingress" {
  description = "INGRESS_TRAFFIC_ALL or INGRESS_TRAFFIC_INTERNAL_ONLY."
  type        = string

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY"], var.ingress)
    error_message = "ingress must be INGRESS_TRAFFIC_ALL or INGRESS_TRAFFIC_INTERNAL_ONLY."
  }
}

variable "public" {
  description = "Skip the Cloud Run IAM invoker check (allUsers may invoke): for a service that authenticates its callers itself."
  type        = bool
  default     = false
}

variable "invokers" {
  description = "Principals granted roles/run.invoker, keyed by a static name."
  type        = map(string)
  default     = {}
}

variable "min_instances" {
  description = "Instances kept warm."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Upper bound on instances."
  type        = number
  default     = 10
}

variable "concurrency" {
  description = "Requests one instance handles at once."
  type        = number
  default     = 80
}

variable "timeout_seconds" {
  description = "Request timeout in seconds (at most 3600)."
  type        = number
  default     = 60
}

variable "cpu" {
  description = "vCPUs per instance, e.g. \"1\" or \"2\"."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory per instance, e.g. \"512Mi\"."
  type        = string
  default     = "512Mi"
}

variable "cpu_idle" {
  description = "Throttle the CPU between requests (request-based billing). false keeps background work running."
  type        = bool
  default     = true
}

variable "env" {
  description = "Plain environment variables; DOCPIPE_ADDR is set to :8080."
  type        = map(string)
  default     = {}
}

variable "secret_env" {
  description = "Environment variables read from Secret Manager (latest version): name => secret id."
  type        = map(string)
  default     = {}
}

variable "cloudsql_instances" {
  description = "Cloud SQL connection names mounted as sockets under /cloudsql."
  type        = list(string)
  default     = []
}

variable "subnetwork" {
  description = "Subnet for Direct VPC egress of all traffic, or null for none."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse to delete the service in Terraform."
  type        = bool
  default     = true
}
