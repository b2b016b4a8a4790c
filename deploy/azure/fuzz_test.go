package azure

import (
	"encoding/json"
	"testing"
)

// FuzzRules runs every rule on arbitrary parse trees: whatever shape the grammar produces for a
// broken file, the rules must report findings, not panic.
func FuzzRules(f *testing.F) {
	seeds := []string{
		`{"type":"infrastructure","children":[{"type":"parameter_declaration","children":[{"type":"identifier","text":"x"}]}]}`,
		`{"type":"infrastructure","children":[{"type":"decorators","children":[{"type":"decorator"}]},{"type":"output_declaration"}]}`,
		`{"type":"infrastructure","children":[{"type":"module_declaration","children":[{"type":"identifier","text":"m"},{"type":"string","children":[{"type":"string_content","text":"x.bicep"}]},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"params"},{"type":"object","children":[{"type":"object_property"}]}]}]}]}]}`,
		`{"type":"infrastructure","children":[{"type":"resource_declaration","text":"resource a 'Microsoft.Storage/storageAccounts@2023-05-01' = {}","children":[{"type":"identifier","text":"a"},{"type":"string","children":[{"type":"string_content","text":"Microsoft.Storage/storageAccounts@2023-05-01"}]},{"type":"if_statement"}]}]}`,
		`{"type":"infrastructure","children":[{"type":"object_property","children":[{"type":"identifier","text":"secrets"},{"type":"array","children":[{"type":"object"},{"type":"number","text":"1"}]}]},{"type":"ERROR","text":"?"},{"type":"}","missing":true}]}`,
		`{"type":"infrastructure","children":[{"type":"resource_declaration","text":"resource a 'Microsoft.Storage/storageAccounts@2026-04-01' = {}","children":[{"type":"identifier","text":"a"},{"type":"string","children":[{"type":"string_content","text":"Microsoft.Storage/storageAccounts@2026-04-01"}]},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"properties"},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"accessTier"},{"type":"string","children":[{"type":"string_content","text":"Hot"}]}]}]}]},{"type":"object_property","children":[{"type":"resource_declaration","children":[{"type":"identifier","text":"b"},{"type":"string","children":[{"type":"string_content","text":"blobServices"}]},{"type":"for_statement","children":[{"type":"object","field":"body"}]}]}]}]}]}]}`,
		`{"type":"infrastructure","children":[{"type":"variable_declaration","children":[{"type":"identifier","text":"p"},{"type":"binary_expression","text":"image == 'mcr.microsoft.com/k8se/quickstart:latest'","children":[{"type":"identifier","text":"image"},{"type":"string","text":"'mcr.microsoft.com/k8se/quickstart:latest'","children":[{"type":"string_content","text":"mcr.microsoft.com/k8se/quickstart:latest"}]}]}]},{"type":"resource_declaration","text":"resource a 'Microsoft.App/containerApps@2026-01-01' = {}","children":[{"type":"identifier","text":"a"},{"type":"string","children":[{"type":"string_content","text":"Microsoft.App/containerApps@2026-01-01"}]},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"properties"},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"template"},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"containers"},{"type":"array","children":[{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"probes"},{"type":"ternary_expression","children":[{"type":"unary_expression","field":"condition","text":"!p","children":[{"type":"identifier","text":"p"}]},{"type":"array","field":"consequence","children":[null,{"type":"object"}]},{"type":"binary_expression","field":"alternative","children":[null,null]}]}]}]}]}]}]}]}]}]}]}]}]}`,
		`{"type":"infrastructure","children":[{"type":"decorators","children":[{"type":"decorator","children":[{"type":"call_expression","children":[{"type":"identifier","text":"batchSize"}]}]}]},{"type":"resource_declaration","text":"resource d 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2026-03-15' = [","children":[{"type":"identifier","text":"d"},{"type":"string","children":[{"type":"string_content","text":"Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2026-03-15"}]},{"type":"for_statement"}]},{"type":"module_declaration","children":[{"type":"identifier","text":"m"},{"type":"string"},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"params"},{"type":"object","children":[{"type":"object_property","children":[{"type":"identifier","text":"keyVaultUrl"},{"type":"identifier","text":"u"}]}]}]},{"type":"object_property","children":[{"type":"identifier","text":"dependsOn"},{"type":"array","children":[{"type":"identifier","text":"m"},null]}]}]}]}]}`,
		`{"type":"call_expression","children":[]}`,
		`null`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var root *node
		if err := json.Unmarshal(data, &root); err != nil {
			return
		}
		file := bicepFile{Path: "fuzz.bicep", Root: root}
		if root == nil {
			file.Root = &node{Type: "infrastructure"}
		}
		all := map[string]bicepFile{"fuzz.bicep": file, "x.bicep": file}
		for _, r := range rules {
			for _, msg := range r.check(file, all) {
				if msg == "" {
					t.Errorf("rule %s returned an empty finding", r.name)
				}
			}
		}
	})
}
