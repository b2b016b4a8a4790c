data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  name       = "docpipe-${var.environment}"
  unique     = "${local.name}-${data.aws_caller_identity.current.account_id}"
  azs        = coalesce(var.availability_zones, slice(data.aws_availability_zones.available.names, 0, 2))
  public_url = trimsuffix(coalesce(var.public_url, module.edge.api_endpoint), "/")

  # Named here, not taken from the network module, because the key's policy (data module) must
  # name it before the network module can create it encrypted with that key.
  flow_log_group_name = "/vpc/${local.name}/flow-logs"
}

module "network" {
  source = "./modules/network"

  name               = local.name
  cidr_block         = var.vpc_cidr_block
  availability_zones = local.azs
  nat_gateway_per_az = var.nat_gateway_per_az
  vpc_endpoints      = var.vpc_endpoints

  kms_key_arn             = module.data.kms_key_arn
  flow_log_group_name     = local.flow_log_group_name
  flow_log_retention_days = var.flow_log_retention_days
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
  database_client_security_group_ids = { for k in ["api", "worker"] : k => module.compute.security_group_ids[k] }
  encrypted_log_group_names          = [local.flow_log_group_name]
  db_instance_class                  = var.db_instance_class
  db_multi_az                        = var.db_multi_az
  db_ca_cert_identifier              = var.db_ca_cert_identifier
  max_receive_count                  = var.max_receive_count
  deletion_protection                = var.deletion_protection
}

module "edge" {
  source = "./modules/edge"

  name               = local.name
  vpc_id             = module.network.vpc_id
  private_subnet_ids = module.network.private_subnet_ids
  jwt_issuer         = module.identity.issuer
  jwt_audiences      = [module.identity.client_id]

  target_security_group_ids = {
    api = module.compute.security_group_ids["api"]
    web = module.compute.security_group_ids["web"]
  }
  api_client_security_group_ids = [module.compute.security_group_ids["web"]]
}

module "compute" {
  source = "./modules/compute"

  name                = local.name
  vpc_id              = module.network.vpc_id
  private_subnet_ids  = module.network.private_subnet_ids
  repository_url      = module.registry.repository_url
  image_tag           = var.image_tag
  services            = var.services
  autoscaling         = var.autoscaling
  target_group_arns   = module.edge.target_group_arns
  api_internal_url    = module.edge.api_internal_url
  api_listener_port   = module.edge.api_listener_port
  public_url          = local.public_url
  bucket_name         = module.data.bucket_name
  bucket_arn          = module.data.bucket_arn
  kms_key_arn         = module.data.kms_key_arn
  session_key_version = var.session_key_version
  queue_url           = module.data.queue_url
  queue_arn           = module.data.queue_arn
  queue_name          = "${local.name}-events"

  load_balancer_security_group_id = module.edge.load_balancer_security_group_id
  database_security_group_id      = module.data.db_security_group_id
  # A missing file is reported by the variable's validation, with what to do about it.
  database_ca_bundle = try(file(var.database_ca_bundle_file), "")

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
