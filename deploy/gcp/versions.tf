terraform {
  # Write-only attributes (password_wo, secret_data_wo) need Terraform 1.11.
  required_version = ">= 1.11"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 7.0, < 8.0"
    }
  }

  # Configured at init: terraform init -backend-config="bucket=STATE_BUCKET" (docs/gcp.md).
  backend "gcs" {
    prefix = "docpipe"
  }
}
