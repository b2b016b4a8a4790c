variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Name of this deployment, e.g. prod or staging; part of every resource name."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "image_tag" {
  description = "Tag of the docpipe image in ECR that every role runs. Owned by the delivery pipeline: it passes the tag it just pushed on every apply."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid, immutable image tag (not latest), e.g. the git commit."
  }
}

variable "bucket_name" {
  description = "Name of the documents bucket; globally unique. Defaults to docpipe-ENVIRONMENT-ACCOUNT_ID."
  type        = string
  default     = null
}

variable "cognito_domain_prefix" {
  description = "Prefix of the Cognito hosted sign-in domain; globally unique. Defaults to docpipe-ENVIRONMENT-ACCOUNT_ID."
  type        = string
  default     = null
}

variable "public_url" {
  description = "Address browsers use for the web, if it has a custom domain; defaults to the API Gateway URL."
  type        = string
  default     = null
}

variable "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Two or more availability zones; defaults to the region's first two."
  type        = list(string)
  default     = null
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone instead of one shared."
  type        = bool
  default     = false
}

variable "vpc_endpoints" {
  description = "Create VPC endpoints for ECR, CloudWatch Logs, Secrets Manager, SQS and S3."
  type        = bool
  default     = false
}

variable "services" {
  description = "Size of each role's ECS service: task CPU units, memory in MiB, desired, minimum and maximum tasks."
  type = map(object({
    cpu     = number
    memory  = number
    desired = number
    min     = number
    max     = number
  }))
  default = {
    api    = { cpu = 512, memory = 1024, desired = 3, min = 3, max = 12 }
    web    = { cpu = 256, memory = 512, desired = 2, min = 2, max = 6 }
    worker = { cpu = 2048, memory = 4096, desired = 1, min = 1, max = 10 }
  }
}

variable "autoscaling" {
  description = "Scale the ECS services with Application Auto Scaling (CPU, and queue depth for the worker)."
  type        = bool
  default     = true
}

variable "db_instance_class" {
  description = "RDS instance class of PostgreSQL."
  type        = string
  default     = "db.t4g.small"
}

variable "db_multi_az" {
  description = "Keep a PostgreSQL standby in a second availability zone."
  type        = bool
  default     = false
}

variable "db_ca_cert_identifier" {
  description = "Certificate authority of the database's server certificate; database_ca_bundle_file must hold it."
  type        = string
  default     = "rds-ca-rsa2048-g1"
}

variable "database_ca_bundle_file" {
  description = "PEM file, relative to the working directory, with the RDS certificate authorities of the region (https://truststore.pki.rds.amazonaws.com/REGION/REGION-bundle.pem): the api and worker connect with sslmode=verify-full against it."
  type        = string
  default     = "rds-ca-bundle.pem"

  validation {
    condition     = can(regex("-----BEGIN CERTIFICATE-----", file(var.database_ca_bundle_file))) && length(try(file(var.database_ca_bundle_file), "")) < 32768
    error_message = "database_ca_bundle_file must name a PEM file with the RDS certificate authorities of the region, under 32 KiB (the region's bundle, not the global one): see \"Database TLS\" in docs/aws.md."
  }
}

variable "flow_log_retention_days" {
  description = "How long CloudWatch keeps the VPC's flow logs."
  type        = number
  default     = 90
}

variable "max_receive_count" {
  description = "Deliveries of one bucket event before it moves to the dead-letter queue."
  type        = number
  default     = 8
}

variable "deletion_protection" {
  description = "Protect the database, the user pool, the bucket's objects and the image repository from `terraform destroy`."
  type        = bool
  default     = true
}

variable "session_key_version" {
  description = "Version of the web's session key (DOCPIPE_SESSION_KEY): raise it to generate a new one, which signs every user out."
  type        = number
  default     = 1
}
