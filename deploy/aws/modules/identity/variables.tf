variable "name" {
  description = "Name of the user pool and its app client."
  type        = string
}

variable "domain_prefix" {
  description = "Prefix of the hosted sign-in domain, https://PREFIX.auth.REGION.amazoncognito.com; globally unique."
  type        = string
}

variable "callback_urls" {
  description = "Where Cognito may send the authorization code: the web's /auth/callback on its public URL."
  type        = list(string)
}

variable "logout_urls" {
  description = "Where Cognito may return after sign-out: the web's public URL."
  type        = list(string)
}

variable "deletion_protection" {
  description = "Refuse to delete the user pool (and its users) on destroy."
  type        = bool
  default     = true
}
