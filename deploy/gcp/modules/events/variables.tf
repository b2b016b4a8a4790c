variable "project_id" {
  description = "Project of the trigger."
  type        = string
}

variable "region" {
  description = "Region of the trigger, the bucket and the worker service."
  type        = string
}

variable "name" {
  description = "Name of the trigger and id of its service account."
  type        = string
}

variable "bucket" {
  description = "Bucket whose object.v1.finalized events are delivered."
  type        = string
}

variable "worker" {
  description = "Cloud Run service that receives the events at /events."
  type        = string
}
