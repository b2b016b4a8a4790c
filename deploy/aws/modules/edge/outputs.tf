output "api_endpoint" {
  description = "Public URL of the HTTP API: the web at /, the REST API at /v1/."
  value       = aws_apigatewayv2_stage.this.invoke_url
}

output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "load_balancer_dns_name" {
  description = "DNS name of the internal network load balancer."
  value       = aws_lb.this.dns_name
}

output "api_internal_url" {
  description = "The api's URL inside the VPC, through the load balancer."
  value       = "http://${aws_lb.this.dns_name}:${local.targets.api.port}"
}

output "target_group_arns" {
  description = "Target group of the api and the web, for their ECS services."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }
}
