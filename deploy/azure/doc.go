// Package azure holds docpipe's Azure deployment (Bicep under this directory, the Functions custom
// handler files under function/, the Azure DevOps pipeline under pipelines/) and, in its tests, the
// offline checks CI runs on them: every .bicep file parses with the tree-sitter Bicep grammar and
// obeys the rules in rules_test.go, the pipeline validates against the Azure Pipelines schema, and
// the custom handler files have the shape docs/azure.md promises.
package azure
