terraform {
  # 1.11 brings write-only arguments: the generated passwords never reach the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Application = "chalkboard", Stack = var.name }, var.tags)
  }
}
