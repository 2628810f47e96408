provider "aws" {
  region = var.region

  default_tags {
    tags = var.default_tags
  }

  # Every service goes to the endpoint URL (emulator or proxy); nothing reaches real AWS.
  skip_credentials_validation = true
  # The account id is looked up (sts:GetCallerIdentity at the endpoint): the provider builds ARNs
  # with it (Athena workgroups, Budgets, Glue), and an empty one makes their reads fail.
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style = true

  endpoints {
    athena = var.aws_endpoint_url
    bedrock = var.aws_endpoint_url
    budgets = var.aws_endpoint_url
    cloudtrail = var.aws_endpoint_url
    cloudwatch = var.aws_endpoint_url
    cognitoidentity = var.aws_endpoint_url
    cognitoidp = var.aws_endpoint_url
    dynamodb = var.aws_endpoint_url
    ec2 = var.aws_endpoint_url
    ecr = var.aws_endpoint_url
    ecs = var.aws_endpoint_url
    elbv2 = var.aws_endpoint_url
    firehose = var.aws_endpoint_url
    glue = var.aws_endpoint_url
    iam = var.aws_endpoint_url
    identitystore = var.aws_endpoint_url
    kms = var.aws_endpoint_url
    logs = var.aws_endpoint_url
    rds = var.aws_endpoint_url
    s3 = var.aws_endpoint_url
    secretsmanager = var.aws_endpoint_url
    sns = var.aws_endpoint_url
    ssm = var.aws_endpoint_url
    ssoadmin = var.aws_endpoint_url
    sts = var.aws_endpoint_url
  }
}
