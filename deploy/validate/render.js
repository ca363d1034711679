'use strict';
// Renders a kustomization directory offline, as `kubectl kustomize DIR` does, for the subset of
// kustomize that deploy/k8s uses: resources (files and directories), namespace, labels (pairs on
// metadata.labels), configMapGenerator (files, no name hash), patches (strategic-merge files) and
// images. Debian 12 packages no kustomize (its kubernetes-client is kubectl 1.20 with kustomize
// 2.0), so CI renders with this; scripts/validate-deploy.sh compares it with `kubectl kustomize`
// wherever a current kubectl is installed. Anything outside the subset is an error, never
// silently ignored.
//
//   node render.js DIR            # prints the rendered objects as a YAML stream

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const KUSTOMIZATION_KEYS = new Set([
  'apiVersion', 'kind', 'resources', 'namespace', 'labels', 'configMapGenerator', 'patches',
  'images',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding',
  'CustomResourceDefinition', 'PriorityClass',
]);
// Strategic-merge keys of the lists deploy/k8s patches (Kubernetes' patchMergeKey); any other
// list is replaced by the patch's, as kustomize does for lists without a merge key.
const MERGE_KEYS = {
  containers: 'name', initContainers: 'name', env: 'name', volumes: 'name',
  volumeMounts: 'mountPath',
};

function fail(message) {
  throw new Error(`render: ${message}`);
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone(v) {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

// Every YAML document of a file, parsed; a syntax error names the file.
function readDocuments(file) {
  const text = fs.readFileSync(file, 'utf8');
  const docs = YAML.parseAllDocuments(text);
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) fail(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value) || !value.kind || !value.apiVersion || !isObject(value.metadata) ||
        !value.metadata.name) {
      fail(`${file}: every document needs apiVersion, kind and metadata.name`);
    }
    out.push(value);
  }
  return out;
}

// A strategic merge of `patch` into `base` (both plain JSON values); returns the result.
function strategicMerge(base, patch, field) {
  if (isObject(base) && isObject(patch)) {
    const out = clone(base);
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = strategicMerge(out[key], value, key);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    let key = MERGE_KEYS[field];
    if (field === 'ports') key = patch.every((p) => 'containerPort' in p) ? 'containerPort' : 'port';
    if (key && patch.every((p) => isObject(p) && key in p)) {
      // As kustomize orders a merged list: the patch's items first (merged with the base's item
      // of the same key), then the base's other items in their order.
      const out = patch.map((item) => {
        const b = base.find((x) => isObject(x) && x[key] === item[key]);
        return b ? strategicMerge(b, item, undefined) : clone(item);
      });
      const patched = new Set(patch.map((item) => item[key]));
      out.push(...base.filter((x) => !(isObject(x) && patched.has(x[key]))).map(clone));
      return out;
    }
  }
  return clone(patch);
}

function podSpecs(obj) {
  const spec = obj.spec || {};
  if (obj.kind === 'CronJob') return [spec.jobTemplate?.spec?.template?.spec].filter(Boolean);
  if (obj.kind === 'Pod') return [spec];
  return [spec.template?.spec].filter(Boolean);
}

function setImage(image, rule) {
  const at = image.indexOf('@');
  const bare = at >= 0 ? image.slice(0, at) : image;
  const slash = bare.lastIndexOf('/');
  const colon = bare.lastIndexOf(':');
  const name = colon > slash ? bare.slice(0, colon) : bare;
  if (name !== rule.name) return image;
  const tag = colon > slash ? bare.slice(colon) : '';
  const newName = rule.newName || name;
  if (rule.digest) return `${newName}@${rule.digest}`;
  return `${newName}${rule.newTag ? `:${rule.newTag}` : tag}`;
}

// Renders the kustomization in `dir` into a list of objects.
function render(dir) {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) fail(`${dir}: no kustomization.yaml`);
  const k = YAML.parse(fs.readFileSync(file, 'utf8')) || {};
  for (const key of Object.keys(k)) {
    if (!KUSTOMIZATION_KEYS.has(key)) {
      fail(`${file}: '${key}' is outside the subset render.js implements ` +
           `(${[...KUSTOMIZATION_KEYS].join(', ')})`);
    }
  }
  let objects = [];
  for (const resource of k.resources || []) {
    const p = path.resolve(dir, resource);
    if (!fs.existsSync(p)) fail(`${file}: resource ${resource} does not exist`);
    if (fs.statSync(p).isDirectory()) objects.push(...render(p));
    else objects.push(...readDocuments(p));
  }
  for (const gen of k.configMapGenerator || []) {
    for (const key of Object.keys(gen)) {
      if (!['name', 'files', 'options'].includes(key)) {
        fail(`${file}: configMapGenerator '${key}' is not implemented (name, files, options)`);
      }
    }
    if (!gen.options || gen.options.disableNameSuffixHash !== true ||
        Object.keys(gen.options).length !== 1) {
      fail(`${file}: configMapGenerator ${gen.name} needs options.disableNameSuffixHash: true ` +
           '(render.js does not compute name hashes)');
    }
    const data = {};
    for (const entry of gen.files || []) {
      const eq = entry.indexOf('=');
      const key = eq >= 0 ? entry.slice(0, eq) : path.basename(entry);
      const source = path.resolve(dir, eq >= 0 ? entry.slice(eq + 1) : entry);
      if (path.relative(dir, source).startsWith('..')) {
        fail(`${file}: ${entry} is outside the kustomization's directory (kustomize refuses it)`);
      }
      data[key] = fs.readFileSync(source, 'utf8');
    }
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: gen.name }, data });
  }
  for (const patch of k.patches || []) {
    if (!patch.path || Object.keys(patch).length !== 1) {
      fail(`${file}: only patches with a path (a strategic-merge file) are implemented`);
    }
    for (const doc of readDocuments(path.resolve(dir, patch.path))) {
      const i = objects.findIndex((o) => o.kind === doc.kind &&
                                         o.metadata.name === doc.metadata.name);
      if (i < 0) fail(`${patch.path}: no ${doc.kind} ${doc.metadata.name} to patch`);
      objects[i] = strategicMerge(objects[i], doc, undefined);
    }
  }
  if (k.namespace) {
    for (const o of objects) {
      if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    }
  }
  for (const label of k.labels || []) {
    for (const key of Object.keys(label)) {
      if (key !== 'pairs' && !(['includeSelectors', 'includeTemplates'].includes(key) &&
                               label[key] === false)) {
        fail(`${file}: labels '${key}' is not implemented (pairs on metadata.labels only)`);
      }
    }
    for (const o of objects) o.metadata.labels = { ...(o.metadata.labels || {}), ...label.pairs };
  }
  for (const rule of k.images || []) {
    for (const o of objects) {
      for (const spec of podSpecs(o)) {
        for (const c of [...(spec.containers || []), ...(spec.initContainers || [])]) {
          c.image = setImage(c.image, rule);
        }
      }
    }
  }
  return objects;
}

module.exports = { render, strategicMerge };

if (require.main === module) {
  if (process.argv.length !== 3) {
    process.stderr.write('usage: node render.js KUSTOMIZATION_DIR\n');
    process.exit(2);
  }
  try {
    const objects = render(path.resolve(process.argv[2]));
    process.stdout.write(objects.map((o) => YAML.stringify(o)).join('---\n'));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
