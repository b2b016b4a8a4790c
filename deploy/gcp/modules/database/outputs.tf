output "connection_name" {
  description = "PROJECT:REGION:INSTANCE, for the Cloud Run Cloud SQL volume."
  value       = google_sql_database_instance.this.connection_name
}

output "database_urls" {
  description = "DOCPIPE_DATABASE_URL of each client, by key: its IAM database user through the connection volume's socket, no password."
  value = {
    for k, user in local.users :
    k => "postgres://${urlencode(user)}@/${google_sql_database.this.name}?host=/cloudsql/${google_sql_database_instance.this.connection_name}"
  }
}

output "role" {
  description = "DOCPIPE_DATABASE_ROLE: the database role that owns the schema (the owner's IAM database user)."
  value       = google_sql_user.owner.name
}

output "users" {
  description = "IAM database user of each client, by key."
  value       = merge({ (var.owner) = google_sql_user.owner.name }, { for k, u in google_sql_user.client : k => u.name })
}
