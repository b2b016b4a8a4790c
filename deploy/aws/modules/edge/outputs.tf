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

output "api_listener_port" {
  description = "Port of the api listener: the port of api_internal_url."
  value       = local.targets.api.port
}

output "target_group_arns" {
  description = "Target group of the api and the web, for their ECS services."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }
}

output "load_balancer_security_group_id" {
  description = "Security group of the load balancer: the tasks behind it admit this group only."
  value       = aws_security_group.nlb.id
}

output "vpc_link_security_group_id" {
  description = "Security group of the API Gateway VPC link, the load balancer's only client from outside the VPC's tasks."
  value       = aws_security_group.vpc_link.id
}
