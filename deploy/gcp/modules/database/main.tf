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

# The password is generated at apply time and written only to write-only attributes: it is in
# neither the plan nor the state. Bump password_version to rotate it.
ephemeral "random_password" "db" {
  length  = 32
  special = false
}

resource "google_sql_user" "this" {
  project             = var.project_id
  instance            = google_sql_database_instance.this.name
  name                = var.user
  password_wo         = ephemeral.random_password.db.result
  password_wo_version = var.password_version
}

resource "google_secret_manager_secret" "password" {
  project   = var.project_id
  secret_id = "${var.name}-db-password"

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "password" {
  secret                 = google_secret_manager_secret.password.id
  secret_data_wo         = ephemeral.random_password.db.result
  secret_data_wo_version = var.password_version
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = var.clients

  project   = var.project_id
  secret_id = google_secret_manager_secret.password.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

resource "google_project_iam_member" "client" {
  for_each = var.clients

  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = each.value
}
