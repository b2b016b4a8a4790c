output "trigger" {
  description = "Eventarc trigger id."
  value       = google_eventarc_trigger.finalized.id
}

output "subscription" {
  description = "Pub/Sub subscription Eventarc created for the trigger (its retry policy is Eventarc's)."
  # transport is filled in by Eventarc: empty until the trigger exists (in a plan, null).
  value = one(flatten([for t in google_eventarc_trigger.finalized.transport : [for p in t.pubsub : p.subscription]]))
}

output "service_account" {
  description = "Email of the trigger's service account."
  value       = google_service_account.trigger.email
}

output "event_type" {
  description = "CloudEvents type the trigger matches."
  value       = one([for c in google_eventarc_trigger.finalized.matching_criteria : c.value if c.attribute == "type"])
}

output "path" {
  description = "Path on the worker the events are delivered to."
  value       = google_eventarc_trigger.finalized.destination[0].cloud_run_service[0].path
}
