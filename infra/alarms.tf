# Alarms for what the load balancer must not act on (a shared dependency's health) and for
# what an operator should hear about; all to one SNS topic (alarm_email subscribes to it).
# The app's own signals (Chalkboard/DatabaseUp, ListenerUp, TvSockets) arrive as CloudWatch
# embedded-metric log lines, one a minute per task (service/ops/lifecycle.py).

locals {
  alb_dimensions = { LoadBalancer = aws_lb.main.arn_suffix }
  app_dimensions = { Service = var.name }
  db_dimensions  = { DBInstanceIdentifier = aws_db_instance.main.identifier }

  alarms = {
    "alb-target-5xx" = {
      description = "The app answered 5xx more than 10 times in 5 minutes."
      namespace   = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", statistic = "Sum"
      dimensions  = local.alb_dimensions, comparison = "GreaterThanThreshold", threshold = 10
      periods     = 1, period = 300
    }
    "alb-5xx" = {
      description = "The load balancer answered 5xx (no healthy task, or tasks refusing) more than 10 times in 5 minutes."
      namespace   = "AWS/ApplicationELB", metric = "HTTPCode_ELB_5XX_Count", statistic = "Sum"
      dimensions  = local.alb_dimensions, comparison = "GreaterThanThreshold", threshold = 10
      periods     = 1, period = 300
    }
    "unhealthy-targets" = {
      description = "A task has failed the load balancer's health check for 3 minutes."
      namespace   = "AWS/ApplicationELB", metric = "UnHealthyHostCount", statistic = "Maximum"
      dimensions  = merge(local.alb_dimensions, { TargetGroup = aws_lb_target_group.app.arn_suffix })
      comparison  = "GreaterThanThreshold", threshold = 0, periods = 3, period = 60
    }
    "database-down" = {
      description = "A task cannot reach the database (TVs keep their boards; edits fail with 503)."
      namespace   = "Chalkboard", metric = "DatabaseUp", statistic = "Minimum"
      dimensions  = local.app_dimensions, comparison = "LessThanThreshold", threshold = 1
      periods     = 2, period = 60
    }
    "listener-down" = {
      description = "A task's LISTEN connection is down: its TVs do not hear edits."
      namespace   = "Chalkboard", metric = "ListenerUp", statistic = "Minimum"
      dimensions  = local.app_dimensions, comparison = "LessThanThreshold", threshold = 1
      periods     = 3, period = 60
    }
    "database-cpu" = {
      description = "The database's CPU has been above 80 % for 15 minutes."
      namespace   = "AWS/RDS", metric = "CPUUtilization", statistic = "Average"
      dimensions  = local.db_dimensions, comparison = "GreaterThanThreshold", threshold = 80
      periods     = 3, period = 300
    }
    "database-connections" = {
      description = "Database connections are above 80 % of max_connections."
      namespace   = "AWS/RDS", metric = "DatabaseConnections", statistic = "Maximum"
      dimensions  = local.db_dimensions, comparison = "GreaterThanThreshold"
      threshold   = floor(local.db_max_connections * 0.8), periods = 2, period = 300
    }
    "database-storage" = {
      description = "The database has less than 2 GiB of free storage."
      namespace   = "AWS/RDS", metric = "FreeStorageSpace", statistic = "Minimum"
      dimensions  = local.db_dimensions, comparison = "LessThanThreshold", threshold = 2147483648
      periods     = 1, period = 300
    }
    "task-memory" = {
      description = "The tasks use more than 85 % of their memory (TVs per task too high?)."
      namespace   = "AWS/ECS", metric = "MemoryUtilization", statistic = "Maximum"
      dimensions  = { ClusterName = aws_ecs_cluster.main.name, ServiceName = var.name }
      comparison  = "GreaterThanThreshold", threshold = 85, periods = 3, period = 60
    }
  }
}

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == null ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "alarm" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = each.value.statistic
  dimensions          = each.value.dimensions
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  evaluation_periods  = each.value.periods
  period              = each.value.period
  # No data is no news: a quiet ALB sends no 5xx counts, and metrics start with the service.
  treat_missing_data = "notBreaching"
  alarm_actions      = [aws_sns_topic.alarms.arn]
  ok_actions         = [aws_sns_topic.alarms.arn]
}

# The account's whole monthly spend: run Chalkboard in an account of its own (or activate the
# Stack cost-allocation tag and add a cost_filter on it).
data "aws_caller_identity" "current" {}

resource "aws_budgets_budget" "monthly" {
  count        = var.monthly_budget_usd == null ? 0 : 1
  account_id   = data.aws_caller_identity.current.account_id
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  dynamic "notification" {
    for_each = var.alarm_email == null ? {} : { ACTUAL = 80, FORECASTED = 100 }
    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value
      threshold_type             = "PERCENTAGE"
      notification_type          = notification.key
      subscriber_email_addresses = [var.alarm_email]
    }
  }
}
