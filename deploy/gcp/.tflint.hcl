# tflint for deploy/gcp: the bundled Terraform ruleset, all rules, local modules included. The
# Google ruleset plugin cannot be downloaded here.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
