variable "name" {
  description = "Prefix for the names of every resource."
  type        = string
}

variable "bucket_name" {
  description = "Name of the documents bucket; globally unique."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the database, in at least two availability zones."
  type        = list(string)
}

variable "database_client_security_group_ids" {
  description = "Security groups allowed to reach PostgreSQL on port 5432, by the name of the client (e.g. api, worker)."
  type        = map(string)
}

variable "max_receive_count" {
  description = "Receives of one event message before SQS moves it to the dead-letter queue."
  type        = number
  default     = 8
}

variable "queue_visibility_timeout" {
  description = "Seconds a received event stays hidden before it is delivered again; the worker extends it while OCR runs."
  type        = number
  default     = 60
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "db_engine_version" {
  description = "PostgreSQL major version; minor versions upgrade automatically."
  type        = string
  default     = "16"
}

variable "db_allocated_storage" {
  description = "Initial storage in GiB; it grows on its own up to ten times this."
  type        = number
  default     = 20
}

variable "db_multi_az" {
  description = "Keep a standby in a second availability zone."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse to delete the database, and keep a final snapshot and the bucket's objects on destroy."
  type        = bool
  default     = true
}

variable "db_ca_cert_identifier" {
  description = "Certificate authority of the database's server certificate, which clients verify."
  type        = string
  default     = "rds-ca-rsa2048-g1"
}

variable "encrypted_log_group_names" {
  description = "CloudWatch Logs groups (names) that the key's policy lets CloudWatch Logs encrypt; no other group may use the key."
  type        = list(string)
  default     = []
}
