'use strict';
// The checks of scripts/validate-deploy.sh can fail: the committed files pass, and each broken
// copy (made in memory from the committed files) is rejected with a message naming the problem.
//   cd deploy/validate && node --test test/validate.test.js

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const YAML = require('yaml');
const { render, strategicMerge } = require('../render');
const rules = require('../rules');
const { schemaErrors } = require('../validate');

const repo = path.resolve(__dirname, '../../..');
const topicsText = fs.readFileSync(path.join(repo, 'deploy/k8s/base/kafka/topics.txt'), 'utf8');
const { topics } = rules.parseTopics(topicsText);
const header = fs.readFileSync(path.join(repo, 'libs/events/topics.h'), 'utf8');
// docker-compose.yml as written (anchors merged; ${...} left as text, which the rules tolerate).
const compose = YAML.parse(fs.readFileSync(path.join(repo, 'docker-compose.yml'), 'utf8'),
                           { merge: true });
const prometheus = YAML.parse(
  fs.readFileSync(path.join(repo, 'deploy/prometheus/prometheus.yml'), 'utf8'));

const fresh = (tree = 'deploy/k8s/base') => render(path.join(repo, tree));
const find = (objects, kind, name) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const container = (objects, name) => find(objects, 'Deployment', name).spec.template.spec.containers[0];
const k8sErrors = (objects) => rules.checkK8s(objects, topics).errors;
const clone = (v) => JSON.parse(JSON.stringify(v));

function assertRejected(errors, pattern) {
  assert.ok(errors.some((e) => pattern.test(e)),
            `expected an error matching ${pattern}, got:\n${errors.join('\n') || '(none)'}`);
}

test('the committed base and local overlay pass schemas and rules', () => {
  for (const tree of ['deploy/k8s/base', 'deploy/k8s/overlays/local']) {
    const objects = fresh(tree);
    assert.deepEqual(objects.flatMap(schemaErrors), [], tree);
    assert.deepEqual(k8sErrors(objects), [], tree);
  }
});

test('the committed compose file, Prometheus config and topics pass', () => {
  const c = rules.checkCompose(compose, prometheus, topics);
  assert.deepEqual(c.errors, []);
  assert.deepEqual(rules.checkTopicsAgainstHeader(topics, header), []);
  const k8s = rules.checkK8s(fresh(), topics);
  assert.deepEqual(rules.checkParity(c.services, k8s.services, 'base'), []);
  assert.deepEqual(rules.checkOneShotParity(c.oneShots, k8s.oneShots, 'base'), []);
  assert.deepEqual([...c.oneShots.keys()].sort(),
                   ['helpfulness-ranker --check', 'index-writer --check', 'rating-aggregator --repair']);
});

test('a container without probes is rejected', () => {
  const objects = fresh();
  delete container(objects, 'fraud-scorer').livenessProbe;
  delete container(objects, 'rating-aggregator').readinessProbe;
  const errors = k8sErrors(objects);
  assertRejected(errors, /Deployment fraud-scorer container fraud-scorer: no livenessProbe/);
  assertRejected(errors, /Deployment rating-aggregator container rating-aggregator: no readinessProbe/);
});

test('the gateway without a native gRPC probe is rejected', () => {
  const objects = fresh();
  container(objects, 'review-gateway').readinessProbe = { httpGet: { path: '/readyz', port: 'admin' } };
  assertRejected(k8sErrors(objects), /review-gateway: serves gRPC but has no native grpc probe/);
});

test('missing requests or limits, and requests above limits, are rejected', () => {
  const objects = fresh();
  delete container(objects, 'helpfulness-ranker').resources.limits;
  container(objects, 'index-writer').resources.requests.memory = '4Gi';
  const errors = k8sErrors(objects);
  assertRejected(errors, /helpfulness-ranker: no resources\.limits\.cpu/);
  assertRejected(errors, /helpfulness-ranker: no resources\.limits\.memory/);
  assertRejected(errors, /index-writer: resources\.requests\.memory exceeds its limit/);
});

