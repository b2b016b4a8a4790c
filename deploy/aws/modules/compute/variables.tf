variable "name" {
  description = "Prefix for the names of every resource; also the ECS cluster's name."
  type        = string
}

variable "vpc_id" {
  description = "VPC the tasks run in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the tasks."
  type        = list(string)
}

variable "repository_url" {
  description = "ECR repository of the docpipe image, without a tag."
  type        = string
}

variable "image_tag" {
  description = "Tag of the image every role runs; set by the delivery pipeline."
  type        = string
}

variable "services" {
  description = "Size of each role's service: task CPU units and memory (MiB), desired, minimum and maximum task count."
  type = map(object({
    cpu     = number
    memory  = number
    desired = number
    min     = number
    max     = number
  }))

  validation {
    condition     = alltrue([for k in ["api", "web", "worker"] : contains(keys(var.services), k)])
    error_message = "services must size api, web and worker."
  }
}

variable "target_group_arns" {
  description = "Load balancer target groups of the api and web services."
  type = object({
    api = string
    web = string
  })
}

variable "load_balancer_security_group_id" {
  description = "Security group of the load balancer: the only source the api and web tasks admit."
  type        = string
}

variable "api_listener_port" {
  description = "Port of the load balancer's api listener, which the web calls (api_internal_url)."
  type        = number
}

variable "database_security_group_id" {
  description = "Security group of the database, which the api and worker reach on database.port."
  type        = string
}

variable "database_ca_bundle" {
  description = "PEM certificates of the RDS certificate authorities of the region: the api and worker verify the database's server certificate against them (sslmode=verify-full)."
  type        = string

  validation {
    condition     = strcontains(var.database_ca_bundle, "-----BEGIN CERTIFICATE-----")
    error_message = "database_ca_bundle must hold PEM certificates."
  }
}

variable "api_internal_url" {
  description = "The api's URL inside the VPC, which the web calls."
  type        = string
}

variable "public_url" {
  description = "The address browsers use for the web."
  type        = string
}

variable "bucket_name" {
  description = "Documents bucket."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of the documents bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts the bucket, the queue and the database secret."
  type        = string
}

variable "queue_url" {
  description = "Queue of the bucket's ObjectCreated events, consumed by the worker."
  type        = string
}

variable "queue_arn" {
  description = "ARN of the event queue."
  type        = string
}

variable "queue_name" {
  description = "Name of the event queue, for the worker's scaling metric."
  type        = string
}

variable "database" {
  description = "Where PostgreSQL is and the Secrets Manager secret (JSON with username and password) that holds its credentials."
  type = object({
    address    = string
    port       = number
    name       = string
    username   = string
    secret_arn = string
  })
}

variable "oidc" {
  description = "The identity provider: token issuer, signing keys, app client and the hosted UI's base URL."
  type = object({
    issuer        = string
    jwks_url      = string
    client_id     = string
    hosted_ui_url = string
  })
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the tasks' logs."
  type        = number
  default     = 30
}

variable "queue_depth_per_worker" {
  description = "Waiting events per worker task that the worker service scales towards."
  type        = number
  default     = 20
}

variable "autoscaling" {
  description = "Scale the services with Application Auto Scaling: CPU for every role, queue depth for the worker."
  type        = bool
  default     = true
}

variable "session_key_version" {
  description = "Version of the web's session key: raise it to generate a new key (every user signs in again)."
  type        = number
  default     = 1

  validation {
    condition     = var.session_key_version >= 1
    error_message = "session_key_version starts at 1."
  }
}
