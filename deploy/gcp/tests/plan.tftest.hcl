# Checks with a mocked provider: no Google Cloud credentials or API calls. Plan runs check what
# the configuration asks for; the apply run "applies" it against the mock, which also checks what
# only an apply evaluates (outputs of computed attributes, provider-side validation).
# scripts/gcp.sh runs them (docs/gcp.md).

mock_provider "google" {
  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }

  mock_data "google_storage_project_service_account" {
    defaults = {
      email_address = "service-123456789012@gs-project-accounts.iam.gserviceaccount.com"
      member        = "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com"
    }
  }

  # Google requires account ids of 6 to 30 characters; an apply run checks the mock's too.
  mock_resource "google_service_account" {
    defaults = {
      email  = "docpipe-mock@example-project.iam.gserviceaccount.com"
      member = "serviceAccount:docpipe-mock@example-project.iam.gserviceaccount.com"
      name   = "projects/example-project/serviceAccounts/docpipe-mock@example-project.iam.gserviceaccount.com"
    }
  }

  mock_resource "google_sql_database_instance" {
    defaults = {
      connection_name = "example-project:europe-west1:docpipe"
    }
  }

  mock_resource "google_cloud_run_v2_service" {
    defaults = {
      uri = "https://docpipe-api-123456789012.europe-west1.run.app"
    }
  }
}

variables {
  project_id     = "example-project"
  oidc_client_id = "1234-abc.apps.googleusercontent.com"
}

run "services" {
  command = plan

  assert {
    condition     = module.web.name == "docpipe-web" && module.api.name == "docpipe-api" && module.worker.name == "docpipe-worker"
    error_message = "services must be named NAME-web, NAME-api and NAME-worker"
  }
}

run "ingress_and_invokers" {
  command = plan

  assert {
    condition     = module.web.ingress == "INGRESS_TRAFFIC_ALL" && module.web.public
    error_message = "web must be public"
  }

  assert {
    condition     = module.api.ingress == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    error_message = "api must take internal traffic only"
  }

  assert {
    condition     = module.worker.ingress == "INGRESS_TRAFFIC_INTERNAL_ONLY" && !module.worker.public
    error_message = "worker must be internal and IAM-checked"
  }
}

run "worker_sizing" {
  command = plan

  assert {
    condition     = module.worker.concurrency <= 2
    error_message = "worker concurrency must stay low: OCR is CPU-bound"
  }

  assert {
    condition     = module.worker.env["OMP_THREAD_LIMIT"] == "1"
    error_message = "worker must set OMP_THREAD_LIMIT=1"
  }

  assert {
    condition     = tonumber(trimsuffix(module.worker.timeout, "s")) >= 600
    error_message = "worker request timeout must leave room for OCR"
  }
}

run "secrets_are_references" {
  command = plan

  assert {
    condition     = google_secret_manager_secret.oidc_client_secret.secret_id == "docpipe-oidc-client-secret"
    error_message = "the OIDC client secret must be created without a value"
  }

  assert {
    condition     = module.web.secret_env["DOCPIPE_OIDC_CLIENT_SECRET"] == "docpipe-oidc-client-secret"
    error_message = "web must read the client secret from Secret Manager"
  }
}

run "bad_name_is_refused" {
  command = plan

  variables {
    name = "Docpipe_Prod"
  }

  expect_failures = [var.name]
}

run "event_trigger" {
  command = plan

  assert {
    condition     = module.events.event_type == "google.cloud.storage.object.v1.finalized"
    error_message = "the trigger must fire on object.v1.finalized"
  }

  assert {
    condition     = module.events.path == "/events"
    error_message = "events must be delivered to the worker's /events"
  }
}

run "database_without_passwords" {
  command = plan

  assert {
    condition     = module.api.env["DOCPIPE_DATABASE_IAM"] == "gcp" && module.worker.env["DOCPIPE_DATABASE_IAM"] == "gcp"
    error_message = "api and worker must sign in to Cloud SQL with IAM"
  }

  assert {
    condition     = length(module.api.secret_env) == 0 && length(module.worker.secret_env) == 0
    error_message = "api and worker read no secrets: no database password exists"
  }
}

# An apply against the mock provider: computed attributes take the mocks' values, so the outputs
# built from them (database URLs, the trigger's subscription) are evaluated for real.
run "apply" {
  command = apply

  assert {
    condition     = module.database.role == "docpipe-mock@example-project.iam"
    error_message = "the schema's owner must be the api's IAM database user (its email without .gserviceaccount.com)"
  }

  assert {
    condition     = module.api.env["DOCPIPE_DATABASE_URL"] == "postgres://docpipe-mock%40example-project.iam@/docpipe?host=/cloudsql/example-project:europe-west1:docpipe"
    error_message = "the api's database URL must name its IAM user, percent-encoded, and the connection volume's socket"
  }

  assert {
    condition     = module.worker.env["DOCPIPE_DATABASE_ROLE"] == module.database.role && module.api.env["DOCPIPE_DATABASE_ROLE"] == module.database.role
    error_message = "both services must act as the role that owns the schema"
  }

  assert {
    condition     = module.events.subscription == null
    error_message = "a trigger without a transport (as the mock has) must give no subscription, not fail"
  }

  assert {
    condition     = output.web_url != ""
    error_message = "the stack must output the web's URL"
  }
}
