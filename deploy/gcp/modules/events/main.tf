data "google_project" "this" {
  project_id = var.project_id
}

data "google_storage_project_service_account" "this" {
  project = var.project_id
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = var.name
  display_name = "docpipe Eventarc trigger: Cloud Storage to worker"
}

# Eventarc's Cloud Storage source publishes through Pub/Sub as the Cloud Storage service agent.
resource "google_project_iam_member" "gcs_publisher" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = data.google_storage_project_service_account.this.member
}

resource "google_project_iam_member" "receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  project  = var.project_id
  location = var.region
  name     = var.worker
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}

# The Pub/Sub service agent mints the OIDC tokens the push carries, as the trigger's account
# only: the grant is on that account, not the project.
resource "google_service_account_iam_member" "pubsub_token_creator" {
  service_account_id = google_service_account.trigger.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_eventarc_trigger" "finalized" {
  project         = var.project_id
  location        = var.region
  name            = var.name
  service_account = google_service_account.trigger.email

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.storage.object.v1.finalized"
  }

  matching_criteria {
    attribute = "bucket"
    value     = var.bucket
  }

  destination {
    cloud_run_service {
      service = var.worker
      region  = var.region
      path    = "/events"
    }
  }

  depends_on = [
    google_project_iam_member.gcs_publisher,
    google_project_iam_member.receiver,
    google_cloud_run_v2_service_iam_member.invoker,
    google_service_account_iam_member.pubsub_token_creator,
  ]
}
