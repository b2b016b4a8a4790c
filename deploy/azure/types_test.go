package azure

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// typesDir holds the resource type definitions of Azure/bicep-types-az, the ones the Bicep compiler
// checks resource declarations against (testdata/bicep-types/README.md).
const typesDir = "testdata/bicep-types"

// Property flags of types.json.
const (
	flagRequired  = 1
	flagReadOnly  = 2
	flagWriteOnly = 4
)

// azType is one node of a types.json file with its references resolved. Which fields are set
// depends on kind, the node's $type.
type azType struct {
	kind          string
	body          *azType            // ResourceType: the resource's object type
	props         map[string]azProp  // ObjectType properties, DiscriminatedObjectType baseProperties
	additional    *azType            // ObjectType additionalProperties: the type of any other key
	discriminator string             // DiscriminatedObjectType: the property that selects a variant
	variants      map[string]*azType // DiscriminatedObjectType elements, by discriminator value
	union         []*azType          // UnionType elements
	item          *azType            // ArrayType itemType
	value         string             // StringLiteralType value
}

// azProp is a property of an object type.
type azProp struct {
	typ   *azType
	flags int
}

// readOnly reports whether a template may not set the property.
func (p azProp) readOnly() bool { return p.flags&flagReadOnly != 0 && p.flags&flagWriteOnly == 0 }

// required reports whether a template must set the property; a property that is both required and
// read-only is required only in responses.
func (p azProp) required() bool { return p.flags&flagRequired != 0 && !p.readOnly() }

// typeRef is a reference to a node of the same file: {"$ref": "#/N"}.
type typeRef struct {
	Ref string `json:"$ref"`
}

// rawProp and rawType are the JSON form of azProp and azType.
type rawProp struct {
	Type  typeRef `json:"type"`
	Flags int     `json:"flags"`
}

type rawType struct {
	Kind                 string             `json:"$type"`
	Name                 string             `json:"name"`
	Body                 *typeRef           `json:"body"`
	Properties           map[string]rawProp `json:"properties"`
	AdditionalProperties *typeRef           `json:"additionalProperties"`
	Discriminator        string             `json:"discriminator"`
	BaseProperties       map[string]rawProp `json:"baseProperties"`
	Elements             json.RawMessage    `json:"elements"` // UnionType: [ref]; DiscriminatedObjectType: {value: ref}
	ItemType             *typeRef           `json:"itemType"`
	Value                json.RawMessage    `json:"value"`
}

// linker resolves the references of one file's nodes, keeping the first error.
type linker struct {
	nodes []*azType
	err   error
}

func (l *linker) ref(r *typeRef) *azType {
	if r == nil {
		return nil
	}
	i, err := strconv.Atoi(strings.TrimPrefix(r.Ref, "#/"))
	if err != nil || !strings.HasPrefix(r.Ref, "#/") || i < 0 || i >= len(l.nodes) {
		l.fail(fmt.Errorf("bad reference %q", r.Ref))
		return nil
	}
	return l.nodes[i]
}

func (l *linker) props(m map[string]rawProp) map[string]azProp {
	out := make(map[string]azProp, len(m))
	for name, p := range m {
		out[name] = azProp{typ: l.ref(&p.Type), flags: p.Flags}
	}
	return out
}

func (l *linker) fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

