output "connection_name" {
  description = "PROJECT:REGION:INSTANCE, for the Cloud Run Cloud SQL volume."
  value       = google_sql_database_instance.this.connection_name
}

output "database_url" {
  description = "DOCPIPE_DATABASE_URL through the connection volume's socket, without the password."
  value       = "postgres://${google_sql_user.this.name}@/${google_sql_database.this.name}?host=/cloudsql/${google_sql_database_instance.this.connection_name}"
}

output "password_secret" {
  depends_on  = [google_secret_manager_secret_version.password, google_secret_manager_secret_iam_member.accessor]
  description = "Secret Manager secret id that holds the password."
  value       = google_secret_manager_secret.password.secret_id
}
