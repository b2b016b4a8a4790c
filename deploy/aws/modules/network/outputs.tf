output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets, one per availability zone; they hold the NAT gateways."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets, one per availability zone; tasks, the load balancer and the database live here."
  value       = aws_subnet.private[*].id
}

output "nat_gateway_ids" {
  description = "NAT gateways: one, or one per availability zone."
  value       = aws_nat_gateway.this[*].id
}

output "flow_log_group_name" {
  description = "CloudWatch Logs group of the VPC's flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}
