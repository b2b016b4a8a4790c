terraform {
  # Write-only attributes and ephemeral resources (the web's session key) need Terraform 1.11.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100.0"
    }
  }

  # State lives in S3 with a lock file next to it; the bucket, key and region come from
  # `terraform init -backend-config=backend.hcl` (see docs/aws.md).
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
