#!/usr/bin/env bash
# Releases the checked-out commit: build -> push -> migrate -> roll.
#
#   infra/scripts/deploy.sh                 build and release HEAD (tagged with its commit)
#   infra/scripts/deploy.sh --rollback TAG  run an earlier image again (no build, no migration)
#
# Each `terraform apply` shows its plan and asks first; set TF_CLI_ARGS_apply=-auto-approve to
# run unattended (CI). Needs: terraform, AWS CLI v2, docker (not for --rollback), git.
set -euo pipefail

usage() { sed -n '4,5s/^# //p' "$0" >&2; exit 2; }
rollback_tag=""
if [[ $# -gt 0 ]]; then
  [[ $# -eq 2 && "$1" == --rollback ]] || usage
  rollback_tag="$2"
fi

infra="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_root="$(dirname "$infra")"
tf() { terraform -chdir="$infra" "$@"; }

AWS_REGION="$(tf output -raw region)"
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
image_repo="$(tf output -raw ecr_repository_url)"

image_exists() {
  aws ecr describe-images --repository-name "${image_repo#*/}" --image-ids "imageTag=$1" >/dev/null 2>&1
}

roll() {
  tf apply -var "image_tag=$1"
  echo "Waiting for the service to settle on $1 ..."
  aws ecs wait services-stable --cluster "$(tf output -raw cluster_name)" --services "$(tf output -raw service_name)"
  echo "Released $1 at $(tf output -raw site_url)"
}

if [[ -n "$rollback_tag" ]]; then
  if ! image_exists "$rollback_tag"; then
    echo "deploy.sh: no image $rollback_tag in $image_repo" >&2
    exit 1
  fi
  roll "$rollback_tag"
  exit 0
fi

if [[ -n "$(git -C "$repo_root" status --porcelain)" ]]; then
  echo "deploy.sh: the work tree has uncommitted changes; the image tag is the commit, so commit first" >&2
  exit 1
fi
tag="$(git -C "$repo_root" rev-parse --short=12 HEAD)"

if image_exists "$tag"; then
  echo "Image $tag is already in ECR; not rebuilding."
else
  aws ecr get-login-password | docker login --username AWS --password-stdin "${image_repo%%/*}"
  docker build --platform linux/amd64 --tag "$image_repo:$tag" "$repo_root"
  docker push "$image_repo:$tag"
fi

# Register the release's task definition without touching the service, so the migration runs
# the new image before any new task serves traffic. (Terraform warns about -target: expected.)
tf apply -var "image_tag=$tag" -target=aws_ecs_task_definition.app
"$infra/scripts/migrate.sh"
roll "$tag"
