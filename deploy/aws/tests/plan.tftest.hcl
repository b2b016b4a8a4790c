# Plan-level tests with a mock AWS provider: no account, no credentials. Each run plans one
# module (or the whole stack) and asserts what the design promises. Mocked values are used at
# plan time, so ARNs and ids are known and realistic.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:user/ci"
      id         = "123456789012"
      user_id    = "AIDAEXAMPLE"
    }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::docpipe-mock", id = "docpipe-mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:docpipe-mock"
      id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/docpipe-mock"
      url = "https://sqs.eu-west-1.amazonaws.com/123456789012/docpipe-mock"
    }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      address = "docpipe.abc.eu-west-1.rds.amazonaws.com"
      port    = 5432
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-mock"
        kms_key_id    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        secret_status = "active"
      }]
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/mock/0123456789abcdef"
      dns_name = "mock-0123456789abcdef.elb.eu-west-1.amazonaws.com"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mock/0123456789abcdef" }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/mock/0123456789abcdef/0123456789abcdef" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/docpipe-prod"
      repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docpipe-prod"
    }
  }
  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id  = "eu-west-1_AbCdEf123"
      arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"
    }
  }
  mock_resource "aws_cognito_user_pool_client" {
    defaults = { id = "3n4b5urk1ft4fl3mg5e62d9ado" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/docpipe-prod" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/docpipe-prod-api:1" }
  }
  mock_resource "aws_apigatewayv2_stage" {
    defaults = { invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/" }
  }
}

variables {
  image_tag = "0123abc"
  # A throwaway certificate standing in for the RDS CA bundle, which deploys commit next to the
  # stack (docs/aws.md, "Database TLS").
  database_ca_bundle_file = "tests/testdata/test-ca.pem"
}

run "stack" {
  command = plan

  assert {
    condition     = output.url == "https://abc123.execute-api.eu-west-1.amazonaws.com"
    error_message = "Without a custom domain the web is served at the API Gateway URL."
  }
  assert {
    condition     = output.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    error_message = "The issuer must be the pool's Cognito URL."
  }
  assert {
    condition     = output.service_names == { api = "api", web = "web", worker = "worker" }
    error_message = "There must be an api, a web and a worker service."
  }
}

run "database_ca_bundle_required" {
  command = plan

  variables {
    database_ca_bundle_file = "no-such-bundle.pem"
  }
  expect_failures = [var.database_ca_bundle_file]
}

run "image_tag_latest_refused" {
  command = plan

  variables {
    image_tag = "latest"
  }
  expect_failures = [var.image_tag]
}

run "network" {
  command = plan
  module {
    source = "./modules/network"
  }
  variables {
    name                = "docpipe-test"
    availability_zones  = ["eu-west-1a", "eu-west-1b"]
    kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    flow_log_group_name = "/vpc/docpipe-test/flow-logs"
  }

  assert {
    condition = (aws_flow_log.this.traffic_type == "ALL" &&
      aws_flow_log.this.log_destination_type == "cloud-watch-logs" && aws_flow_log.this.log_destination == aws_cloudwatch_log_group.flow_logs.arn &&
    aws_flow_log.this.iam_role_arn == aws_iam_role.flow_logs.arn)
    error_message = "The VPC's accepted and rejected traffic is logged to its CloudWatch Logs group, through the flow-log role."
  }
  assert {
    condition     = aws_cloudwatch_log_group.flow_logs.kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.flow_logs.retention_in_days == 90
    error_message = "Flow logs are encrypted with the stack's key and kept for flow_log_retention_days."
  }
  assert {
    condition = (length(data.aws_iam_policy_document.flow_logs.statement) == 1 &&
      toset(data.aws_iam_policy_document.flow_logs.statement[0].resources) == toset([aws_cloudwatch_log_group.flow_logs.arn, "${aws_cloudwatch_log_group.flow_logs.arn}:*"]) &&
    alltrue([for a in data.aws_iam_policy_document.flow_logs.statement[0].actions : startswith(a, "logs:") && !strcontains(a, "*")]))
    error_message = "The flow-log role may write to its own log group only."
  }
  assert {
    condition = (toset([for c in data.aws_iam_policy_document.assume_flow_logs.statement[0].condition : c.variable]) == toset(["aws:SourceAccount", "aws:SourceArn"]) &&
    one(data.aws_iam_policy_document.assume_flow_logs.statement[0].principals).identifiers == toset(["vpc-flow-logs.amazonaws.com"]))
    error_message = "Only the flow-logs service of this account may assume the flow-log role."
  }
  assert {
    condition     = length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2
    error_message = "One public and one private subnet per availability zone."
  }
  assert {
    condition     = alltrue([for s in aws_subnet.public : !s.map_public_ip_on_launch])
    error_message = "Nothing in the public subnets gets a public IP by default."
  }
  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_vpc_endpoint.interface) == 0
    error_message = "By default one NAT gateway and no VPC endpoints."
  }
  assert {
    condition     = aws_route.public_internet.destination_cidr_block == "0.0.0.0/0"
    error_message = "Public subnets route to the internet gateway."
  }
}

