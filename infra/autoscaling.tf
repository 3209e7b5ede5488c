# Target tracking on TVs per task. An idle TV costs memory (about 25 KiB) and almost no CPU,
# and sends no ALB requests after its handshake: 10,000 idle TVs use 4 % of a core. So the
# signal is the app's own count, logged by each task as a CloudWatch embedded metric
# (Chalkboard/TvSockets by Service; its Average is TVs per task). CPU (editors, embeds,
# reconnect storms) and memory (if the count stops arriving) are backstops.

locals {
  autoscaling = var.enable_autoscaling && local.deployed
}

resource "aws_appautoscaling_target" "app" {
  count              = local.autoscaling ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.app[0].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_count
  max_capacity       = var.max_count
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = local.autoscaling ? 1 : 0
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app[0].service_namespace
  resource_id        = aws_appautoscaling_target.app[0].resource_id
  scalable_dimension = aws_appautoscaling_target.app[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling_cpu_target
    scale_out_cooldown = 60
    # Scaling in closes sockets (TVs reconnect elsewhere): do it unhurriedly.
    scale_in_cooldown = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "tvs" {
  count              = local.autoscaling ? 1 : 0
  name               = "${var.name}-tvs-per-task"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app[0].service_namespace
  resource_id        = aws_appautoscaling_target.app[0].resource_id
  scalable_dimension = aws_appautoscaling_target.app[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling_tvs_per_task
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      namespace   = "Chalkboard"
      metric_name = "TvSockets"
      statistic   = "Average"

      dimensions {
        name  = "Service"
        value = var.name
      }
    }
  }
}

resource "aws_appautoscaling_policy" "memory" {
  count              = local.autoscaling ? 1 : 0
  name               = "${var.name}-memory"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app[0].service_namespace
  resource_id        = aws_appautoscaling_target.app[0].resource_id
  scalable_dimension = aws_appautoscaling_target.app[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling_memory_target
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageMemoryUtilization"
    }
  }
}
