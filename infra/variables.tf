# --- Identity and placement -------------------------------------------------------------

variable "name" {
  description = "Name of the stack: prefixes every resource. Lowercase letters, digits and hyphens."
  type        = string
  default     = "chalkboard"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}$", var.name))
    error_message = "name must be 2-23 characters of lowercase letters, digits and hyphens (ALB and target group names are capped at 32)."
  }
}

variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# --- Domain --------------------------------------------------------------------------------

variable "domain_name" {
  description = "Public host name of the site, e.g. taps.example.com. It must resolve to the ALB (route53_zone_id does that for you)."
  type        = string
}

variable "certificate_arn" {
  description = "ARN of an issued ACM certificate for domain_name, in the same region as the stack."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone that holds domain_name. When set, an alias record to the ALB is created; when null, point the name at the alb_dns_name output yourself."
  type        = string
  default     = null
}

# --- Network -------------------------------------------------------------------------------

variable "existing_vpc" {
  description = "Use an existing VPC instead of creating one: its id, two or more public subnets (for the ALB) and private subnets with outbound internet access (for tasks and the database)."
  type = object({
    vpc_id             = string
    public_subnet_ids  = list(string)
    private_subnet_ids = list(string)
  })
  default = null
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC created when existing_vpc is null."
  type        = string
  default     = "10.40.0.0/16"
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both AZs (cheaper); false puts one in each AZ so an AZ outage cannot cut the other AZ's tasks off from AWS APIs."
  type        = bool
  default     = true
}

# --- Load balancer -------------------------------------------------------------------------

variable "alb_idle_timeout" {
  description = "Seconds the ALB keeps an idle connection (TV WebSockets are idle between menu updates). The app's keep-alive is set 5 s longer."
  type        = number
  default     = 300

  validation {
    condition     = var.alb_idle_timeout >= 60 && var.alb_idle_timeout <= 4000
    error_message = "alb_idle_timeout must be between 60 and 4000 seconds."
  }
}

variable "deregistration_delay" {
  description = "Seconds the ALB lets a deregistering task finish its connections. Kept under Fargate Spot's two-minute warning."
  type        = number
  default     = 90

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay < 120
    error_message = "deregistration_delay must be under 120 seconds, or a Spot task is gone before its connections drain."
  }
}

# --- Service -------------------------------------------------------------------------------

variable "image_tag" {
  description = "Image tag to run. infra/scripts/deploy.sh sets it; when null, the tag of the last deploy is kept, and before the first deploy no service is created."
  type        = string
  default     = null
}

variable "task_cpu" {
  description = "Fargate task CPU units (1024 = 1 vCPU)."
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Fargate task memory in MiB; must be a valid pairing with task_cpu."
  type        = number
  default     = 1024
}

variable "desired_count" {
  description = "Tasks to start with, and the autoscaling minimum. After creation the running count belongs to autoscaling (or to `aws ecs update-service`): changing this later only moves the minimum."
  type        = number
  default     = 2
}

variable "max_count" {
  description = "Autoscaling maximum number of tasks."
  type        = number
  default     = 6
}

variable "on_demand_base" {
  description = "Tasks that always run on regular (on-demand) Fargate, so a Spot capacity shortage never takes the site down."
  type        = number
  default     = 1
}

variable "on_demand_percent" {
  description = "Percent of the tasks beyond on_demand_base that run on on-demand Fargate; the rest run on Fargate Spot (about 70 % cheaper). With the default 25, a Spot shortage takes away at most three quarters of the capacity above the base."
  type        = number
  default     = 25

  validation {
    condition     = var.on_demand_percent >= 0 && var.on_demand_percent <= 100 && floor(var.on_demand_percent) == var.on_demand_percent
    error_message = "on_demand_percent must be a whole number from 0 (all Spot) to 100 (all on-demand)."
  }
}

variable "enable_autoscaling" {
  description = "Scale the service on TVs per task (the app's TvSockets metric), with CPU and memory as backstops."
  type        = bool
  default     = true
}

variable "autoscaling_tvs_per_task" {
  description = "TV WebSockets per task that autoscaling keeps the service at. Idle TVs cost memory (about 25 KiB each) more than CPU, and a task takes back about 1,200 reconnecting TVs a second."
  type        = number
  default     = 5000
}

variable "autoscaling_cpu_target" {
  description = "Average CPU utilisation (percent) above which autoscaling adds tasks (editors, embeds, reconnect storms)."
  type        = number
  default     = 60
}

