data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  name       = "docpipe-${var.environment}"
  unique     = "${local.name}-${data.aws_caller_identity.current.account_id}"
  azs        = coalesce(var.availability_zones, slice(data.aws_availability_zones.available.names, 0, 2))
  public_url = trimsuffix(coalesce(var.public_url, module.edge.api_endpoint), "/")
}

module "network" {
  source = "./modules/network"

  name               = local.name
  cidr_block         = var.vpc_cidr_block
  availability_zones = local.azs
  nat_gateway_per_az = var.nat_gateway_per_az
  vpc_endpoints      = var.vpc_endpoints
}

module "registry" {
  source = "./modules/registry"

  name         = local.name
  force_delete = !var.deletion_protection
}

module "identity" {
  source = "./modules/identity"

  name                = local.name
  domain_prefix       = coalesce(var.cognito_domain_prefix, local.unique)
  callback_urls       = ["${local.public_url}/auth/callback"]
  logout_urls         = ["${local.public_url}/"]
  deletion_protection = var.deletion_protection
}

module "data" {
  source = "./modules/data"

  name                               = local.name
  bucket_name                        = coalesce(var.bucket_name, local.unique)
  vpc_id                             = module.network.vpc_id
  private_subnet_ids                 = module.network.private_subnet_ids
  database_client_security_group_ids = [module.compute.tasks_security_group_id]
  db_instance_class                  = var.db_instance_class
  db_multi_az                        = var.db_multi_az
  max_receive_count                  = var.max_receive_count
  deletion_protection                = var.deletion_protection
}

module "edge" {
  source = "./modules/edge"

  name               = local.name
  vpc_id             = module.network.vpc_id
  vpc_cidr_block     = module.network.vpc_cidr_block
  private_subnet_ids = module.network.private_subnet_ids
  jwt_issuer         = module.identity.issuer
  jwt_audiences      = [module.identity.client_id]
}

module "compute" {
  source = "./modules/compute"

  name                = local.name
  vpc_id              = module.network.vpc_id
  vpc_cidr_block      = module.network.vpc_cidr_block
  private_subnet_ids  = module.network.private_subnet_ids
  repository_url      = module.registry.repository_url
  image_tag           = var.image_tag
  services            = var.services
  autoscaling         = var.autoscaling
  target_group_arns   = module.edge.target_group_arns
  api_internal_url    = module.edge.api_internal_url
  public_url          = local.public_url
  bucket_name         = module.data.bucket_name
  bucket_arn          = module.data.bucket_arn
  kms_key_arn         = module.data.kms_key_arn
  session_key_version = var.session_key_version
  queue_url           = module.data.queue_url
  queue_arn           = module.data.queue_arn
  queue_name          = "${local.name}-events"

  database = {
    address    = module.data.db_address
    port       = module.data.db_port
    name       = module.data.db_name
    username   = module.data.db_username
    secret_arn = module.data.db_secret_arn
  }

  oidc = {
    issuer        = module.identity.issuer
    jwks_url      = module.identity.jwks_url
    client_id     = module.identity.client_id
    hosted_ui_url = module.identity.hosted_ui_url
  }
}
