'use strict';
// Unknown-field check: the JSON-schema validators of kubernetes-models accept fields the API does
// not have (as the API server does without --validate=strict), so a misspelt `mountpath` or
// `ttlSecondsAfterFinish` would pass them. This walks an object along the TypeScript declarations
// kubernetes-models ships (one interface per API type, `"field"?: Type;` per member) and names
// every field that its type does not declare. Map-typed fields (labels, annotations, data,
// resources.limits ...) and scalar aliases (Quantity, IntOrString) are not descended into.

const fs = require('fs');
const path = require('path');

const cache = new Map();  // .d.ts path -> { name, fields: Map(field -> type text), imports }

function parseDeclarations(file) {
  if (cache.has(file)) return cache.get(file);
  const text = fs.readFileSync(file, 'utf8');
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1], m[2]);
  const head = /^export interface (\w+)(?: extends ([\w, ]+))? \{$/m.exec(text);
  let result = null;
  if (head) {
    const fields = new Map();
    if ((head[2] || '').includes('TypeMeta')) {
      fields.set('apiVersion', 'string');
      fields.set('kind', 'string');
    }
    const body = text.slice(head.index + head[0].length);
    for (const line of body.split('\n')) {
      if (line === '}') break;
      const m = /^ {4}"([^"]+)"\??: (.*?);?$/.exec(line);
      if (m) fields.set(m[1], m[2]);
    }
    result = { name: head[1].replace(/^I/, ''), fields, imports, file };
  }
  cache.set(file, result);
  return result;
}

// The declaration file of an imported type, or null for a scalar alias or an unknown type.
function resolveType(decl, typeText) {
  let t = typeText.trim();
  const array = /^Array<(.+)>$/.exec(t);
  if (array) t = array[1];
  const spec = decl.imports.get(t);
  if (!spec) return null;  // string, number, boolean, an inline map type, ...
  let js;
  try {
    js = require.resolve(spec, { paths: [path.dirname(decl.file)] });
  } catch (e) {
    return null;
  }
  const file = js.replace(/\.(c|m)?js$/, '.d.ts');
  const target = fs.existsSync(file) ? parseDeclarations(file) : null;
  return target;  // null for a `declare type` alias (Quantity, IntOrString, ...)
}

function walk(value, decl, where, errors) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, decl, `${where}[${i}]`, errors));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const type = decl.fields.get(key);
    const at = where ? `${where}.${key}` : key;
    if (type === undefined) {
      errors.push(`${at} is not a field of ${decl.name}`);
      continue;
    }
    const childDecl = resolveType(decl, type);
    if (childDecl) walk(child, childDecl, at, errors);
  }
}

// The unknown fields of a Kubernetes object, as "path is not a field of Type" strings; null when
// kubernetes-models has no declaration for its apiVersion and kind.
function unknownFields(o) {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  let file;
  try {
    file = require.resolve(`kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`)
      .replace(/\.(c|m)?js$/, '.d.ts');
  } catch (e) {
    return null;
  }
  const decl = fs.existsSync(file) ? parseDeclarations(file) : null;
  if (!decl) return null;
  const errors = [];
  walk(o, decl, '', errors);
  return errors;
}

module.exports = { unknownFields };
