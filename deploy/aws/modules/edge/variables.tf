variable "name" {
  description = "Prefix for the names of every resource."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the internal load balancer and the VPC link."
  type        = list(string)
}

variable "target_security_group_ids" {
  description = "Security group of the api's and of the web's tasks: the load balancer sends traffic and health checks to them on port 8080."
  type = object({
    api = string
    web = string
  })
}

variable "api_client_security_group_ids" {
  description = "Security groups of tasks inside the VPC that call the api through the load balancer (the web's)."
  type        = list(string)
  default     = []
}

variable "jwt_issuer" {
  description = "Issuer of the bearer tokens the api routes accept."
  type        = string
}

variable "jwt_audiences" {
  description = "Accepted aud (ID tokens) or client_id (access tokens) values."
  type        = list(string)
}

variable "throttling_rate_limit" {
  description = "Requests per second the API accepts in steady state, across all clients."
  type        = number
  default     = 200
}

variable "throttling_burst_limit" {
  description = "Requests the API accepts in a burst."
  type        = number
  default     = 400
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the access log."
  type        = number
  default     = 30
}