// parseTypes decodes a types.json file and returns its ResourceType nodes by name ("Type@version").
func parseTypes(data []byte) (map[string]*azType, error) {
	var raw []rawType
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	l := &linker{nodes: make([]*azType, len(raw))}
	for i := range l.nodes {
		l.nodes[i] = &azType{}
	}
	resources := map[string]*azType{}
	for i, r := range raw {
		t := l.nodes[i]
		t.kind = r.Kind
		switch r.Kind {
		case "ResourceType":
			t.body = l.ref(r.Body)
			resources[r.Name] = t
		case "ObjectType":
			t.props = l.props(r.Properties)
			t.additional = l.ref(r.AdditionalProperties)
		case "DiscriminatedObjectType":
			t.discriminator = r.Discriminator
			t.props = l.props(r.BaseProperties)
			var elements map[string]typeRef
			if err := json.Unmarshal(r.Elements, &elements); err != nil {
				l.fail(fmt.Errorf("node %d: elements: %w", i, err))
			}
			t.variants = map[string]*azType{}
			for value, ref := range elements {
				t.variants[value] = l.ref(&ref)
			}
		case "UnionType":
			var elements []typeRef
			if err := json.Unmarshal(r.Elements, &elements); err != nil {
				l.fail(fmt.Errorf("node %d: elements: %w", i, err))
			}
			for _, ref := range elements {
				t.union = append(t.union, l.ref(&ref))
			}
		case "ArrayType":
			t.item = l.ref(r.ItemType)
		case "StringLiteralType":
			if err := json.Unmarshal(r.Value, &t.value); err != nil {
				l.fail(fmt.Errorf("node %d: value: %w", i, err))
			}
		}
	}
	if l.err != nil {
		return nil, l.err
	}
	return resources, nil
}

// azTypes is every resource type of a types directory.
type azTypes struct {
	bodies   map[string]*azType  // lower-case "type@version" → the resource's body type
	versions map[string][]string // lower-case type → its API versions, sorted
}

// resource returns the body type of typ at version, or nil. Resource types are case-insensitive.
func (ts *azTypes) resource(typ, version string) *azType {
	return ts.bodies[strings.ToLower(typ+"@"+version)]
}

