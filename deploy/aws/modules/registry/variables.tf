variable "name" {
  description = "Name of the ECR repository."
  type        = string
}

variable "keep_images" {
  description = "How many tagged images the lifecycle policy keeps; older ones are expired."
  type        = number
  default     = 30
}

variable "force_delete" {
  description = "Let `terraform destroy` delete the repository while it still holds images."
  type        = bool
  default     = false
}