run "network_per_az_with_endpoints" {
  command = plan
  module {
    source = "./modules/network"
  }
  variables {
    name                = "docpipe-test"
    availability_zones  = ["eu-west-1a", "eu-west-1b"]
    nat_gateway_per_az  = true
    vpc_endpoints       = true
    kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    flow_log_group_name = "/vpc/docpipe-test/flow-logs"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2
    error_message = "nat_gateway_per_az makes one NAT gateway per zone."
  }
  assert {
    condition     = length(aws_vpc_endpoint.interface) == 5 && length(aws_vpc_endpoint.s3) == 1
    error_message = "vpc_endpoints makes interface endpoints for ECR (2), logs, Secrets Manager, SQS and a gateway for S3."
  }
}

run "edge" {
  command = plan
  module {
    source = "./modules/edge"
  }
  variables {
    name               = "docpipe-test"
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
    jwt_issuer         = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    jwt_audiences      = ["3n4b5urk1ft4fl3mg5e62d9ado"]
    target_security_group_ids = {
      api = "sg-0aaaaaaaaaaaaaapi"
      web = "sg-0aaaaaaaaaaaaaweb"
    }
    api_client_security_group_ids = ["sg-0aaaaaaaaaaaaaweb"]
  }

  override_resource {
    target          = aws_security_group.nlb
    override_during = plan
    values          = { id = "sg-0aaaaaaaaaaaaaanlb" }
  }
  override_resource {
    target          = aws_security_group.vpc_link
    override_during = plan
    values          = { id = "sg-0aaaaaaaaaaaavlink" }
  }

  assert {
    condition     = aws_lb.this.security_groups == toset([aws_security_group.nlb.id]) && aws_lb.this.enforce_security_group_inbound_rules_on_private_link_traffic == "on"
    error_message = "The load balancer has its own security group from creation, enforced on PrivateLink traffic too."
  }
  assert {
    condition = (alltrue([for r in aws_vpc_security_group_ingress_rule.nlb_from_vpc_link : r.referenced_security_group_id == aws_security_group.vpc_link.id && r.cidr_ipv4 == null]) &&
    toset([for r in aws_vpc_security_group_ingress_rule.nlb_from_vpc_link : r.from_port]) == toset([80, 8080]))
    error_message = "The load balancer admits the API Gateway VPC link's security group on its two listeners, no address range."
  }
  assert {
    condition = (length(aws_vpc_security_group_ingress_rule.nlb_from_api_clients) == 1 &&
      aws_vpc_security_group_ingress_rule.nlb_from_api_clients[0].referenced_security_group_id == "sg-0aaaaaaaaaaaaaweb" &&
    aws_vpc_security_group_ingress_rule.nlb_from_api_clients[0].from_port == 8080 && aws_vpc_security_group_ingress_rule.nlb_from_api_clients[0].to_port == 8080)
    error_message = "The web's tasks reach the api listener, and only it."
  }
  assert {
    condition     = alltrue([for k, r in aws_vpc_security_group_egress_rule.nlb_to_targets : r.referenced_security_group_id == var.target_security_group_ids[k] && r.from_port == 8080 && r.to_port == 8080])
    error_message = "The load balancer sends traffic and health checks to its targets' security groups on 8080 only."
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_egress_rule.vpc_link : r.referenced_security_group_id == aws_security_group.nlb.id && r.cidr_ipv4 == null])
    error_message = "The VPC link may reach the load balancer only."
  }
  assert {
    condition     = alltrue([for tg in aws_lb_target_group.this : tg.preserve_client_ip == "false"])
    error_message = "Targets see the load balancer's address, so their security groups can admit the load balancer's group."
  }

  assert {
    condition     = aws_lb.this.internal && aws_lb.this.load_balancer_type == "network"
    error_message = "The load balancer must be internal and of type network."
  }
  assert {
    condition     = toset(aws_lb.this.subnets) == toset(var.private_subnet_ids)
    error_message = "The load balancer lives in the private subnets."
  }
  assert {
    condition     = alltrue([for tg in aws_lb_target_group.this : tg.target_type == "ip"])
    error_message = "Fargate tasks register by IP."
  }
  assert {
    condition     = aws_apigatewayv2_authorizer.jwt.authorizer_type == "JWT" && aws_apigatewayv2_authorizer.jwt.jwt_configuration[0].issuer == var.jwt_issuer
    error_message = "The api routes use a JWT authorizer with the pool's issuer."
  }
  assert {
    condition     = aws_apigatewayv2_route.api.authorization_type == "JWT" && aws_apigatewayv2_route.api.route_key == "ANY /v1/{proxy+}"
    error_message = "/v1/* requires a JWT."
  }
  assert {
    condition     = aws_apigatewayv2_route.web.route_key == "$default" && aws_apigatewayv2_route.web.authorization_type == "NONE"
    error_message = "Everything else goes to the web, which signs users in itself."
  }
  assert {
    condition     = alltrue([for i in aws_apigatewayv2_integration.this : i.connection_type == "VPC_LINK"])
    error_message = "Integrations reach the load balancer through the VPC link."
  }
  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit > 0 && length(aws_apigatewayv2_stage.this.access_log_settings) == 1
    error_message = "The stage throttles and logs access."
  }
}

