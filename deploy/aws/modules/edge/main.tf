locals {
  # Listener port and health check path of each role behind the load balancer.
  targets = {
    api = { port = 8080, health = "/readyz" }
    web = { port = 80, health = "/healthz" }
  }
  # Every task listens on this port, whichever listener sends it traffic.
  target_port = 8080
}

# The load balancer has a security group of its own, set when it is created (a network load
# balancer cannot get one later): it admits the API Gateway VPC link on both listeners and the web
# tasks on the api listener, nothing else, and the tasks admit only it. The security group is
# enforced on PrivateLink traffic too, should an endpoint service ever front it.
resource "aws_lb" "this" {
  # A load balancer created without a security group must be replaced to get one, which the
  # provider finds out only at apply time, once the new group's id is known: the apply then fails
  # with an inconsistent final plan. The name, new with the group, makes the plan say "replace".
  name                             = "${var.name}-nlb"
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = var.private_subnet_ids
  security_groups                  = [aws_security_group.nlb.id]
  enable_cross_zone_load_balancing = true

  enforce_security_group_inbound_rules_on_private_link_traffic = "on"
}

resource "aws_lb_target_group" "this" {
  for_each = local.targets

  name                 = "${var.name}-${each.key}"
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "TCP"
  port                 = local.target_port
  deregistration_delay = 30
  # Targets see the load balancer's address, so their security group can name the load
  # balancer's instead of its clients'.
  preserve_client_ip = "false"

  health_check {
    protocol            = "HTTP"
    path                = each.value.health
    port                = "traffic-port"
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_listener" "this" {
  for_each = local.targets

  load_balancer_arn = aws_lb.this.arn
  protocol          = "TCP"
  port              = each.value.port

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }
}

resource "aws_security_group" "vpc_link" {
  name        = "${var.name}-vpc-link"
  description = "API Gateway VPC link to the internal load balancer"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "vpc_link" {
  for_each = local.targets

  security_group_id            = aws_security_group.vpc_link.id
  description                  = "${each.key} listener"
  referenced_security_group_id = aws_security_group.nlb.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_security_group" "nlb" {
  name        = "${var.name}-nlb"
  description = "Internal load balancer: the API Gateway VPC link and the api's clients in, the tasks out"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "nlb_from_vpc_link" {
  for_each = local.targets

  security_group_id            = aws_security_group.nlb.id
  description                  = "${each.key} listener from the API Gateway VPC link"
  referenced_security_group_id = aws_security_group.vpc_link.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

# The web calls the api through the load balancer inside the VPC.
resource "aws_vpc_security_group_ingress_rule" "nlb_from_api_clients" {
  count = length(var.api_client_security_group_ids)

  security_group_id            = aws_security_group.nlb.id
  description                  = "api listener from tasks that call the api"
  referenced_security_group_id = var.api_client_security_group_ids[count.index]
  ip_protocol                  = "tcp"
  from_port                    = local.targets.api.port
  to_port                      = local.targets.api.port
}

# Traffic and health checks to the tasks of each target group.
resource "aws_vpc_security_group_egress_rule" "nlb_to_targets" {
  for_each = local.targets

  security_group_id            = aws_security_group.nlb.id
  description                  = "${each.key} tasks: traffic and health checks"
  referenced_security_group_id = var.target_security_group_ids[each.key]
  ip_protocol                  = "tcp"
  from_port                    = local.target_port
  to_port                      = local.target_port
}

resource "aws_apigatewayv2_vpc_link" "this" {
  name               = var.name
  subnet_ids         = var.private_subnet_ids
  security_group_ids = [aws_security_group.vpc_link.id]
}

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  protocol_type = "HTTP"
  description   = "docpipe: the web and the REST API v1"
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = local.targets

  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "HTTP_PROXY"
  integration_method     = "ANY"
  integration_uri        = aws_lb_listener.this[each.key].arn
  connection_type        = "VPC_LINK"
  connection_id          = aws_apigatewayv2_vpc_link.this.id
  payload_format_version = "1.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "cognito"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.jwt_issuer
    audience = var.jwt_audiences
  }
}

# The api verifies the token again itself: the authorizer turns anonymous traffic away at the
# edge, the api decides whose documents a request may see.
resource "aws_apigatewayv2_route" "api" {
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "ANY /v1/{proxy+}"
  target             = "integrations/${aws_apigatewayv2_integration.this["api"].id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.jwt.id
}

# Everything else is the web, which signs users in itself.
resource "aws_apigatewayv2_route" "web" {
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "$default"
  target             = "integrations/${aws_apigatewayv2_integration.this["web"].id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/apigateway/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit    = var.throttling_rate_limit
    throttling_burst_limit   = var.throttling_burst_limit
    detailed_metrics_enabled = true
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId        = "$context.requestId"
      ip               = "$context.identity.sourceIp"
      requestTime      = "$context.requestTime"
      httpMethod       = "$context.httpMethod"
      routeKey         = "$context.routeKey"
      path             = "$context.path"
      status           = "$context.status"
      responseLength   = "$context.responseLength"
      latency          = "$context.integrationLatency"
      authorizerError  = "$context.authorizer.error"
      integrationError = "$context.integrationErrorMessage"
      sub              = "$context.authorizer.claims.sub"
    })
  }
}
