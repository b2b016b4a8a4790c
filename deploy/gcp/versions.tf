terraform {
  # Terraform 1.11: validations that refer to other variables, mock providers with override_during.
  required_version = ">= 1.11"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 8.0"
    }
  }

  # Configured at init: terraform init -backend-config="bucket=STATE_BUCKET" (docs/gcp.md).
  backend "gcs" {
    prefix = "docpipe"
  }
}
