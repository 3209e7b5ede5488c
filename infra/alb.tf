resource "aws_lb" "main" {
  name                       = var.name
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = local.public_subnet_ids
  drop_invalid_header_fields = true

  # TV WebSockets are idle between menu updates; the app's keep-alive outlasts this
  # (KEEPALIVE_SECONDS) so the ALB, not the app, is the side that closes idle connections.
  idle_timeout = var.alb_idle_timeout
}

resource "aws_lb_target_group" "app" {
  name        = var.name
  vpc_id      = local.vpc_id
  target_type = "ip"
  protocol    = "HTTP"
  port        = local.container_port

  # Under Fargate Spot's two-minute warning, so draining ends before the task is reclaimed;
  # longer than the app's drain, which starts when ECS marks the task for stopping
  # (ADR 0004), so the TVs have moved before the ALB would cut what is left.
  deregistration_delay = var.deregistration_delay

  # /readyz fails only when this task cannot serve (it is draining): never for the database,
  # or a database blip would have every task replaced at once (docs/operations.md).
  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    precondition {
      condition     = var.shutdown_drain_seconds < var.deregistration_delay
      error_message = "shutdown_drain_seconds must be shorter than deregistration_delay: the app drains its TVs while the ALB deregisters the task, and the ALB cuts whatever is left when the delay ends."
    }
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_route53_record" "site" {
  count   = var.route53_zone_id == null ? 0 : 1
  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.main.dns_name
    zone_id                = aws_lb.main.zone_id
    evaluate_target_health = true
  }
}

# Metrics and the dependency status are for operators inside the VPC, not the internet.
resource "aws_lb_listener_rule" "operator_paths" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 1

  condition {
    path_pattern {
      values = ["/metrics", "/metrics/*", "/statusz"]
    }
  }

  action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "Not found"
      status_code  = "404"
    }
  }
}
