# Cloud Run reaches the instance through its Cloud SQL connection volume (the built-in Cloud SQL
# Auth Proxy): IAM-authorised, mutually authenticated TLS, no authorized networks and no VPC
# peering to run. The public address accepts nothing else.
#trivy:ignore:AVD-GCP-0017 The public IP has no authorized networks: only the Cloud SQL connector (IAM and mTLS) can connect.
resource "google_sql_database_instance" "this" {
  project             = var.project_id
  name                = var.name
  region              = var.region
  database_version    = "POSTGRES_16"
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.tier
    edition                     = "ENTERPRISE"
    availability_type           = var.availability_type
    disk_type                   = "PD_SSD"
    disk_autoresize             = true
    deletion_protection_enabled = var.deletion_protection

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = "02:00"
      transaction_log_retention_days = 7

      backup_retention_settings {
        retained_backups = 14
      }
    }

    ip_configuration {
      ipv4_enabled = true
      ssl_mode     = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
    }

    maintenance_window {
      day  = 7
      hour = 3
    }

    insights_config {
      query_insights_enabled = true
    }

    database_flags {
      name  = "cloudsql.iam_authentication"
      value = "on"
    }

    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }

    database_flags {
      name  = "log_connections"
      value = "on"
    }

    database_flags {
      name  = "log_disconnections"
      value = "on"
    }

    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }

    database_flags {
      name  = "log_temp_files"
      value = "0"
    }

    database_flags {
      name  = "log_min_messages"
      value = "warning"
    }

    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
  }
}

resource "google_sql_database" "this" {
  project  = var.project_id
  instance = google_sql_database_instance.this.name
  name     = var.database
}

# No passwords: the services sign in as their own service accounts (IAM database
# authentication), with an access token as the password. The owner's user owns the schema; every
# other client is a member of its role and sets it on connecting (DOCPIPE_DATABASE_ROLE), so the
# tables the first service to start creates are shared. cloudsqlsuperuser gives the owner CREATE
# on the database's public schema, as the built-in user Cloud SQL makes would have.
locals {
  users = { for k, email in var.clients : k => trimsuffix(email, ".gserviceaccount.com") }
}

resource "google_sql_user" "owner" {
  project        = var.project_id
  instance       = google_sql_database_instance.this.name
  name           = local.users[var.owner]
  type           = "CLOUD_IAM_SERVICE_ACCOUNT"
  database_roles = ["cloudsqlsuperuser"]
}

resource "google_sql_user" "client" {
  for_each = { for k, user in local.users : k => user if k != var.owner }

  project        = var.project_id
  instance       = google_sql_database_instance.this.name
  name           = each.value
  type           = "CLOUD_IAM_SERVICE_ACCOUNT"
  database_roles = [google_sql_user.owner.name]
}

resource "google_project_iam_member" "client" {
  for_each = var.clients

  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = "serviceAccount:${each.value}"
}

resource "google_project_iam_member" "instance_user" {
  for_each = var.clients

  project = var.project_id
  role    = "roles/cloudsql.instanceUser"
  member  = "serviceAccount:${each.value}"
}
