#!/usr/bin/env bash
# Runs `chalkboard migrate` once, as a one-off Fargate task of the newest task definition
# revision (the release being deployed), and waits for it. Prints the task's log, and exits 0
# only if the container exited 0.
#
#   infra/scripts/migrate.sh
#
# Environment: MIGRATE_TIMEOUT_SECONDS (default 1800); AWS credentials as for the AWS CLI.
set -euo pipefail

infra="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tf() { terraform -chdir="$infra" "$@"; }

AWS_REGION="$(tf output -raw region)"
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
cluster="$(tf output -raw cluster_name)"
log_group="$(tf output -raw log_group_name)"
request="$(tf output -json migrate_task)"

task_arn="$(aws ecs run-task --cli-input-json "$request" --query 'tasks[0].taskArn' --output text)"
if [[ -z "$task_arn" || "$task_arn" == None ]]; then
  echo "migrate.sh: ECS did not start the task" >&2
  exit 1
fi
echo "Migrating with task ${task_arn##*/} ..."

describe() { aws ecs describe-tasks --cluster "$cluster" --tasks "$task_arn" --query "$1" --output text; }

deadline=$((SECONDS + ${MIGRATE_TIMEOUT_SECONDS:-1800}))
until [[ "$(describe 'tasks[0].lastStatus')" == STOPPED ]]; do
  if ((SECONDS > deadline)); then
    aws ecs stop-task --cluster "$cluster" --task "$task_arn" --reason "migrate.sh timed out" >/dev/null
    echo "migrate.sh: timed out; task stopped" >&2
    exit 1
  fi
  sleep 5
done

aws logs tail "$log_group" --log-stream-names "app/app/${task_arn##*/}" --since 1d --format short || true

exit_code="$(describe "tasks[0].containers[?name=='app'] | [0].exitCode")"
if [[ "$exit_code" != 0 ]]; then
  echo "migrate.sh: migration failed (exit code $exit_code: $(describe 'tasks[0].stoppedReason'))" >&2
  exit 1
fi
echo "Migrations applied."
