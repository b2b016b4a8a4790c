data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region = data.aws_region.current.name
  port   = 8080

  load_balanced = { api = true, web = true, worker = false }

  # The tasks check the server's certificate and name against the RDS certificate authorities
  # (verify-full). The image does not ship them: an init container writes the bundle from the task
  # definition to a task-scoped volume first (see rds_ca below).
  rds_ca_dir   = "/var/lib/docpipe"
  rds_ca_file  = "${local.rds_ca_dir}/rds-ca.pem"
  database_url = "postgres://${var.database.username}@${var.database.address}:${var.database.port}/${var.database.name}?sslmode=verify-full&sslrootcert=${local.rds_ca_file}"

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
  # The secrets each role's execution role may read: exactly those its task definition names.
  secret_arns = {
    api    = [var.database.secret_arn]
    worker = [var.database.secret_arn]
    web    = [aws_secretsmanager_secret.session_key.arn]
  }

  # The roles that talk to PostgreSQL, and so need its CA.
  database_clients = toset(["api", "worker"])
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

# Each role has its own security group. The api and web admit their port from the load
# balancer's security group only (traffic and health checks); the worker admits nothing. Out,
# every role may reach HTTPS (AWS APIs, ECR, the identity provider, through the NAT gateway or
# the VPC endpoints), the api and worker PostgreSQL, and the web the api's listener.
resource "aws_security_group" "this" {
  for_each = var.services

  name        = "${var.name}-${each.key}"
  description = "docpipe ${each.key} tasks"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_load_balancer" {
  for_each = { for k, v in local.load_balanced : k => v if v }

  security_group_id            = aws_security_group.this[each.key].id
  description                  = "Traffic and health checks from the load balancer"
  referenced_security_group_id = var.load_balancer_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
}

#trivy:ignore:AVD-AWS-0104 Tasks call AWS APIs, ECR and the identity provider's keys over HTTPS through the NAT gateway; their addresses are not fixed.
resource "aws_vpc_security_group_egress_rule" "https" {
  for_each = var.services

  security_group_id = aws_security_group.this[each.key].id
  description       = "HTTPS to AWS APIs, ECR and the identity provider"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "database" {
  for_each = local.database_clients

  security_group_id            = aws_security_group.this[each.key].id
  description                  = "PostgreSQL"
  referenced_security_group_id = var.database_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.database.port
  to_port                      = var.database.port
}

resource "aws_vpc_security_group_egress_rule" "web_to_api" {
  security_group_id            = aws_security_group.this["web"].id
  description                  = "The api through the load balancer"
  referenced_security_group_id = var.load_balancer_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.api_listener_port
  to_port                      = var.api_listener_port
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

# Execution roles are ECS's, one per role: each pulls the image, writes its logs and reads the
# secrets of its own task definition, and no other.
resource "aws_iam_role" "execution" {
  for_each = var.services

  name               = "${var.name}-${each.key}-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  for_each = var.services

  role       = aws_iam_role.execution[each.key].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution" {
  for_each = var.services

  statement {
    sid       = "ReadOwnSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns[each.key]
  }
  statement {
    sid       = "DecryptOwnSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  for_each = var.services

  name   = "task-secrets"
  role   = aws_iam_role.execution[each.key].id
  policy = data.aws_iam_policy_document.execution[each.key].json
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
    sid       = "PagePictures" # drawn on first view, kept, removed with the document
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arn}/pictures/*"]
  }
  statement {
    sid       = "SearchablePDFs" # made by the worker, downloaded and removed with the document here
    actions   = ["s3:GetObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arn}/searchable/*"]
  }
  statement {
    sid       = "TellMissingObjects" # without it a missing object is 403, not 404; pictures are listed to delete them
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["originals/*", "pictures/*", "searchable/*"]
    }
  }
  statement {
    sid       = "DocumentKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "ReadOriginals"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/originals/*"]
  }
  statement {
    sid       = "WriteSearchablePDFs"
    actions   = ["s3:PutObject"]
    resources = ["${var.bucket_arn}/searchable/*"]
  }
  statement {
    sid       = "TellMissingOriginals" # without it a missing object is 403, not 404
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["originals/*"]
    }
  }
  statement {
    sid       = "ConsumeEvents"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [var.queue_arn]
  }
  statement {
    sid       = "DocumentAndEventKey" # data keys for the searchable PDFs it writes
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com", "sqs.${local.region}.amazonaws.com"]
    }
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

  log_configuration = {
    for k, _ in var.services : k => {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this[k].name
        awslogs-region        = local.region
        awslogs-stream-prefix = k
      }
    }
  }

  # ECS restarts a task whose server stops answering /healthz: `docpipe healthcheck` asks it on
  # DOCPIPE_ADDR, in every role (the worker serves /healthz, /readyz and /metrics too).
  health_check = {
    command     = ["CMD", "/usr/local/bin/docpipe", "healthcheck"]
    interval    = 30
    timeout     = 5
    retries     = 3
    startPeriod = 60
  }

  # rds_ca writes the RDS certificate bundle to the task's rds-ca volume and exits; the app
  # container starts only once it has succeeded and mounts the volume read-only. It runs the
  # docpipe image itself (its Debian base has /bin/sh), as the image's non-root user, on the
  # path the image declares as a VOLUME: Fargate gives such a volume the image directory's owner,
  # so the user may write there.
  rds_ca = {
    for k in local.database_clients : k => {
      name                   = "rds-ca"
      image                  = "${var.repository_url}:${var.image_tag}"
      essential              = false
      entryPoint             = ["/bin/sh", "-c"]
      command                = ["test -n \"$RDS_CA_BUNDLE\" && printf '%s\\n' \"$RDS_CA_BUNDLE\" > ${local.rds_ca_file}"]
      readonlyRootFilesystem = true
      environment            = [{ name = "RDS_CA_BUNDLE", value = var.database_ca_bundle }]
      mountPoints            = [{ sourceVolume = "rds-ca", containerPath = local.rds_ca_dir, readOnly = false }]
      logConfiguration       = local.log_configuration[k]
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  for_each = var.services

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = local.task_role_arns[each.key]

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  dynamic "volume" {
    for_each = contains(local.database_clients, each.key) ? ["rds-ca"] : []
    content {
      name = volume.value
    }
  }

  container_definitions = jsonencode(concat(
    contains(local.database_clients, each.key) ? [local.rds_ca[each.key]] : [],
    [merge({
      name                   = each.key
      image                  = "${var.repository_url}:${var.image_tag}"
      essential              = true
      command                = [each.key]
      readonlyRootFilesystem = true
      stopTimeout            = 30
      portMappings           = [{ containerPort = local.port, hostPort = local.port, protocol = "tcp" }]
      environment            = [for k, v in local.env[each.key] : { name = k, value = v }]
      secrets                = local.secrets[each.key]
      healthCheck            = local.health_check
      mountPoints = concat(
        [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }],
        contains(local.database_clients, each.key) ? [{ sourceVolume = "rds-ca", containerPath = local.rds_ca_dir, readOnly = true }] : [],
      )
      logConfiguration = local.log_configuration[each.key]
      },
      # Only the database clients wait for their CA bundle.
      { for k, v in { dependsOn = [{ containerName = "rds-ca", condition = "SUCCESS" }] } : k => v if contains(local.database_clients, each.key) },
    )]
  ))
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
    security_groups  = [aws_security_group.this[each.key].id]
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
