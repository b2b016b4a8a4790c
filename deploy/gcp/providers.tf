# Credentials are Application Default Credentials: an operator's gcloud login or a workload
# identity, never a key in the repository.
provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app        = "docpipe"
    managed-by = "terraform"
  }
}