run "compute" {
  command = plan
  module {
    source = "./modules/compute"
  }
  variables {
    name               = "docpipe-test"
    vpc_id             = "vpc-0123456789abcdef0"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
    repository_url     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docpipe-prod"
    api_listener_port  = 8080

    load_balancer_security_group_id = "sg-0aaaaaaaaaaaaaanlb"
    database_security_group_id      = "sg-0aaaaaaaaaaaaaadb"
    database_ca_bundle              = file("tests/testdata/test-ca.pem")
    services = {
      api    = { cpu = 512, memory = 1024, desired = 3, min = 3, max = 12 }
      web    = { cpu = 256, memory = 512, desired = 2, min = 2, max = 6 }
      worker = { cpu = 2048, memory = 4096, desired = 1, min = 1, max = 10 }
    }
    target_group_arns = {
      api = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef"
      web = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
    }
    api_internal_url = "http://internal-lb:8080"
    public_url       = "https://docs.example.com"
    bucket_name      = "docpipe-mock"
    bucket_arn       = "arn:aws:s3:::docpipe-mock"
    kms_key_arn      = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    queue_url        = "https://sqs.eu-west-1.amazonaws.com/123456789012/docpipe-test-events"
    queue_arn        = "arn:aws:sqs:eu-west-1:123456789012:docpipe-test-events"
    queue_name       = "docpipe-test-events"
    database = {
      address    = "db.example"
      port       = 5432
      name       = "docpipe"
      username   = "docpipe"
      secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-mock"
    }
    oidc = {
      issuer        = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
      jwks_url      = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json"
      client_id     = "3n4b5urk1ft4fl3mg5e62d9ado"
      hosted_ui_url = "https://docpipe.auth.eu-west-1.amazoncognito.com"
    }
  }

  override_resource {
    target          = aws_secretsmanager_secret.session_key
    override_during = plan
    values          = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:docpipe-test-web-session-mock" }
  }
  override_resource {
    target          = aws_security_group.this["api"]
    override_during = plan
    values          = { id = "sg-0aaaaaaaaaaaaaapi" }
  }
  override_resource {
    target          = aws_security_group.this["web"]
    override_during = plan
    values          = { id = "sg-0aaaaaaaaaaaaaweb" }
  }
  override_resource {
    target          = aws_security_group.this["worker"]
    override_during = plan
    values          = { id = "sg-0aaaaaaaaaawrkr" }
  }
  override_resource {
    target          = aws_iam_role.execution["api"]
    override_during = plan
    values          = { arn = "arn:aws:iam::123456789012:role/docpipe-test-api-execution" }
  }
  override_resource {
    target          = aws_iam_role.execution["web"]
    override_during = plan
    values          = { arn = "arn:aws:iam::123456789012:role/docpipe-test-web-execution" }
  }
  override_resource {
    target          = aws_iam_role.execution["worker"]
    override_during = plan
    values          = { arn = "arn:aws:iam::123456789012:role/docpipe-test-worker-execution" }
  }

  assert {
    condition     = aws_ecs_service.this["api"].desired_count == 3
    error_message = "The api runs three tasks."
  }
  assert {
    condition     = alltrue([for k, s in aws_ecs_service.this : s.network_configuration[0].security_groups == toset([aws_security_group.this[k].id])])
    error_message = "Each role's tasks have a security group of their own."
  }
  assert {
    condition = (toset(keys(aws_vpc_security_group_ingress_rule.from_load_balancer)) == toset(["api", "web"]) &&
    alltrue([for r in aws_vpc_security_group_ingress_rule.from_load_balancer : r.referenced_security_group_id == var.load_balancer_security_group_id && r.cidr_ipv4 == null && r.from_port == 8080 && r.to_port == 8080]))
    error_message = "The api and web admit 8080 from the load balancer's security group only; the worker admits nothing."
  }
  assert {
    condition = (toset(keys(aws_vpc_security_group_egress_rule.database)) == toset(["api", "worker"]) &&
    alltrue([for r in aws_vpc_security_group_egress_rule.database : r.referenced_security_group_id == var.database_security_group_id && r.from_port == 5432]))
    error_message = "Only the api and worker reach PostgreSQL, and only its security group."
  }
  assert {
    condition = (aws_vpc_security_group_egress_rule.web_to_api.referenced_security_group_id == var.load_balancer_security_group_id &&
    aws_vpc_security_group_egress_rule.web_to_api.from_port == 8080 && aws_vpc_security_group_egress_rule.web_to_api.to_port == 8080)
    error_message = "The web reaches the api listener of the load balancer."
  }
  assert {
    condition     = alltrue([for k, t in aws_ecs_task_definition.this : t.execution_role_arn == "arn:aws:iam::123456789012:role/docpipe-test-${k}-execution"])
    error_message = "Each task definition has its own execution role."
  }
  assert {
    condition = (data.aws_iam_policy_document.execution["web"].statement[0].resources == toset([aws_secretsmanager_secret.session_key.arn]) &&
      data.aws_iam_policy_document.execution["api"].statement[0].resources == toset([var.database.secret_arn]) &&
    data.aws_iam_policy_document.execution["worker"].statement[0].resources == toset([var.database.secret_arn]))
    error_message = "An execution role reads its own role's secrets only: the web the session key, the api and worker the database password."
  }
  assert {
    condition = alltrue([for k, t in aws_ecs_task_definition.this :
    one([for c in jsondecode(t.container_definitions) : c.healthCheck.command if c.name == k]) == ["CMD", "/usr/local/bin/docpipe", "healthcheck"]])
    error_message = "Every role's container, the worker's too, has a health check: docpipe healthcheck."
  }
  assert {
    condition = alltrue([for k in ["api", "worker"] :
      strcontains(one([for c in jsondecode(aws_ecs_task_definition.this[k].container_definitions) : one([for e in c.environment : e.value if e.name == "DOCPIPE_DATABASE_URL"]) if c.name == k]),
    "?sslmode=verify-full&sslrootcert=/var/lib/docpipe/rds-ca.pem")])
    error_message = "The api and worker verify the database's certificate and name against the RDS CA bundle."
  }
  assert {
    condition = alltrue([for k in ["api", "worker"] : anytrue([for c in jsondecode(aws_ecs_task_definition.this[k].container_definitions) :
    c.name == "rds-ca" && !c.essential && c.environment[0].value == var.database_ca_bundle && c.mountPoints[0].containerPath == "/var/lib/docpipe"])])
    error_message = "An init container writes the CA bundle to the rds-ca volume before the api and worker start."
  }
  assert {
    condition = alltrue([for k in ["api", "worker"] : anytrue([for c in jsondecode(aws_ecs_task_definition.this[k].container_definitions) :
    c.name == k && try(c.dependsOn, null) == [{ containerName = "rds-ca", condition = "SUCCESS" }] && contains(c.mountPoints, { sourceVolume = "rds-ca", containerPath = "/var/lib/docpipe", readOnly = true })])])
    error_message = "The api and worker start after the CA bundle is written and read it from a read-only mount."
  }
  assert {
    condition     = length(jsondecode(aws_ecs_task_definition.this["web"].container_definitions)) == 1
    error_message = "The web, which has no database, has no CA init container."
  }
  assert {
    condition = alltrue(concat(
      [for st in data.aws_iam_policy_document.api.statement : one(st.condition).variable == "s3:prefix" &&
      toset(one(st.condition).values) == toset(["originals/*", "pictures/*", "searchable/*"]) if contains(st.actions, "s3:ListBucket")],
      [for st in data.aws_iam_policy_document.worker.statement : one(st.condition).variable == "s3:prefix" &&
    toset(one(st.condition).values) == toset(["originals/*"]) if contains(st.actions, "s3:ListBucket")]))
    error_message = "s3:ListBucket is limited to the originals/ prefix, and for the api the page pictures' and searchable PDFs' too."
  }
  assert {
    condition     = alltrue([for s in aws_ecs_service.this : s.launch_type == "FARGATE"])
    error_message = "Every service runs on Fargate."
  }
  assert {
    condition = alltrue([for s in aws_ecs_service.this :
    toset(s.network_configuration[0].subnets) == toset(var.private_subnet_ids) && !s.network_configuration[0].assign_public_ip])
    error_message = "Tasks run in the private subnets without public IPs."
  }
  assert {
    condition     = length(aws_ecs_service.this["api"].load_balancer) == 1 && length(aws_ecs_service.this["worker"].load_balancer) == 0
    error_message = "The api and web sit behind the load balancer; the worker does not."
  }
  assert {
    condition     = strcontains(aws_ecs_task_definition.this["api"].container_definitions, "docpipe-prod:0123abc")
    error_message = "Tasks run the image_tag the pipeline gave."
  }
  assert {
    condition     = strcontains(aws_ecs_task_definition.this["worker"].container_definitions, "DOCPIPE_QUEUE_URL") && !strcontains(aws_ecs_task_definition.this["api"].container_definitions, "DOCPIPE_QUEUE_URL")
    error_message = "Only the worker consumes the queue."
  }
  assert {
    condition     = aws_ecs_task_definition.this["web"].task_role_arn == null
    error_message = "The web calls no AWS API and gets no task role."
  }
  assert {
    condition     = length(aws_appautoscaling_target.this) == 3 && length(aws_appautoscaling_policy.queue) == 1
    error_message = "Every service autoscales; the worker on queue depth too."
  }
}