// loadTypes reads every types.json below dir.
func loadTypes(dir string) (*azTypes, error) {
	ts := &azTypes{bodies: map[string]*azType{}, versions: map[string][]string{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "types.json" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		resources, err := parseTypes(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for name, r := range resources {
			typ, version, ok := strings.Cut(name, "@")
			key := strings.ToLower(name)
			if !ok || r.body == nil {
				return fmt.Errorf("%s: resource type %q has no API version or body", path, name)
			}
			if _, dup := ts.bodies[key]; dup {
				continue
			}
			ts.bodies[key] = r.body
			ts.versions[strings.ToLower(typ)] = append(ts.versions[strings.ToLower(typ)], version)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading resource types: %w", err)
	}
	if len(ts.bodies) == 0 {
		return nil, fmt.Errorf("loading resource types: no types.json under %s", dir)
	}
	for _, v := range ts.versions {
		slices.Sort(v)
	}
	return ts, nil
}

var vendored struct {
	once  sync.Once
	types *azTypes
	err   error
}

// vendoredTypes loads typesDir once per test binary.
func vendoredTypes() (*azTypes, error) {
	vendored.once.Do(func() { vendored.types, vendored.err = loadTypes(typesDir) })
	return vendored.types, vendored.err
}

// newestVersion is the newest stable API version of versions, or the newest preview if none is
// stable. Stable versions are bare dates (2025-01-01); previews carry a suffix (-preview, -beta).
func newestVersion(versions []string) string {
	var stable []string
	for _, v := range versions {
		if len(v) == len("2006-01-02") {
			stable = append(stable, v)
		}
	}
	switch {
	case len(stable) > 0:
		return slices.Max(stable)
	case len(versions) > 0:
		return slices.Max(versions)
	}
	return ""
}

// resourceKeywords are the properties Bicep itself adds to every resource body; types.json does
// not list them.
var resourceKeywords = map[string]bool{"parent": true, "scope": true, "dependsOn": true}

// checkTypes checks every resource declaration, nested ones included, against the vendored types:
// its type and API version exist; every property written in an object literal exists at its place,
// is not read-only, and every required one is set; a string literal given to an enum is one of its
// values; an existing resource sets only name, parent and scope. It checks both branches of a
// ternary and looks through parentheses, but cannot see inside other values that are not literals
// (parameters, variables, calls): those are skipped, not guessed.
func checkTypes(f bicepFile, _ map[string]bicepFile) []string {
	types, err := vendoredTypes()
	if err != nil {
		return []string{at(&node{}, "%v", err)}
	}
	c := &typeChecker{types: types}
	for _, d := range declarations(f) {
		if d.node.Type == "resource_declaration" {
			c.resource(d.node, "", "")
		}
	}
	return c.out
}

// typeChecker collects the findings of checkTypes for one file.
type typeChecker struct {
	types *azTypes
	out   []string
}

func (c *typeChecker) report(n *node, format string, args ...any) {
	c.out = append(c.out, at(n, format, args...))
}

// resource checks a resource declaration. parentType and parentVersion are those of the resource
// it is nested in, or "" at the top level: a nested 'child' or 'child@version' is relative to them.
func (c *typeChecker) resource(n *node, parentType, parentVersion string) {
	typ, version, existing := resourceType(n)
	if typ == "" {
		return
	}
	if parentType != "" && !strings.Contains(typ, "/") {
		typ = parentType + "/" + typ
		if version == "" {
			version = parentVersion
		}
	}
	body := n.body()
	id := typ + "@" + version
	bodyType := c.types.resource(typ, version)
	known := c.types.versions[strings.ToLower(typ)]
	switch {
	case version == "":
		c.report(n, "resource %s has no API version", typ)
	case len(known) == 0:
		c.report(n, "resource type %s is not in the vendored types (%s)", typ, typesDir)
	case bodyType == nil:
		c.report(n, "%s: no such API version in the vendored types, which have %s", id, strings.Join(known, ", "))
	case body == nil:
		// Nothing to check; the syntax rule reports a declaration without a body.
	case existing:
		c.existing(body, id)
	default:
		c.object(body, bodyType, id, "", true)
	}
	for _, nested := range nestedResources(body) {
		c.resource(nested, typ, version)
	}
}

// existing checks the body of an existing resource, which only names the resource.
func (c *typeChecker) existing(body *node, id string) {
	named := false
	for _, p := range body.Children {
		if p == nil || p.Type != "object_property" || isNested(p) {
			continue
		}
		switch key := p.name(); key {
		case "name":
			named = true
		case "parent", "scope":
		default:
			c.report(p, "%s: existing resource sets %s; only name, parent and scope may be set", id, keyText(p))
		}
	}
	if !named {
		c.report(body, "%s: existing resource has no name", id)
	}
}

// object checks the object literal obj against t, an object or discriminated object type. id names
// the resource (type@version) and path obj's place in it for messages; top is true for the
// resource body, where Bicep's own keywords may be set.
func (c *typeChecker) object(obj *node, t *azType, id, path string, top bool) {
	props, additional, required := c.shape(obj, t, id, path)
	set := map[string]bool{}
	dynamic := false
	for _, p := range obj.Children {
		if p == nil || p.Type != "object_property" || isNested(p) {
			continue
		}
		key := p.name()
		if key == "" { // an interpolated key: only a map's value type can be checked
			dynamic = true
			if additional != nil {
				c.value(p.value(), additional, id, join(path, "*"))
			}
			continue
		}
		set[key] = true
		if top && resourceKeywords[key] {
			continue
		}
		prop, ok := props[key]
		switch {
		case ok && prop.readOnly():
			c.report(p, "%s: %s is read-only", id, join(path, key))
		case ok:
			c.value(p.value(), prop.typ, id, join(path, key))
		case additional != nil:
			c.value(p.value(), additional, id, join(path, key))
		default:
			c.report(p, "%s: %s is not a property of this type%s", id, join(path, key), suggest(key, props))
		}
	}
	if dynamic {
		return
	}
	for _, name := range required {
		if !set[name] {
			c.report(obj, "%s: required property %s is not set", id, join(path, name))
		}
	}
}

// shape returns the properties obj may set under t, the type of other keys (nil if there may be
// none), and the properties it must set. For a discriminated object the discriminator's string
// literal selects the variant; if it is not a literal, any variant's properties are accepted and
// only the base properties are required.
func (c *typeChecker) shape(obj *node, t *azType, id, path string) (props map[string]azProp, additional *azType, required []string) {
	if t.kind != "DiscriminatedObjectType" {
		return t.props, t.additional, requiredProps(t.props)
	}
	values := slices.Sorted(maps.Keys(t.variants))
	d := obj.prop(t.discriminator)
	if lit, ok := plainString(d); ok {
		if v := t.variants[lit]; v != nil {
			props := maps.Clone(t.props)
			maps.Copy(props, v.props)
			return props, v.additional, requiredProps(props)
		}
		c.report(d, "%s: %s is '%s', want one of %s", id, join(path, t.discriminator), lit, quoteAll(values))
	} else if d == nil {
		c.report(obj, "%s: required property %s is not set (one of %s)", id, join(path, t.discriminator), quoteAll(values))
	}
	props = maps.Clone(t.props)
	for _, value := range values {
		for name, p := range t.variants[value].props {
			if q, ok := props[name]; ok && q.typ != p.typ {
				p.typ = nil // the variants disagree: the value cannot be checked
			}
			props[name] = p
		}
	}
	return props, nil, requiredProps(t.props)
}

// value checks v, the value written for something of type t, where v is a literal.
func (c *typeChecker) value(v *node, t *azType, id, path string) {
	if v == nil || t == nil {
		return
	}
	switch v.Type {
	case "ternary_expression": // either branch may be the value: check both
		for _, b := range v.Children {
			if b != nil && (b.Field == "consequence" || b.Field == "alternative") {
				c.value(b, t, id, path)
			}
		}
		return
	case "parenthesized_expression":
		if len(v.Children) == 1 {
			c.value(v.Children[0], t, id, path)
		}
		return
	}
	switch t.kind {
	case "ObjectType", "DiscriminatedObjectType":
		if v.Type == "object" {
			c.object(v, t, id, path, false)
		}
	case "ArrayType":
		for _, item := range arrayItems(v) {
			c.value(item, t.item, id, path+"[]")
		}
	case "UnionType":
		c.union(v, t, id, path)
	case "StringLiteralType":
		if s, ok := plainString(v); ok && s != t.value {
			c.report(v, "%s: %s is '%s', want '%s'", id, path, s, t.value)
		}
	}
}

// union checks a string literal against an enum (a union of string literals; one that also admits
// any string is not checked) and an object literal against the union's one object type, if it has
// exactly one.
func (c *typeChecker) union(v *node, t *azType, id, path string) {
	if s, ok := plainString(v); ok {
		var values []string
		for _, e := range t.union {
			switch e.kind {
			case "StringLiteralType":
				values = append(values, e.value)
			case "StringType", "AnyType":
				return
			}
		}
		if len(values) > 0 && !slices.Contains(values, s) {
			c.report(v, "%s: %s is '%s', want one of %s", id, path, s, quoteAll(values))
		}
		return
	}
	var objects []*azType
	for _, e := range t.union {
		if e.kind == "ObjectType" || e.kind == "DiscriminatedObjectType" {
			objects = append(objects, e)
		}
	}
	if v.Type == "object" && len(objects) == 1 {
		c.object(v, objects[0], id, path, false)
	}
}

// requiredProps lists the properties a template must set, sorted.
func requiredProps(props map[string]azProp) []string {
	var out []string
	for name, p := range props {
		if p.required() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// isNested reports whether an object property is a nested resource declaration.
func isNested(p *node) bool {
	return len(p.Children) > 0 && p.Children[0].is("resource_declaration")
}

// nestedResources lists the resource declarations nested in a resource body.
func nestedResources(body *node) []*node {
	var out []*node
	if body == nil {
		return nil
	}
	for _, p := range body.Children {
		if p.is("object_property") && isNested(p) {
			out = append(out, p.Children[0])
		}
	}
	return out
}

// arrayItems lists the items of an array literal, or the item a for expression produces, looking
// through its `if (...)` condition.
func arrayItems(v *node) []*node {
	switch {
	case v.is("array"):
		var items []*node
		for _, c := range v.Children {
			if c != nil && c.Type != "comment" {
				items = append(items, c)
			}
		}
		return items
	case v.is("for_statement"):
		b := v.loopBody()
		if b.is("if_statement") {
			b = b.child("object")
		}
		if b != nil {
			return []*node{b}
		}
	}
	return nil
}

// plainString returns the content of a string literal without interpolation.
func plainString(n *node) (string, bool) {
	if !n.is("string") {
		return "", false
	}
	for _, c := range n.Children {
		if c == nil || (c.Type != "string_content" && c.Type != "escape_sequence") {
			return "", false
		}
	}
	return n.literal(), true
}

// keyText is an object property's key as written.
func keyText(p *node) string {
	if name := p.name(); name != "" {
		return name
	}
	if len(p.Children) > 0 && p.Children[0] != nil {
		return p.Children[0].Text
	}
	return "?"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func quoteAll(values []string) string {
	const most = 12
	var b strings.Builder
	for i, v := range values {
		if i == most {
			fmt.Fprintf(&b, ", … (%d more)", len(values)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + v + "'")
	}
	return b.String()
}

// suggest names the property of props that key most likely misspells, as " (did you mean x?)", or
// returns "".
func suggest(key string, props map[string]azProp) string {
	best, bestDist := "", 3 // farther than two edits is no longer a typo
	for _, name := range slices.Sorted(maps.Keys(props)) {
		d := editDistance(strings.ToLower(key), strings.ToLower(name))
		if strings.EqualFold(key, name) {
			d = 0
		}
		if d < bestDist && !props[name].readOnly() {
			best, bestDist = name, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TestTypesRule checks that the types rule reports each mistake in testdata/bad/types.bicep on its
// line, naming the property or version, and nothing else there: the parameter, the map keys and
// the nested resource in that file are valid.
func TestTypesRule(t *testing.T) {
	const path = "testdata/bad/types.bicep"
	var got []finding
	for _, f := range lint([]string{path}, allTrees(t)) {
		if f.Rule == "types" {
			got = append(got, f)
		}
	}
	tests := []struct {
		name string
		row  int
		want string // a substring of the message
	}{
		{"property name typo", 21, "properties.retentionInDayz is not a property of this type (did you mean retentionInDays?)"},
		{"read-only property", 35, "userAssignedIdentities@2024-11-30: properties.principalId is read-only"},
		{"API version that does not exist", 39, "userAssignedIdentities@2099-01-01: no such API version in the vendored types, which have 2024-11-30"},
		{"typo in a for expression's item", 52, "properties.locations[].failoverPriorty is not a property of this type (did you mean failoverPriority?)"},
		{"string literal outside an enum", 55, "properties.networkAclBypass is 'All', want one of 'None', 'AzureServices'"},
		{"typo in a discriminated object's variant", 59, "properties.backupPolicy.periodicModeProperties.backupIntervalInMinute is not a property of this type"},
		{"missing required property in a nested resource", 69, "sqlDatabases@2026-03-15: required property properties.resource.id is not set"},
		{"existing resource with a property", 76, "existing resource sets location"},
		{"typo in a ternary's parenthesized branch", 88, "properties.retentionDays is not a property of this type (did you mean retentionInDays?)"},
	}
	for _, tt := range tests {
		found := slices.ContainsFunc(got, func(f finding) bool {
			return f.Row == tt.row && strings.Contains(f.Msg, tt.want)
		})
		if !found {
			t.Errorf("%s: no finding at %s:%d containing %q", tt.name, path, tt.row, tt.want)
		}
	}
	if len(got) != len(tests) {
		t.Errorf("got %d findings, want %d:", len(got), len(tests))
		for _, f := range got {
			t.Log(f)
		}
	}
}

// TestAPIVersionsVendored checks the api-version allow-list against the vendored types: each
// pinned version exists there and is the newest stable one they know (a preview only where they
// have no stable version).
func TestAPIVersionsVendored(t *testing.T) {
	types, err := vendoredTypes()
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range slices.Sorted(maps.Keys(apiVersions)) {
		pinned := apiVersions[typ]
		if types.resource(typ, pinned) == nil {
			t.Errorf("%s@%s is not in %s", typ, pinned, typesDir)
			continue
		}
		if want := newestVersion(types.versions[strings.ToLower(typ)]); pinned != want {
			t.Errorf("%s: allow-list pins %s, the newest stable version in %s is %s", typ, pinned, typesDir, want)
		}
	}
}

func TestParseTypes(t *testing.T) {
	const src = `[
		{"$type": "StringType"},
		{"$type": "StringLiteralType", "value": "A"},
		{"$type": "UnionType", "elements": [{"$ref": "#/1"}, {"$ref": "#/0"}]},
		{"$type": "ObjectType", "name": "body", "properties": {
			"name": {"type": {"$ref": "#/0"}, "flags": 9},
			"id": {"type": {"$ref": "#/0"}, "flags": 10},
			"kind": {"type": {"$ref": "#/2"}, "flags": 0}
		}, "additionalProperties": {"$ref": "#/0"}},
		{"$type": "ResourceType", "name": "Test.Rp/things@2020-01-01", "body": {"$ref": "#/3"}}
	]`
	resources, err := parseTypes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	body := resources["Test.Rp/things@2020-01-01"].body
	if body == nil || body.kind != "ObjectType" || body.additional == nil || body.additional.kind != "StringType" {
		t.Fatalf("body: got %+v", body)
	}
	props := []struct {
		name               string
		required, readOnly bool
		kind               string
	}{
		{"name", true, false, "StringType"},
		{"id", false, true, "StringType"},
		{"kind", false, false, "UnionType"},
	}
	for _, tt := range props {
		p := body.props[tt.name]
		if p.required() != tt.required || p.readOnly() != tt.readOnly || p.typ == nil || p.typ.kind != tt.kind {
			t.Errorf("%s: got required %v, read-only %v, type %+v; want %v, %v, %s", tt.name, p.required(), p.readOnly(), p.typ, tt.required, tt.readOnly, tt.kind)
		}
	}
	if u := body.props["kind"].typ.union; len(u) != 2 || u[0].value != "A" {
		t.Errorf("union: got %+v", u)
	}

	for _, bad := range []string{`[{"$type": "ArrayType", "itemType": {"$ref": "#/7"}}]`, `[{"$type": "ArrayType", "itemType": {"$ref": "other.json#/0"}}]`, `{}`} {
		if _, err := parseTypes([]byte(bad)); err == nil {
			t.Errorf("parseTypes(%s): no error", bad)
		}
	}
}

func TestNewestVersion(t *testing.T) {
	tests := []struct {
		versions []string
		want     string
	}{
		{[]string{"2024-11-01", "2026-02-01", "2025-01-01"}, "2026-02-01"},
		{[]string{"2024-11-01", "2027-01-01-preview"}, "2024-11-01"},
		{[]string{"2021-05-01-preview", "2017-05-01-beta"}, "2021-05-01-preview"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := newestVersion(tt.versions); got != tt.want {
			t.Errorf("newestVersion(%v) = %q, want %q", tt.versions, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	props := map[string]azProp{
		"retentionInDays": {},
		"location":        {},
		"primaryEndpoint": {flags: flagReadOnly},
	}
	tests := []struct{ key, want string }{
		{"retentionInDayz", " (did you mean retentionInDays?)"},
		{"Location", " (did you mean location?)"},
		{"primaryEndpoints", ""}, // read-only properties are not suggested
		{"somethingElse", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.key, props); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"failoverPriorty", "failoverPriority", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
