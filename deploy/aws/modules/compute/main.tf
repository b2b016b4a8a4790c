data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region = data.aws_region.current.name
  port   = 8080

  load_balanced = { api = true, web = true, worker = false }

  database_url = "postgres://${var.database.username}@${var.database.address}:${var.database.port}/${var.database.name}?sslmode=require"

  common_env = {
    DOCPIPE_ADDR             = ":${local.port}"
    DOCPIPE_AUTH             = "oidc"
    DOCPIPE_OIDC_ISSUER      = var.oidc.issuer
    DOCPIPE_OIDC_JWKS_URL    = var.oidc.jwks_url
    DOCPIPE_OIDC_AUDIENCE    = var.oidc.client_id
    DOCPIPE_LOG_FORMAT       = "json"
    DOCPIPE_SHUTDOWN_TIMEOUT = "25s"
    DOCPIPE_DRAIN_DELAY      = "5s"
    DOCPIPE_DATABASE_URL     = local.database_url
    DOCPIPE_BLOB_URL         = "s3://${var.bucket_name}?region=${local.region}"
    AWS_REGION               = local.region
  }

  env = {
    api = local.common_env
    worker = merge(local.common_env, {
      DOCPIPE_QUEUE_URL     = var.queue_url
      DOCPIPE_POLL_INTERVAL = "30s"
    })
    web = {
      DOCPIPE_ADDR             = ":${local.port}"
      DOCPIPE_AUTH             = "oidc"
      DOCPIPE_OIDC_ISSUER      = var.oidc.issuer
      DOCPIPE_OIDC_JWKS_URL    = var.oidc.jwks_url
      DOCPIPE_OIDC_AUDIENCE    = var.oidc.client_id
      DOCPIPE_OIDC_CLIENT_ID   = var.oidc.client_id
      DOCPIPE_OIDC_AUTH_URL    = "${var.oidc.hosted_ui_url}/oauth2/authorize"
      DOCPIPE_OIDC_TOKEN_URL   = "${var.oidc.hosted_ui_url}/oauth2/token"
      DOCPIPE_API_URL          = var.api_internal_url
      DOCPIPE_PUBLIC_URL       = var.public_url
      DOCPIPE_LOG_FORMAT       = "json"
      DOCPIPE_DRAIN_DELAY      = "5s"
      DOCPIPE_SHUTDOWN_TIMEOUT = "25s"
    }
  }

  # Only the roles that touch the database get its password.
  db_secret = [{
    name      = "DOCPIPE_DATABASE_PASSWORD"
    valueFrom = "${var.database.secret_arn}:password::"
  }]
  secrets = {
    api    = local.db_secret
    worker = local.db_secret
    web = [{
      name      = "DOCPIPE_SESSION_KEY"
      valueFrom = aws_secretsmanager_secret.session_key.arn
    }]
  }
}

# The web tasks seal sessions into cookies with this key, so that any task serves any browser
# behind the NLB, which has no cookie affinity. Cognito's web client is public (PKCE, no client
# secret), so there is no other shared secret to derive it from. The value, two random UUIDs
# (244 bits from a CSPRNG), is written once as a write-only attribute: it never enters the plan
# or the state. Raise session_key_version to rotate it (everyone signs in again). uuid() rather
# than an ephemeral random_password: no random provider is needed, and Terraform's mock
# providers, which the plan tests use, cannot mock ephemeral resources.
resource "aws_secretsmanager_secret" "session_key" {
  name_prefix             = "${var.name}-web-session-"
  description             = "DOCPIPE_SESSION_KEY of the docpipe web tasks"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "session_key" {
  secret_id                = aws_secretsmanager_secret.session_key.id
  secret_string_wo         = "${uuid()}${uuid()}"
  secret_string_wo_version = var.session_key_version
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.services

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "docpipe tasks: HTTP from inside the VPC, HTTPS and PostgreSQL out"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_http" {
  security_group_id = aws_security_group.tasks.id
  description       = "Load balancer traffic and health checks from the VPC"
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = local.port
  to_port           = local.port
}

#trivy:ignore:AVD-AWS-0104 Tasks call AWS APIs, ECR and the identity provider's keys over HTTPS through the NAT gateway; their addresses are not fixed.
resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to AWS APIs, ECR and the identity provider"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "tasks_vpc" {
  security_group_id = aws_security_group.tasks.id
  description       = "PostgreSQL and the internal load balancer inside the VPC"
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
}

data "aws_iam_policy_document" "assume_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# The execution role is ECS's: it pulls the image, writes logs and reads the database secret
# and the web's session key.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "ReadTaskSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.database.secret_arn, aws_secretsmanager_secret.session_key.arn]
  }
  statement {
    sid       = "DecryptTaskSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "database-secret"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# Task roles are the application's: each role gets only what its code calls.
resource "aws_iam_role" "api" {
  name               = "${var.name}-api"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "Originals"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arn}/originals/*"]
  }
  statement {
    sid       = "TellMissingOriginals" # without it a missing object is 403, not 404
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
  }
  statement {
    sid       = "DocumentKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "ReadOriginals"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/originals/*"]
  }
  statement {
    sid       = "TellMissingOriginals" # without it a missing object is 403, not 404
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
  }
  statement {
    sid       = "ConsumeEvents"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [var.queue_arn]
  }
  statement {
    sid       = "DocumentKey"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "api" {
  name   = "documents"
  role   = aws_iam_role.api.id
  policy = data.aws_iam_policy_document.api.json
}

resource "aws_iam_role_policy" "worker" {
  name   = "documents-and-events"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

locals {
  task_role_arns = { api = aws_iam_role.api.arn, worker = aws_iam_role.worker.arn, web = null }
}

resource "aws_ecs_task_definition" "this" {
  for_each = var.services

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = local.task_role_arns[each.key]

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([{
    name                   = each.key
    image                  = "${var.repository_url}:${var.image_tag}"
    essential              = true
    command                = [each.key]
    readonlyRootFilesystem = true
    stopTimeout            = 30
    portMappings           = [{ containerPort = local.port, hostPort = local.port, protocol = "tcp" }]
    environment            = [for k, v in local.env[each.key] : { name = k, value = v }]
    secrets                = local.secrets[each.key]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this[each.key].name
        awslogs-region        = local.region
        awslogs-stream-prefix = each.key
      }
    }
  }])
}

resource "aws_ecs_service" "this" {
  for_each = var.services

  name                               = each.key
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this[each.key].arn
  desired_count                      = each.value.desired
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = local.load_balanced[each.key] ? 30 : null
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = local.load_balanced[each.key] ? [var.target_group_arns[each.key]] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = each.key
      container_port   = local.port
    }
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Autoscaling owns the running count once the service exists.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "this" {
  for_each = var.autoscaling ? var.services : {}

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min
  max_capacity       = each.value.max
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each = var.autoscaling ? var.services : {}

  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "queue" {
  count = var.autoscaling ? 1 : 0

  name               = "${var.name}-worker-queue"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this["worker"].service_namespace
  resource_id        = aws_appautoscaling_target.this["worker"].resource_id
  scalable_dimension = aws_appautoscaling_target.this["worker"].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.queue_depth_per_worker
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    customized_metric_specification {
      metric_name = "ApproximateNumberOfMessagesVisible"
      namespace   = "AWS/SQS"
      statistic   = "Average"
      dimensions {
        name  = "QueueName"
        value = var.queue_name
      }
    }
  }
}
