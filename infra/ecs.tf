locals {
  task_family    = var.name
  container_name = "app"
  container_port = 8000

  # A plain `terraform apply` keeps the image of the last deploy: deploy.sh passes image_tag
  # and the tag is kept in SSM below, so nobody has to remember it (or roll back by accident).
  image_tag = var.image_tag != null ? var.image_tag : one(nonsensitive(data.aws_ssm_parameters_by_path.deployed.values))
  deployed  = local.image_tag != null

  # Mail goes out through SES once a verified sender is set (docs/mail.md); until then the
  # app logs each mail and its links.
  mail_environment = var.mail_from == null ? { MAIL_BACKEND = "log" } : {
    MAIL_BACKEND = "ses"
    MAIL_FROM    = var.mail_from
    MAIL_REGION  = var.region
  }

  app_environment = merge(local.mail_environment, {
    CHALKBOARD_ENV         = "production"
    PORT                   = local.container_port
    PUBLIC_BASE_URL        = "https://${var.domain_name}"
    CDN_BASE_URL           = "https://${aws_cloudfront_distribution.cdn.domain_name}"
    EMBED_BASE_URL         = "https://${aws_cloudfront_distribution.cdn.domain_name}"
    TRUSTED_PROXIES        = local.vpc_cidr # the ALB's addresses come from the VPC's subnets
    KEEPALIVE_SECONDS      = var.alb_idle_timeout + 5
    SHUTDOWN_DRAIN_SECONDS = var.shutdown_drain_seconds
    S3_BUCKET              = aws_s3_bucket.media.bucket
    S3_REGION              = var.region
    LOG_LEVEL              = var.log_level
    DB_POOL_MAX            = var.db_pool_max
    DB_LIVE_POOL_MAX       = var.db_live_pool_max
    SERVICE_NAME           = var.name
  })

  # The input of `aws ecs run-task --cli-input-json` for one migration run. It names the task
  # family, which runs the newest revision: deploy.sh registers the release's revision with a
  # targeted apply (which leaves outputs as they were) and migrates before the service moves
  # to it. On-demand FARGATE, not Spot: a reclaim must not cut a migration short.
  migrate_task = {
    cluster        = aws_ecs_cluster.main.name
    taskDefinition = local.task_family
    launchType     = "FARGATE"
    startedBy      = "chalkboard-migrate"
    networkConfiguration = {
      awsvpcConfiguration = {
        subnets        = local.private_subnet_ids
        securityGroups = [aws_security_group.tasks.id]
        assignPublicIp = "DISABLED"
      }
    }
    overrides = {
      containerOverrides = [{ name = local.container_name, command = ["chalkboard", "migrate"] }]
    }
  }
}

data "aws_ssm_parameters_by_path" "deployed" {
  path = "/${var.name}/deployed"
}

resource "aws_ssm_parameter" "deployed_image_tag" {
  count       = local.deployed ? 1 : 0
  name        = "/${var.name}/deployed/image-tag"
  description = "Image tag of the running Chalkboard release (written by terraform apply)"
  type        = "String"
  value       = local.image_tag
}

resource "aws_ecs_cluster" "main" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_task_definition" "app" {
  count                    = local.deployed ? 1 : 0
  family                   = local.task_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  # Keep earlier revisions registered, for the circuit breaker's rollback and for by-hand
  # `aws ecs update-service --task-definition chalkboard:<n>`.
  skip_destroy = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name      = local.container_name
    image     = "${aws_ecr_repository.app.repository_url}:${local.image_tag}"
    essential = true

    portMappings = [{ containerPort = local.container_port, protocol = "tcp" }]

    environment = [for k, v in local.app_environment : { name = k, value = tostring(v) }]
    secrets = [
      { name = "DATABASE_URL", valueFrom = aws_secretsmanager_secret.database_url.arn },
      { name = "SECRET_KEY", valueFrom = aws_secretsmanager_secret.secret_key.arn },
    ]

    # The most ECS allows, and all of Fargate Spot's warning: SIGTERM, then up to 120 s
    # for the app to drain its TV sockets and exit before SIGKILL.
    stopTimeout = 120

    # The process answers: ECS replaces a task whose event loop is stuck. (The ALB's check,
    # /readyz, also fails while the task drains.)
    healthCheck = {
      command     = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${local.container_port}/healthz', timeout=4)"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }

    # One file descriptor per TV or embed WebSocket.
    ulimits = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]

    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.region
        awslogs-stream-prefix = local.container_name
      }
    }
  }])

  # Tasks cannot start until the secrets they reference hold a value.
  depends_on = [aws_secretsmanager_secret_version.database_url, aws_secretsmanager_secret_version.secret_key]
}

resource "aws_ecs_service" "app" {
  count                             = local.deployed ? 1 : 0
  name                              = var.name
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.app[0].arn
  desired_count                     = var.desired_count
  health_check_grace_period_seconds = 60
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"

  # An on-demand base that Spot shortages cannot touch, then on_demand_percent of the tasks
  # beyond it on on-demand, the rest on Spot.
  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = var.on_demand_base
    weight            = var.on_demand_percent
  }

  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 100 - var.on_demand_percent
  }

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  lifecycle {
    # Autoscaling (or an operator) owns the running count; see var.desired_count.
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https, aws_ecs_cluster_capacity_providers.main]
}
