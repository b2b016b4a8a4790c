data "google_project" "this" {
  project_id = var.project_id
}

locals {
  bucket     = coalesce(var.bucket_name, "${var.project_id}-${var.name}-originals")
  web_url    = "https://${var.name}-web-${data.google_project.this.number}.${var.region}.run.app"
  public_url = coalesce(var.public_url, local.web_url)

  # Settings every role shares; DOCPIPE_ADDR comes from the service module. Cloud Run stops
  # routing to an instance before SIGTERM and kills it 10 s later: no drain delay, and draining
  # must end within that; an OCR job cut short is redelivered and its lease expires.
  common_env = {
    DOCPIPE_LOG_FORMAT       = "json"
    DOCPIPE_SHUTDOWN_TIMEOUT = "8s"
  }
  # Each service signs in to Cloud SQL as its own service account, with an access token as the
  # password, and acts as the role that owns the schema (modules/database).
  store_env = {
    DOCPIPE_BLOB_URL      = "gs://${module.storage.name}"
    DOCPIPE_DATABASE_IAM  = "gcp"
    DOCPIPE_DATABASE_ROLE = module.database.role
  }
}

module "project" {
  source     = "./modules/project"
  project_id = var.project_id
  services = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "compute.googleapis.com",
    "eventarc.googleapis.com",
    "iam.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
  ]
}

module "registry" {
  source     = "./modules/registry"
  project_id = var.project_id
  region     = var.region
  name       = var.name
  writers    = { build = module.build.member }
  depends_on = [module.project]
}

module "network" {
  source     = "./modules/network"
  project_id = var.project_id
  region     = var.region
  name       = var.name
  cidr       = var.subnet_cidr
  depends_on = [module.project]
}

module "storage" {
  source        = "./modules/storage"
  project_id    = var.project_id
  name          = local.bucket
  location      = var.region
  force_destroy = !var.deletion_protection
  object_users = {
    api    = module.api.member
    worker = module.worker.member
  }
  depends_on = [module.project]
}

module "database" {
  source              = "./modules/database"
  project_id          = var.project_id
  region              = var.region
  name                = var.name
  tier                = var.database_tier
  availability_type   = var.database_availability_type
  deletion_protection = var.deletion_protection
  clients = {
    api    = module.api.service_account
    worker = module.worker.service_account
  }
  owner      = "api"
  depends_on = [module.project]
}

# The OIDC client secret: Terraform creates the secret, the operator adds its value as a version
# (docs/gcp.md), so the value is never in the state.
resource "google_secret_manager_secret" "oidc_client_secret" {
  project   = var.project_id
  secret_id = "${var.name}-oidc-client-secret"

  replication {
    auto {}
  }

  depends_on = [module.project]
}

resource "google_secret_manager_secret_iam_member" "oidc_client_secret" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.oidc_client_secret.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = module.web.member
}

module "web" {
  source        = "./modules/service"
  project_id    = var.project_id
  region        = var.region
  name          = "${var.name}-web"
  command       = "web"
  image         = var.image
  ingress       = "INGRESS_TRAFFIC_ALL"
  public        = true
  min_instances = var.scaling["web"].min
  max_instances = var.scaling["web"].max
  concurrency   = var.scaling["web"].concurrency
  cpu           = var.scaling["web"].cpu
  memory        = var.scaling["web"].memory
  subnetwork    = module.network.subnetwork
  env = merge(local.common_env, {
    DOCPIPE_AUTH               = "oidc"
    DOCPIPE_OIDC_ISSUER        = var.oidc_issuer
    DOCPIPE_OIDC_CLIENT_ID     = var.oidc_client_id
    DOCPIPE_OIDC_FORWARD_TOKEN = "id"
    DOCPIPE_API_URL            = module.api.uri
    DOCPIPE_PUBLIC_URL         = local.public_url
  })
  secret_env = {
    DOCPIPE_OIDC_CLIENT_SECRET = google_secret_manager_secret.oidc_client_secret.secret_id
  }
  deletion_protection = var.deletion_protection
  depends_on          = [module.project]
}

# The api is reachable only from inside the VPC (the web's Direct VPC egress): internal ingress
# is the boundary, and every request carries the user's OIDC token, which the api verifies.
module "api" {
  source        = "./modules/service"
  project_id    = var.project_id
  region        = var.region
  name          = "${var.name}-api"
  command       = "api"
  image         = var.image
  ingress       = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  public        = true
  min_instances = var.scaling["api"].min
  max_instances = var.scaling["api"].max
  concurrency   = var.scaling["api"].concurrency
  cpu           = var.scaling["api"].cpu
  memory        = var.scaling["api"].memory
  env = merge(local.common_env, local.store_env, {
    DOCPIPE_DATABASE_URL  = module.database.database_urls["api"]
    DOCPIPE_AUTH          = "oidc"
    DOCPIPE_OIDC_ISSUER   = var.oidc_issuer
    DOCPIPE_OIDC_AUDIENCE = var.oidc_client_id
  })
  cloudsql_instances  = [module.database.connection_name]
  deletion_protection = var.deletion_protection
  depends_on          = [module.project]
}

# OCR is CPU-bound: one Tesseract engine per vCPU, as many requests per instance as engines, and a
# request timeout above the job timeout because the worker answers an event after the OCR.
# Always-allocated CPU keeps the store poller (reprocessing, orphaned jobs) running.
module "worker" {
  source          = "./modules/service"
  project_id      = var.project_id
  region          = var.region
  name            = "${var.name}-worker"
  command         = "worker"
  image           = var.image
  ingress         = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  min_instances   = var.scaling["worker"].min
  max_instances   = var.scaling["worker"].max
  concurrency     = var.scaling["worker"].concurrency
  cpu             = var.scaling["worker"].cpu
  memory          = var.scaling["worker"].memory
  cpu_idle        = false
  timeout_seconds = var.worker_timeout_seconds
  env = merge(local.common_env, local.store_env, {
    DOCPIPE_DATABASE_URL = module.database.database_urls["worker"]
    OMP_THREAD_LIMIT     = "1"
    DOCPIPE_OCR_ENGINES  = tostring(var.scaling["worker"].concurrency)
    DOCPIPE_JOB_TIMEOUT  = "${max(60, var.worker_timeout_seconds - 60)}s"
  })
  cloudsql_instances  = [module.database.connection_name]
  deletion_protection = var.deletion_protection
  depends_on          = [module.project]
}

module "events" {
  source     = "./modules/events"
  project_id = var.project_id
  region     = var.region
  name       = "${var.name}-events"
  bucket     = module.storage.name
  worker     = module.worker.name
  depends_on = [module.project]
}

module "build" {
  source     = "./modules/build"
  project_id = var.project_id
  region     = var.region
  name       = "${var.name}-build"
  services   = [module.web.name, module.api.name, module.worker.name]
  runtime_service_accounts = {
    web    = module.web.service_account
    api    = module.api.service_account
    worker = module.worker.service_account
  }
  depends_on = [module.project]
}