variable "autoscaling_memory_target" {
  description = "Average memory utilisation (percent) above which autoscaling adds tasks: the backstop if the TV count is not reported."
  type        = number
  default     = 75
}

variable "shutdown_drain_seconds" {
  description = "On SIGTERM, the window over which the app closes TV WebSockets in staggered batches (SHUTDOWN_DRAIN_SECONDS)."
  type        = number
  default     = 60

  validation {
    condition     = var.shutdown_drain_seconds > 0 && var.shutdown_drain_seconds <= 100
    error_message = "shutdown_drain_seconds must leave the app time to exit within the 120 s stopTimeout (at most 100)."
  }
}

variable "log_level" {
  description = "Application log level (LOG_LEVEL)."
  type        = string
  default     = "info"
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps application logs."
  type        = number
  default     = 30
}

variable "container_insights" {
  description = "Enable ECS Container Insights (per-task metrics; billed as custom metrics)."
  type        = bool
  default     = false
}

variable "ecr_keep_images" {
  description = "Images kept in ECR; older ones expire. Rollback can only go back this far."
  type        = number
  default     = 30
}

# --- Database ------------------------------------------------------------------------------

variable "db_pool_max" {
  description = "Pooled database connections per task for requests (DB_POOL_MAX). Each task also opens db_live_pool_max for TVs and one LISTEN connection; the sum over the most tasks a deploy can run must fit the instance's max_connections (checked at plan)."
  type        = number
  default     = 4
}

variable "db_live_pool_max" {
  description = "Database connections per task for the TVs' hellos and pushes (DB_LIVE_POOL_MAX)."
  type        = number
  default     = 2
}

variable "db_max_connections" {
  description = "The database's max_connections, when you know it (e.g. set in a parameter group). Null: estimated from db_instance_class as RDS's default does (about DBInstanceClassMemory / 9531392)."
  type        = number
  default     = null
}

variable "db_maintenance_window" {
  description = "Weekly RDS maintenance window, in UTC (ddd:hh24:mi-ddd:hh24:mi). Pick hours when the bars are closed: the default is Monday 09:00-09:30 UTC, morning in Europe and the small hours in the Americas."
  type        = string
  default     = "Mon:09:00-Mon:09:30"
}

variable "db_backup_window" {
  description = "Daily automated-backup window in UTC (hh24:mi-hh24:mi); must not overlap the maintenance window."
  type        = string
  default     = "08:00-08:30"
}

variable "db_slow_query_ms" {
  description = "Statements slower than this many milliseconds are logged by Postgres (log_min_duration_statement)."
  type        = number
  default     = 500
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_allocated_storage" {
  description = "Initial database storage in GiB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Ceiling in GiB for RDS storage autoscaling."
  type        = number
  default     = 100
}

variable "db_multi_az" {
  description = "Run a standby in the second AZ (automatic failover in 1-2 minutes; doubles the instance price)."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window). 0 disables backups."
  type        = number
  default     = 7
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (turn off before `terraform destroy`)."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Skip the final snapshot when the database is deleted."
  type        = bool
  default     = false
}

variable "db_password_version" {
  description = "Bump to generate a new database password; it is set on RDS and in the DATABASE_URL secret in the same apply."
  type        = number
  default     = 1
}

variable "secret_key_version" {
  description = "Bump to generate a new SECRET_KEY (signs sessions: everyone is signed out)."
  type        = number
  default     = 1
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  type        = number
  default     = 7
}

# --- Media and CDN -------------------------------------------------------------------------

variable "cdn_price_class" {
  description = "CloudFront price class: PriceClass_100 (North America, Europe), PriceClass_200 or PriceClass_All."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cdn_price_class)
    error_message = "cdn_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "media_noncurrent_days" {
  description = "Days a deleted or replaced media object stays recoverable (bucket versioning)."
  type        = number
  default     = 30
}

# --- Mail ----------------------------------------------------------------------------------

variable "mail_from" {
  description = "Sender of invites and password resets, an identity verified in Amazon SES in this region (e.g. \"Chalkboard <noreply@taps.example.com>\"). Null: the app only logs mails (nobody receives them)."
  type        = string
  default     = null
}

# --- Alarms and budget ---------------------------------------------------------------------

variable "alarm_email" {
  description = "Email address subscribed to the alarms topic (confirm the subscription mail). Null: alarms go to the SNS topic only."
  type        = string
  default     = null
}

variable "monthly_budget_usd" {
  description = "Monthly AWS budget in USD: the budget alerts at 80 % of actual and 100 % of forecast spend. Null: no budget."
  type        = number
  default     = 150
}
