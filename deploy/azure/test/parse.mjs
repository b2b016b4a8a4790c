// parse.mjs prints the syntax trees of the Bicep files named on the command line as one JSON
// document, {"files": [{"path", "root"}]}, for the Go test in deploy/azure to assert on. A node is
// {type, field, text, row, col, missing, children}; only named nodes (and ERROR/MISSING) are kept.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Parser, Language } from "web-tree-sitter";

const require = createRequire(import.meta.url);

function convert(cursor, field) {
  const n = cursor.currentNode;
  const out = { type: n.type, text: n.text, row: n.startPosition.row + 1, col: n.startPosition.column + 1 };
  if (field) out.field = field;
  if (n.isMissing) out.missing = true;
  const children = [];
  if (cursor.gotoFirstChild()) {
    do {
      const c = cursor.currentNode;
      if (c.isNamed || c.isMissing || c.type === "ERROR") {
        children.push(convert(cursor, cursor.currentFieldName));
      }
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  if (children.length > 0) out.children = children;
  return out;
}

await Parser.init();
const grammar = require.resolve("tree-sitter-bicep/tree-sitter-bicep.wasm");
const parser = new Parser();
parser.setLanguage(await Language.load(grammar));
const files = [];
for (const path of process.argv.slice(2)) {
  const tree = parser.parse(readFileSync(path, "utf8"));
  files.push({ path, root: convert(tree.walk(), null) });
}
process.stdout.write(JSON.stringify({ files }));