test('root, a writable root filesystem or privilege escalation is rejected', () => {
  const objects = fresh();
  const gw = find(objects, 'Deployment', 'review-gateway');
  gw.spec.template.spec.securityContext.runAsNonRoot = false;
  gw.spec.template.spec.containers[0].securityContext.runAsNonRoot = false;
  const fs1 = container(objects, 'fraud-scorer');
  fs1.securityContext.readOnlyRootFilesystem = false;
  // The writable-root exemption is for third-party images only.
  find(objects, 'Deployment', 'fraud-scorer').spec.template.metadata.annotations[
    'candor.dev/writable-root'] = 'because';
  delete container(objects, 'rating-aggregator').securityContext.allowPrivilegeEscalation;
  const errors = k8sErrors(objects);
  assertRejected(errors, /review-gateway: runAsNonRoot is not true/);
  assertRejected(errors, /fraud-scorer: readOnlyRootFilesystem is not true/);
  assertRejected(errors, /rating-aggregator: allowPrivilegeEscalation is not false/);
});

test('a third-party writable root needs its reason annotation', () => {
  const objects = fresh('deploy/k8s/overlays/local');
  delete find(objects, 'Deployment', 'kafka').spec.template.metadata.annotations[
    'candor.dev/writable-root'];
  assertRejected(k8sErrors(objects), /Deployment kafka container kafka: readOnlyRootFilesystem/);
});

test('a read-only Candor container without an emptyDir /tmp is rejected', () => {
  const objects = fresh();
  const c = container(objects, 'rating-aggregator');
  c.volumeMounts = c.volumeMounts.filter((m) => m.mountPath !== '/tmp');
  assertRejected(k8sErrors(objects), /rating-aggregator: read-only root needs an emptyDir on \/tmp/);
});

test('a consumer HPA above its topic\'s partitions is rejected', () => {
  const objects = fresh();
  find(objects, 'HorizontalPodAutoscaler', 'helpfulness-ranker').spec.maxReplicas =
    topics.get('helpful-votes') + 1;
  assertRejected(k8sErrors(objects),
                 /HorizontalPodAutoscaler helpfulness-ranker: maxReplicas 7 exceeds the 6 partitions of helpful-votes/);
  // ... and so is lowering a topic's partitions below the HPA in topics.txt.
  const fewer = new Map(topics);
  fewer.set('review-submissions', 2);
  assertRejected(rules.checkK8s(fresh(), fewer).errors,
                 /fraud-scorer: maxReplicas 6 exceeds the 2 partitions of review-submissions/);
});

test('a consumer or the gateway without an HPA, or a Deployment without a PDB, is rejected', () => {
  const objects = fresh().filter((o) => !(o.kind === 'HorizontalPodAutoscaler' &&
                                          o.metadata.name === 'fraud-scorer') &&
                                        !(o.kind === 'PodDisruptionBudget' &&
                                          o.metadata.name === 'review-gateway'));
  const errors = k8sErrors(objects);
  assertRejected(errors, /Deployment fraud-scorer: no HorizontalPodAutoscaler/);
  assertRejected(errors, /Deployment review-gateway: no PodDisruptionBudget/);
});

test('a PodDisruptionBudget that blocks every drain, or sets both bounds, is rejected', () => {
  const objects = fresh();
  find(objects, 'HorizontalPodAutoscaler', 'review-gateway').spec.minReplicas = 1;
  find(objects, 'PodDisruptionBudget', 'fraud-scorer').spec.minAvailable = 1;
  const errors = k8sErrors(objects);
  assertRejected(errors, /PodDisruptionBudget review-gateway: minAvailable 1 with as few as 1 replica\(s\) of Deployment review-gateway blocks every node drain/);
  assertRejected(errors, /PodDisruptionBudget fraud-scorer: sets both minAvailable and maxUnavailable/);
});

test('a second index writer is rejected', () => {
  const objects = fresh();
  const iw = find(objects, 'Deployment', 'index-writer');
  iw.spec.replicas = 2;
  iw.spec.strategy = { type: 'RollingUpdate' };
  const hpa = clone(find(objects, 'HorizontalPodAutoscaler', 'rating-aggregator'));
  hpa.metadata.name = 'index-writer';
  hpa.spec.scaleTargetRef.name = 'index-writer';
  objects.push(hpa);
  const errors = k8sErrors(objects);
  assertRejected(errors, /index-writer: replicas must be 1/);
  assertRejected(errors, /index-writer: strategy must be Recreate/);
  assertRejected(errors, /HorizontalPodAutoscaler index-writer: index-writer must not be autoscaled/);
});

