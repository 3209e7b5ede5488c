locals {
  # Memory (GiB) of the instance classes a Chalkboard database is likely to use; RDS's default
  # max_connections is LEAST(DBInstanceClassMemory / 9531392, 5000), and DBInstanceClassMemory
  # is what is left after the OS and RDS's processes (about 80 % of it on small classes).
  db_class_memory_gib = {
    "db.t4g.micro"  = 1, "db.t4g.small" = 2, "db.t4g.medium" = 4, "db.t4g.large" = 8,
    "db.t4g.xlarge" = 16, "db.t4g.2xlarge" = 32,
    "db.t3.micro"   = 1, "db.t3.small" = 2, "db.t3.medium" = 4, "db.t3.large" = 8,
    "db.m7g.large"  = 8, "db.m7g.xlarge" = 16, "db.m7g.2xlarge" = 32,
    "db.m6g.large"  = 8, "db.m6g.xlarge" = 16, "db.m6g.2xlarge" = 32,
    "db.r7g.large"  = 16, "db.r7g.xlarge" = 32, "db.r6g.large" = 16, "db.r6g.xlarge" = 32,
  }
  db_max_connections = coalesce(
    var.db_max_connections,
    min(floor(lookup(local.db_class_memory_gib, var.db_instance_class, 1) * 0.8 * 1073741824 / 9531392), 5000),
  )
  # Every connection the app can hold at once: each task's request pool, live pool and LISTEN
  # connection, times the tasks a deploy can run together (deployment_maximum_percent 200 of
  # max_count), plus a migration task and Postgres's 3 slots reserved for superusers.
  db_connections_per_task = var.db_pool_max + var.db_live_pool_max + 1
  db_connections_needed   = local.db_connections_per_task * var.max_count * 2 + 1 + 3
}

resource "aws_db_subnet_group" "main" {
  name       = var.name
  subnet_ids = local.private_subnet_ids
}

# Postgres ends sessions idle in an open transaction (a request that died mid-way must not
# hold locks), and logs slow statements for the operator.
resource "aws_db_parameter_group" "main" {
  name   = var.name
  family = "postgres16"

  parameter {
    name  = "idle_in_transaction_session_timeout"
    value = "60000"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.db_slow_query_ms)
  }
}
resource "aws_db_instance" "main" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = "16"
  instance_class = var.db_instance_class

  db_name             = local.db_name
  username            = local.db_username
  password_wo         = ephemeral.aws_secretsmanager_random_password.db.random_password
  password_wo_version = var.db_password_version

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  db_subnet_group_name   = aws_db_subnet_group.main.name
  parameter_group_name   = aws_db_parameter_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  multi_az               = var.db_multi_az

  backup_retention_period    = var.db_backup_retention_days
  backup_window              = var.db_backup_window
  maintenance_window         = var.db_maintenance_window
  copy_tags_to_snapshot      = true
  auto_minor_version_upgrade = true
  deletion_protection        = var.db_deletion_protection
  skip_final_snapshot        = var.db_skip_final_snapshot
  final_snapshot_identifier  = "${var.name}-final"

  lifecycle {
    precondition {
      condition     = local.db_connections_needed <= local.db_max_connections
      error_message = "The app can open ${local.db_connections_needed} database connections ((db_pool_max ${var.db_pool_max} + db_live_pool_max ${var.db_live_pool_max} + 1 LISTEN) x max_count ${var.max_count} x 2 during a deploy, + 1 migration + 3 reserved), more than ${var.db_instance_class} allows (max_connections about ${local.db_max_connections}). Lower db_pool_max or max_count, or choose a larger db_instance_class."
    }
  }
}
