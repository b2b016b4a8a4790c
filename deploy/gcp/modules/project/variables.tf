variable "project_id" {
  description = "Project whose APIs are enabled."
  type        = string
}

variable "services" {
  description = "APIs to enable, e.g. run.googleapis.com."
  type        = list(string)
}
