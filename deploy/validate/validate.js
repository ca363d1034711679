'use strict';
// Offline validation of Candor's deployment files (run by scripts/validate-deploy.sh):
//  1. deploy/k8s/base/kafka/topics.txt against libs/events/topics.h;
//  2. each kustomization (base, overlays/local) rendered by render.js, every object validated
//     against the Kubernetes OpenAPI schemas (npm kubernetes-models) and for unknown fields
//     (fields.js, from the same package's type declarations), then Candor's rules
//     (rules.js); with --kubectl, render.js's output must equal `kubectl kustomize`'s;
//  3. `docker-compose config` output, deploy/prometheus/prometheus.yml and the Dockerfile's
//     targets against the rules;
//  4. compose and every Kubernetes tree run the same Candor services on the same topics, and
//     the same reconciliation one-shots (compose profile, scheduled CronJobs).
//
//   node validate.js --repo ROOT --compose-config FILE [--kubectl BIN] [--out DIR]

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');
const { render } = require('./render');
const { unknownFields } = require('./fields');
const rules = require('./rules');

const TREES = ['deploy/k8s/base', 'deploy/k8s/overlays/local'];

// Validates one object against its Kubernetes schema; returns error strings.
function schemaErrors(o) {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  let module;
  try {
    module = require(`kubernetes-models/${group ? `${group}/` : ''}${version}`);
  } catch (e) {
    return [`${o.kind} ${o.metadata.name}: unknown apiVersion ${o.apiVersion}`];
  }
  const Model = module[o.kind];
  if (!Model) return [`${o.kind} ${o.metadata.name}: no kind ${o.kind} in ${o.apiVersion}`];
  const errors = [];
  try {
    new Model(o).validate();
  } catch (e) {
    errors.push(`${o.kind} ${o.metadata.name}: schema: ${e.message}`);
  }
  const unknown = unknownFields(o);
  if (unknown === null) {
    errors.push(`${o.kind} ${o.metadata.name}: no type declaration for ${o.apiVersion} ${o.kind}`);
  } else {
    errors.push(...unknown.map((e) => `${o.kind} ${o.metadata.name}: ${e}`));
  }
  return errors;
}

// Objects in a stable form (keys sorted, objects ordered by kind and name) for comparing two
// renderings.
function canonical(objects) {
  const sortKeys = (v) => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
    }
    return v;
  };
  return objects.map(sortKeys).sort((a, b) =>
    `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['repo', 'compose-config', 'kubectl', 'out'].includes(key) || argv[i + 1] === undefined) {
      throw new Error(`usage: node validate.js --repo ROOT --compose-config FILE ` +
                      `[--kubectl BIN] [--out DIR] (bad argument ${argv[i]})`);
    }
    args[key] = argv[i + 1];
  }
  if (!args.repo || !args['compose-config']) throw new Error('--repo and --compose-config are required');
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const repo = path.resolve(args.repo);
  const errors = [];
  const report = (label, list) => {
    process.stderr.write(`validate: ${label}: ${list.length === 0 ? 'ok' : `${list.length} problem(s)`}\n`);
    errors.push(...list);
  };

  const { topics, errors: topicErrors } = rules.parseTopics(
    fs.readFileSync(path.join(repo, 'deploy/k8s/base/kafka/topics.txt'), 'utf8'));
  report('topics.txt', [...topicErrors, ...rules.checkTopicsAgainstHeader(
    topics, fs.readFileSync(path.join(repo, 'libs/events/topics.h'), 'utf8'))]);

  const compose = YAML.parse(fs.readFileSync(args['compose-config'], 'utf8'));
  const prometheus = YAML.parse(
    fs.readFileSync(path.join(repo, 'deploy/prometheus/prometheus.yml'), 'utf8'));
  const composeResult = rules.checkCompose(compose, prometheus, topics);
  report('docker-compose.yml rules', composeResult.errors);
  report('Dockerfile targets', rules.checkDockerfile(
    fs.readFileSync(path.join(repo, 'Dockerfile'), 'utf8'), compose));

  for (const tree of TREES) {
    let objects;
    try {
      objects = render(path.join(repo, tree));
    } catch (e) {
      report(`${tree} render`, [e.message]);
      continue;
    }
    if (args.out) {
      const file = path.join(args.out, `${tree.replace(/\//g, '_')}.yaml`);
      fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join('---\n'));
    }
    report(`${tree} schemas (${objects.length} objects)`, objects.flatMap(schemaErrors));
    const k8s = rules.checkK8s(objects, topics);
    report(`${tree} rules`, k8s.errors);
    report(`${tree} vs compose`, [
      ...rules.checkParity(composeResult.services, k8s.services, tree),
      ...rules.checkOneShotParity(composeResult.oneShots, k8s.oneShots, tree),
    ]);
    if (args.kubectl) {
      const theirs = YAML.parseAllDocuments(
        execFileSync(args.kubectl, ['kustomize', path.join(repo, tree)], { encoding: 'utf8' }))
        .map((d) => d.toJS()).filter(Boolean);
      const a = JSON.stringify(canonical(objects));
      const b = JSON.stringify(canonical(theirs));
      report(`${tree} render.js == ${args.kubectl} kustomize`,
             a === b ? [] : [`${tree}: render.js and kubectl kustomize disagree ` +
                             `(compare node deploy/validate/render.js ${tree} with kubectl kustomize ${tree})`]);
    }
  }

  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`  ${e}\n`);
    process.stderr.write(`validate: FAILED with ${errors.length} problem(s)\n`);
    process.exit(1);
  }
  process.stderr.write('validate: all deployment checks hold\n');
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`validate: ${e.message}\n`);
    process.exit(1);
  }
}

module.exports = { schemaErrors, canonical };