test('secrets: a committed Secret or another secret name is rejected', () => {
  const objects = fresh();
  objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'candor-secrets' },
                 stringData: { CANDOR_JWT_SECRET: 'x' } });
  container(objects, 'review-gateway').env[0].valueFrom.secretKeyRef.name = 'jwt';
  const errors = k8sErrors(objects);
  assertRejected(errors, /Secret candor-secrets: Secrets are created by the operator/);
  assertRejected(errors, /env CANDOR_JWT_SECRET reads secret jwt\/CANDOR_JWT_SECRET/);
});

test('a wrong admin port or a missing Prometheus annotation is rejected', () => {
  const objects = fresh();
  const c = container(objects, 'index-writer');
  c.args = c.args.map((a) => (a.startsWith('--admin-port=') ? '--admin-port=9999' : a));
  delete find(objects, 'Deployment', 'rating-aggregator').spec.template.metadata.annotations[
    'prometheus.io/scrape'];
  const errors = k8sErrors(objects);
  assertRejected(errors, /index-writer: --admin-port=9999, the convention for index-writer is 9464/);
  assertRejected(errors, /rating-aggregator: prometheus\.io annotations/);
});

test('a manifest the Kubernetes schema refuses is rejected', () => {
  const objects = fresh();
  container(objects, 'review-gateway').ports[0].containerPort = 'fifty';
  delete find(objects, 'Deployment', 'fraud-scorer').spec.selector;
  const errors = objects.flatMap(schemaErrors);
  assertRejected(errors, /Deployment review-gateway: schema: .*containerPort must be integer/);
  assertRejected(errors, /Deployment fraud-scorer: schema: .*must have required property selector/);
  assert.deepEqual(schemaErrors({ apiVersion: 'apps/v9', kind: 'Deployment', metadata: { name: 'x' } }),
                   ['Deployment x: unknown apiVersion apps/v9']);
});

test('a misspelt field anywhere in a manifest is rejected', () => {
  const objects = fresh();
  const c = container(objects, 'index-writer');
  c.volumeMounts[1].mountpath = c.volumeMounts[1].mountPath;
  find(objects, 'Job', 'candor-migrate').spec.ttlSecondsAfterFinish = 60;
  find(objects, 'Deployment', 'review-gateway').spec.template.spec.containers[0]
    .readinessProbe.grpc.servce = 'x';
  const errors = objects.flatMap(schemaErrors);
  assertRejected(errors, /Deployment index-writer: spec\.template\.spec\.containers\[0\]\.volumeMounts\[1\]\.mountpath is not a field of VolumeMount/);
  assertRejected(errors, /Job candor-migrate: spec\.ttlSecondsAfterFinish is not a field of JobSpec/);
  assertRejected(errors, /readinessProbe\.grpc\.servce is not a field of GRPCAction/);
});

test('compose: a service without health check or non-root user, or missing, is rejected', () => {
  const broken = clone(compose);
  delete broken.services['rating-aggregator'].healthcheck;
  broken.services['fraud-scorer'].user = '0';
  delete broken.services['helpfulness-ranker'];
  const c = rules.checkCompose(broken, prometheus, topics);
  assertRejected(c.errors, /compose rating-aggregator: no healthcheck/);
  assertRejected(c.errors, /compose fraud-scorer: user must be a non-root uid/);
  assertRejected(c.errors, /compose: no service runs helpfulness-ranker/);
  assertRejected(rules.checkParity(c.services, rules.checkK8s(fresh(), topics).services, 'base'),
                 /base: Kubernetes runs helpfulness-ranker, compose does not/);
});

test('compose and Kubernetes consuming different topics is rejected', () => {
  const broken = clone(compose);
  broken.services['rating-aggregator'].command = ['--admin-port=9462', '--input-topic=review-scores'];
  const c = rules.checkCompose(broken, prometheus, topics);
  assertRejected(rules.checkParity(c.services, rules.checkK8s(fresh(), topics).services, 'base'),
                 /rating-aggregator consumes review-scores in compose, review-events in Kubernetes/);
});

test('a Prometheus config without a service\'s scrape job is rejected', () => {
  const broken = clone(prometheus);
  broken.scrape_configs = broken.scrape_configs.filter((j) => j.job_name !== 'index-writer');
  assertRejected(rules.checkCompose(compose, broken, topics).errors,
                 /prometheus\.yml: no scrape job index-writer on 9464/);
});

