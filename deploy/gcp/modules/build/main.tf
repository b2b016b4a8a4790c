# The account Cloud Build runs cloudbuild.yaml as: it pushes to one repository, updates the
# three services, and acts as their runtime accounts for the new revisions, nothing more.
resource "google_service_account" "this" {
  project      = var.project_id
  account_id   = var.name
  display_name = "docpipe Cloud Build deployer"
}

resource "google_project_iam_member" "logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.this.member
}

resource "google_cloud_run_v2_service_iam_member" "developer" {
  for_each = toset(var.services)

  project  = var.project_id
  location = var.region
  name     = each.value
  role     = "roles/run.developer"
  member   = google_service_account.this.member
}

resource "google_service_account_iam_member" "act_as" {
  for_each = var.runtime_service_accounts

  service_account_id = "projects/${var.project_id}/serviceAccounts/${each.value}"
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.this.member
}
