# Credentials come from the environment: a workload identity (GitHub OIDC, an instance or task
# role) or an SSO session. No keys live in this repository.
provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "docpipe"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