test('the Dockerfile: a missing target, a root user or no health check is rejected', () => {
  const dockerfile = fs.readFileSync(path.join(repo, 'Dockerfile'), 'utf8');
  assert.deepEqual(rules.checkDockerfile(dockerfile, compose), []);
  const broken = dockerfile
    .replace('FROM runtime AS rating-aggregator', 'FROM runtime AS rating-aggregator\nUSER root')
    .replace(/HEALTHCHECK [^\n]*\n[^\n]*9463[^\n]*\n/, '')
    .replace('AS index-writer', 'AS index-writer2');
  const errors = rules.checkDockerfile(broken, compose);
  assertRejected(errors, /Dockerfile rating-aggregator: runs as root/);
  assertRejected(errors, /Dockerfile helpfulness-ranker: no HEALTHCHECK on its admin port 9463/);
  assertRejected(errors, /Dockerfile: no target index-writer/);
  assertRejected(errors, /compose index-writer: builds target index-writer, which the Dockerfile/);
});

test('topics.txt must list every topic of topics.h and its dead-letter topic', () => {
  const fewer = new Map(topics);
  fewer.delete('review-scores.dlq');
  fewer.set('reco-clicks', 3);  // no such topic in topics.h
  const errors = rules.checkTopicsAgainstHeader(fewer, header);
  assertRejected(errors, /review-scores\.dlq \(libs\/events\/topics\.h\) is missing/);
  assertRejected(errors, /reco-clicks is not a topic of libs\/events\/topics\.h/);
  assertRejected(rules.parseTopics('review-events six\n').errors, /topics\.txt:1: want "topic partitions"/);
});

const cronJob = (objects, name) => find(objects, 'CronJob', name);
const cronContainer = (objects, name) =>
  cronJob(objects, name).spec.jobTemplate.spec.template.spec.containers[0];

test('a CronJob that may overlap, start late, retry or hide a failed run is rejected', () => {
  const objects = fresh();
  const ratings = cronJob(objects, 'candor-reconcile-ratings');
  ratings.spec.concurrencyPolicy = 'Allow';
  delete ratings.spec.startingDeadlineSeconds;
  ratings.spec.failedJobsHistoryLimit = 0;
  const votes = cronJob(objects, 'candor-reconcile-votes');
  delete votes.spec.jobTemplate.spec.backoffLimit;
  votes.spec.jobTemplate.spec.template.spec.restartPolicy = 'OnFailure';
  delete votes.spec.successfulJobsHistoryLimit;
  const errors = k8sErrors(objects);
  assertRejected(errors, /CronJob candor-reconcile-ratings: concurrencyPolicy must be Forbid/);
  assertRejected(errors, /CronJob candor-reconcile-ratings: no startingDeadlineSeconds/);
  assertRejected(errors, /CronJob candor-reconcile-ratings: failedJobsHistoryLimit must keep at least one/);
  assertRejected(errors, /CronJob candor-reconcile-votes: no jobTemplate backoffLimit/);
  assertRejected(errors, /CronJob candor-reconcile-votes: restartPolicy must be Never/);
  assertRejected(errors, /CronJob candor-reconcile-votes: no successfulJobsHistoryLimit/);
  // The CronJobs are held to the pod rules of every workload too.
  delete cronContainer(objects, 'candor-reconcile-index').resources.limits;
  cronContainer(objects, 'candor-reconcile-index').securityContext.readOnlyRootFilesystem = false;
  const more = k8sErrors(objects);
  assertRejected(more, /CronJob candor-reconcile-index container reconcile: no resources\.limits\.memory/);
  assertRejected(more, /CronJob candor-reconcile-index container reconcile: readOnlyRootFilesystem/);
});

test('a CronJob of a Candor image runs a one-shot mode with its Deployment\'s flags', () => {
  const objects = fresh();
  // No mode: a second ranker consuming helpful-votes beside the Deployment.
  cronContainer(objects, 'candor-reconcile-votes').args = [];
  // The Deployment's score flag is not passed on: every sort key would read as drift.
  container(objects, 'helpfulness-ranker').args.push('--score-z=2.5');
  cronContainer(objects, 'candor-repair-votes').args.push('--score-z=1.96');
  // A service with no one-shot mode at all.
  cronContainer(objects, 'candor-reconcile-ratings').image = 'candor/fraud-scorer:dev';
  const errors = k8sErrors(objects);
  assertRejected(errors, /CronJob candor-reconcile-votes container reconcile: runs helpfulness-ranker without --check or --repair/);
  assertRejected(errors, /CronJob candor-repair-votes container repair: lacks --score-z=2\.5, which the helpfulness-ranker service is given/);
  assertRejected(errors, /CronJob candor-reconcile-ratings container reconcile: fraud-scorer has no one-shot mode/);
  // --admin-port and --input-topic are the running service's alone.
  assert.ok(!errors.some((e) => /lacks --(admin-port|input-topic)/.test(e)), errors.join('\n'));
});

