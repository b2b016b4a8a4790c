# tflint with its bundled Terraform ruleset (the AWS ruleset is not used here).
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
