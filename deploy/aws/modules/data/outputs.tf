output "bucket_name" {
  description = "Name of the documents bucket."
  value       = aws_s3_bucket.documents.id
}

output "bucket_arn" {
  description = "ARN of the documents bucket."
  value       = aws_s3_bucket.documents.arn
}

output "kms_key_arn" {
  description = "The key that encrypts documents, queues and the database; readers need kms:Decrypt on it."
  value       = aws_kms_key.this.arn
}

output "queue_url" {
  description = "URL of the queue that receives the bucket's ObjectCreated events: the worker's DOCPIPE_QUEUE_URL."
  value       = aws_sqs_queue.events.id
}

output "queue_arn" {
  description = "ARN of the event queue."
  value       = aws_sqs_queue.events.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue for events that failed max_receive_count times."
  value       = aws_sqs_queue.dlq.id
}

output "db_address" {
  description = "Host name of the PostgreSQL instance."
  value       = aws_db_instance.this.address
}

output "db_port" {
  description = "Port of the PostgreSQL instance."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Database name."
  value       = aws_db_instance.this.db_name
}

output "db_username" {
  description = "Master user name."
  value       = aws_db_instance.this.username
}

output "db_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS keeps the master credentials in (JSON: username, password)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "db_security_group_id" {
  description = "Security group of the database; clients need egress to it on db_port."
  value       = aws_security_group.db.id
}
