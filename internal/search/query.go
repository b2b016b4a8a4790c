// Package search parses the search box's text into a query that backends render into their own
// full-text syntax. Users never write backend syntax: every term is data.
package search

import (
	"iter"
	"slices"
	"time"
)

// Query is a parsed search: the documents that match Root and pass every filter.
type Query struct {
	Root   *Node     // nil: every document that passes the filters
	Types  []string  // the document is of one of these kinds (type:), sorted; see MediaTypes
	After  time.Time // dated on or after this day (after:), when set
	Before time.Time // dated before this day (before:), when set
	// Tags are groups of tag names (tag:): the document has at least one tag of every group.
	// Each group is sorted, without repeats; the groups are in the order the query gives them.
	Tags [][]string
}

// Op is what a Node does.
type Op int

// The kinds of Node.
const (
	OpClause Op = iota // matches its Clause
	OpAnd              // matches when every one of its Args does
	OpOr               // matches when any of its Args does
	OpNot              // matches when its one Arg does not
)

// Node is a node of a query's tree. A document matches a clause when one of its pages or its
// name does; operators combine what whole documents match.
type Node struct {
	Op     Op
	Clause Clause  // for OpClause
	Args   []*Node // two or more for OpAnd and OpOr, one for OpNot
}

// Field names a Clause can be limited to.
const (
	FieldAny  = ""     // the text and the name
	FieldName = "name" // the name alone (name:)
)

// Clause is one term, phrase or prefix. A clause of one word that is neither Exact nor a
// Prefix matches the word's stems (see Variants); a phrase of several words is always exact.
type Clause struct {
	Words  []string // one word, or the words of a phrase in order
	Prefix bool     // the last word matches as a prefix ("invo*")
	Exact  bool     // the words match only themselves, not their stems ("invoices")
	Field  string   // FieldAny or FieldName
}

// Stemmed reports whether c matches its word's stems: a bare word, not quoted or a prefix.
func (c Clause) Stemmed() bool {
	return len(c.Words) == 1 && !c.Exact && !c.Prefix
}

// Empty reports whether q asks for nothing: no clause and no filter.
func (q Query) Empty() bool {
	return q.Root == nil && !q.Filtered()
}

// Filtered reports whether q has a filter.
func (q Query) Filtered() bool {
	return len(q.Types) > 0 || !q.After.IsZero() || !q.Before.IsZero() || len(q.Tags) > 0
}

// Clauses yields the clauses of q's tree, each with whether it sits under an odd number of
// OpNot nodes: whether a document that matches it is, by it, less likely to match.
func (q Query) Clauses() iter.Seq2[Clause, bool] {
	return func(yield func(Clause, bool) bool) {
		q.Root.walk(false, yield)
	}
}

func (n *Node) walk(not bool, yield func(Clause, bool) bool) bool {
	if n == nil {
		return true
	}
	switch n.Op {
	case OpClause:
		return yield(n.Clause, not)
	case OpNot:
		not = !not
	}
	for _, a := range n.Args {
		if !a.walk(not, yield) {
			return false
		}
	}
	return true
}

// Leaf returns a node of the clause c.
func Leaf(c Clause) *Node { return &Node{Op: OpClause, Clause: c} }

// And returns a node that matches when all of args do: nil for none, the one for one, and
// nested OpAnd nodes flattened. Nil args are left out.
func And(args ...*Node) *Node { return join(OpAnd, args) }

// Or returns a node that matches when any of args does, as And does for OpAnd.
func Or(args ...*Node) *Node { return join(OpOr, args) }

// Not returns a node that matches when n does not: nil for nil, and n's operand when n is
// itself an OpNot.
func Not(n *Node) *Node {
	switch {
	case n == nil:
		return nil
	case n.Op == OpNot:
		return n.Args[0]
	}
	return &Node{Op: OpNot, Args: []*Node{n}}
}

func join(op Op, args []*Node) *Node {
	var flat []*Node
	for _, a := range args {
		switch {
		case a == nil:
		case a.Op == op:
			flat = append(flat, a.Args...)
		default:
			flat = append(flat, a)
		}
	}
	switch len(flat) {
	case 0:
		return nil
	case 1:
		return flat[0]
	}
	return &Node{Op: op, Args: slices.Clip(flat)}
}

// Map returns a copy of n with each clause replaced by f's node for it, which may be nil to
// leave the clause out; operators left with nothing go too.
func (n *Node) Map(f func(Clause) *Node) *Node {
	if n == nil {
		return nil
	}
	switch n.Op {
	case OpClause:
		return f(n.Clause)
	case OpNot:
		return Not(n.Args[0].Map(f))
	}
	args := make([]*Node, 0, len(n.Args))
	for _, a := range n.Args {
		args = append(args, a.Map(f))
	}
	return join(n.Op, args)
}

// Kinds of document that type: names, and their media types.
var kinds = map[string][]string{
	"pdf":   {"application/pdf"},
	"png":   {"image/png"},
	"jpeg":  {"image/jpeg"},
	"tiff":  {"image/tiff"},
	"image": {"image/png", "image/jpeg", "image/tiff"},
}

// kindAliases are other spellings of kinds.
var kindAliases = map[string]string{"jpg": "jpeg", "tif": "tiff", "images": "image", "picture": "image"}

// MediaTypes returns the media types of q's Types, sorted; nil when q has no type filter.
func (q Query) MediaTypes() []string {
	var out []string
	for _, t := range q.Types {
		for _, m := range kinds[t] {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	slices.Sort(out)
	return out
}
