output "site_url" {
  description = "The public site."
  value       = "https://${var.domain_name}"
}

output "cdn_url" {
  description = "CloudFront base URL for media and cacheable app paths (the app's CDN_BASE_URL)."
  value       = "https://${aws_cloudfront_distribution.cdn.domain_name}"
}

output "alb_dns_name" {
  description = "Point domain_name here (CNAME or alias) unless route53_zone_id did it."
  value       = aws_lb.main.dns_name
}

output "region" {
  description = "Region of the stack (read by the scripts)."
  value       = var.region
}

output "ecr_repository_url" {
  description = "Push the app image here, tagged with its commit."
  value       = aws_ecr_repository.app.repository_url
}

output "cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "service_name" {
  description = "ECS service (null before the first deploy)."
  value       = one(aws_ecs_service.app[*].name)
}

output "image_tag" {
  description = "Image tag the service runs (null before the first deploy)."
  value       = local.image_tag
}

output "log_group_name" {
  description = "CloudWatch log group of the app and of migration runs."
  value       = aws_cloudwatch_log_group.app.name
}

output "media_bucket" {
  description = "S3 bucket holding uploaded media."
  value       = aws_s3_bucket.media.bucket
}

output "migrate_task" {
  description = "RunTask input for one `chalkboard migrate` run of the newest task definition (used by infra/scripts/migrate.sh)."
  value       = local.migrate_task
}

output "migrate_command" {
  description = "Starts the migration task by hand; infra/scripts/migrate.sh runs the same and also waits for exit code 0."
  value       = "aws ecs run-task --region ${var.region} --cli-input-json '${jsonencode(local.migrate_task)}'"
}