test('a mode that needs its service stopped is only a suspended CronJob', () => {
  const objects = fresh();
  delete cronJob(objects, 'candor-repair-votes').spec.suspend;
  cronContainer(objects, 'candor-reconcile-index').args = ['--rebuild',
                                                           '--index-dir=/var/lib/candor/search-index'];
  const errors = k8sErrors(objects);
  assertRejected(errors, /CronJob candor-repair-votes container repair: helpfulness-ranker --repair needs helpfulness-ranker stopped; such a CronJob must be suspend: true/);
  assertRejected(errors, /CronJob candor-reconcile-index container reconcile: index-writer --rebuild needs index-writer stopped/);
});

test('a Service selecting a CronJob\'s pods is rejected', () => {
  const objects = fresh();
  // Labels copied from the Deployment would put the check's pod behind the service's Service.
  cronJob(objects, 'candor-reconcile-ratings').spec.jobTemplate.spec.template.metadata.labels[
    'app.kubernetes.io/name'] = 'rating-aggregator';
  assertRejected(k8sErrors(objects),
                 /Service rating-aggregator: its selector matches the pods of CronJob candor-reconcile-ratings/);
});

test('compose: a one-shot outside a profile, restarting or without a mode is rejected', () => {
  const broken = clone(compose);
  delete broken.services['reconcile-ratings'].profiles;
  broken.services['reconcile-votes'].restart = 'unless-stopped';
  delete broken.services['reconcile-votes'].depends_on.migrate;
  broken.services['reconcile-index'].command = ['--index-dir=/var/lib/candor/search-index'];
  const c = rules.checkCompose(broken, prometheus, topics);
  assertRejected(c.errors, /compose reconcile-ratings: runs image candor\/rating-aggregator:.* under another name \(a one-shot of the service belongs under a profile\)/);
  assertRejected(c.errors, /compose reconcile-votes: a one-shot must not restart/);
  assertRejected(c.errors, /compose reconcile-votes: must depend on migrate/);
  assertRejected(c.errors, /compose reconcile-index: runs index-writer without --check or --rebuild/);
});

test('compose\'s one-shots and the scheduled CronJobs differing is rejected', () => {
  const broken = clone(compose);
  delete broken.services['reconcile-index'];
  broken.services['reconcile-ratings'].command = ['--check'];
  const c = rules.checkCompose(broken, prometheus, topics);
  assert.deepEqual(c.errors, []);
  const errors = rules.checkOneShotParity(c.oneShots, rules.checkK8s(fresh(), topics).oneShots, 'base');
  assertRejected(errors, /base: CronJob candor-reconcile-index runs index-writer --check, no compose one-shot does/);
  assertRejected(errors, /base: compose reconcile-ratings runs rating-aggregator --check, no scheduled CronJob does/);
  assertRejected(errors, /base: CronJob candor-reconcile-ratings runs rating-aggregator --repair, no compose one-shot does/);
  // A suspended CronJob (a template run by hand) has no compose counterpart to match.
  assert.ok(!errors.some((e) => /candor-repair-votes/.test(e)), errors.join('\n'));
});

test('render.js refuses what it does not implement, and merges lists by key', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'candor-render-'));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\nreplicas: []\n');
  assert.throws(() => render(dir), /'replicas' is outside the subset render\.js implements/);
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'),
                   'configMapGenerator:\n  - name: x\n    files: [a.txt]\n');
  assert.throws(() => render(dir), /needs options\.disableNameSuffixHash: true/);
  fs.rmSync(dir, { recursive: true });
  const merged = strategicMerge(
    { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], args: ['--x'] },
    { env: [{ name: 'B', value: '3' }], args: ['--y'] });
  assert.deepEqual(merged, { env: [{ name: 'B', value: '3' }, { name: 'A', value: '1' }], args: ['--y'] });
});

test('quantities compare in base units', () => {
  assert.equal(rules.quantity('500m'), 0.5);
  assert.equal(rules.quantity('1Gi'), 1024 ** 3);
  assert.ok(rules.quantity('512Mi') < rules.quantity('1Gi'));
  assert.ok(Number.isNaN(rules.quantity('lots')));
});