run "data" {
  command = plan
  module {
    source = "./modules/data"
  }
  variables {
    name                               = "docpipe-test"
    bucket_name                        = "docpipe-test-123456789012"
    vpc_id                             = "vpc-0123456789abcdef0"
    private_subnet_ids                 = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
    database_client_security_group_ids = { api = "sg-0123456789abcdef0" }
    encrypted_log_group_names          = ["/vpc/docpipe-test/flow-logs"]
  }

  assert {
    condition = alltrue([for st in jsondecode(aws_kms_key.this.policy).Statement :
      try(st.Condition.ArnEquals["aws:SourceArn"], null) != null || try(st.Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"], null) != null
    if try(st.Principal.Service, null) != null])
    error_message = "Every key-policy grant to an AWS service is scoped to this stack's resources (aws:SourceArn or the encryption context)."
  }
  assert {
    condition = one([for st in jsondecode(aws_kms_key.this.policy).Statement : st if try(st.Principal.Service, "") == "s3.amazonaws.com"]).Condition == {
      ArnEquals    = { "aws:SourceArn" = aws_s3_bucket.documents.arn }
      StringEquals = { "aws:SourceAccount" = "123456789012" }
    }
    error_message = "S3 may use the key for this bucket's notifications only."
  }
  assert {
    condition = one([for st in jsondecode(aws_kms_key.this.policy).Statement : st if try(st.Principal.Service, "") == "logs.eu-west-1.amazonaws.com"]).Condition == {
      ArnEquals = { "kms:EncryptionContext:aws:logs:arn" = ["arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/docpipe-test/flow-logs"] }
    }
    error_message = "CloudWatch Logs may use the key for the listed log groups only."
  }
  assert {
    condition     = aws_db_instance.this.ca_cert_identifier == "rds-ca-rsa2048-g1"
    error_message = "The database's certificate comes from the CA the tasks' bundle holds."
  }

  assert {
    condition = (aws_s3_bucket_public_access_block.documents.block_public_acls && aws_s3_bucket_public_access_block.documents.block_public_policy &&
    aws_s3_bucket_public_access_block.documents.ignore_public_acls && aws_s3_bucket_public_access_block.documents.restrict_public_buckets)
    error_message = "The bucket is not public in any way."
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.documents.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "The bucket refuses requests without TLS."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.documents.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "Documents are encrypted with the KMS key."
  }
  assert {
    condition     = aws_s3_bucket_notification.documents.queue[0].filter_prefix == "originals/" && contains(aws_s3_bucket_notification.documents.queue[0].events, "s3:ObjectCreated:*")
    error_message = "Created originals notify the queue."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.events.redrive_policy).maxReceiveCount == 8
    error_message = "Events move to the DLQ after max_receive_count receives."
  }
  assert {
    condition     = !aws_db_instance.this.publicly_accessible && aws_db_instance.this.storage_encrypted && aws_db_instance.this.manage_master_user_password
    error_message = "The database is private, encrypted, and its password managed in Secrets Manager."
  }
}

run "identity" {
  command = plan
  module {
    source = "./modules/identity"
  }
  variables {
    name          = "docpipe-test"
    domain_prefix = "docpipe-test"
    callback_urls = ["https://docs.example.com/auth/callback"]
    logout_urls   = ["https://docs.example.com/"]
  }

  assert {
    condition     = aws_cognito_user_pool.this.mfa_configuration == "OPTIONAL" && aws_cognito_user_pool.this.password_policy[0].minimum_length >= 12
    error_message = "MFA is offered and passwords are long."
  }
  assert {
    condition     = aws_cognito_user_pool_client.web.allowed_oauth_flows == toset(["code"]) && !aws_cognito_user_pool_client.web.generate_secret
    error_message = "The web is a public client of the code flow (with PKCE)."
  }
}
