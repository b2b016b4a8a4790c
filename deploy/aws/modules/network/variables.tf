variable "name" {
  description = "Prefix for the names and Name tags of every resource."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 range of the VPC; split into one public and one private subnet per availability zone."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be an IPv4 CIDR block such as 10.40.0.0/16."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over; at least two."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (survives the loss of a zone) instead of one shared NAT gateway (cheaper)."
  type        = bool
  default     = false
}

variable "vpc_endpoints" {
  description = "Create VPC endpoints for ECR, CloudWatch Logs, Secrets Manager, SQS (interface) and S3 (gateway), so task traffic to them stays off the NAT gateway."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Key that encrypts the flow logs; its policy must let CloudWatch Logs use it for flow_log_group_name."
  type        = string
}

variable "flow_log_group_name" {
  description = "CloudWatch Logs group the VPC's flow logs go to."
  type        = string
}

variable "flow_log_retention_days" {
  description = "How long CloudWatch keeps the flow logs."
  type        = number
  default     = 90
}
