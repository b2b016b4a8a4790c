variable "project_id" {
  description = "Project of the network."
  type        = string
}

variable "region" {
  description = "Region of the subnet: the Cloud Run services'."
  type        = string
}

variable "name" {
  description = "Name of the VPC network and its subnet."
  type        = string
}

variable "cidr" {
  description = "IPv4 range of the subnet that Cloud Run Direct VPC egress takes addresses from."
  type        = string
  default     = "10.8.0.0/24"
}
