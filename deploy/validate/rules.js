'use strict';
// Candor's own rules for its deployment files, on parsed objects (no I/O here, so the tests can
// break a manifest in memory and watch the rule fire). Every function returns a list of error
// strings, each naming the object and what is wrong; an empty list passes.

// The admin-port convention every Candor service follows (/metrics, /healthz, /readyz).
const ADMIN_PORTS = {
  'review-gateway': 9460,
  'fraud-scorer': 9461,
  'rating-aggregator': 9462,
  'helpfulness-ranker': 9463,
  'index-writer': 9464,
  'reco-api': 9465,
};
// The one Secret the manifests read (created by the operator, never committed) and its keys.
const SECRET_NAME = 'candor-secrets';
const SECRET_KEYS = new Set(['CANDOR_JWT_SECRET', 'POSTGRES_PASSWORD']);
// Services that must run as exactly one replica with no autoscaler (one Xapian writer).
const SINGLE_WRITERS = new Set(['index-writer']);
// The one-shot modes of the services that have them (design.md 5's reconciliation): run instead of
// the service, then exit. A Candor image run as a Job or a compose one-shot without one of them
// would be a second copy of the service (for index-writer, a second writer of the index).
const ONE_SHOT_MODES = {
  'rating-aggregator': ['--check', '--repair'],
  'helpfulness-ranker': ['--check', '--repair'],
  'index-writer': ['--check', '--rebuild'],
};
// Modes that need the service itself stopped: only ever run by hand, so a CronJob running one is
// a suspended template for `kubectl create job --from=cronjob/...`.
const NEEDS_SERVICE_STOPPED = new Set(['helpfulness-ranker --repair', 'index-writer --rebuild']);
// Flags only the running service uses; a one-shot passes every other flag its service is given
// (the ranker's check compares sort keys computed under its own score flags).
const SERVICE_ONLY_FLAGS = new Set(['admin-port', 'input-topic']);
const WRITABLE_ROOT_ANNOTATION = 'candor.dev/writable-root';
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const WORKLOADS = new Set([...LONG_RUNNING, 'Job', 'CronJob']);

function id(o) {
  return `${o.kind} ${o.metadata?.name}`;
}

function podTemplate(o) {
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template;
  return o.spec?.template;
}

function isCandorImage(image) {
  return typeof image === 'string' && image.startsWith('candor/');
}

// The Candor service a container runs (its image candor/<service>:tag), or null.
function candorService(image) {
  if (!isCandorImage(image)) return null;
  const name = image.slice('candor/'.length).split(/[:@]/)[0];
  return name in ADMIN_PORTS ? name : null;
}

// Kubernetes quantities to numbers (cores or bytes) so requests and limits can be compared.
function quantity(q) {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return NaN;
  const units = {
    '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12,
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
  };
  return m[2] in units ? Number(m[1]) * units[m[2]] : NaN;
}

function argValue(args, flag) {
  for (const a of args || []) {
    if (a.startsWith(`--${flag}=`)) return a.slice(flag.length + 3);
  }
  return undefined;
}

// Checks a one-shot run of a Candor service's binary (a CronJob's container, a compose service
// under a profile) against its mode and the service's own flags; returns its mode or null.
function checkOneShot(where, service, args, serviceArgs, errors) {
  const modes = ONE_SHOT_MODES[service];
  if (!modes) {
    errors.push(`${where}: ${service} has no one-shot mode; this would run a second copy of it`);
    return null;
  }
  const mode = (args || []).find((a) => modes.includes(a));
  if (!mode) {
    errors.push(`${where}: runs ${service} without ${modes.join(' or ')}, so as a second copy ` +
                'of the service rather than a one-shot');
    return null;
  }
  for (const a of serviceArgs || []) {
    const flag = /^--([^=]+)=/.exec(a)?.[1];
    if (flag && !SERVICE_ONLY_FLAGS.has(flag) && !(args || []).includes(a)) {
      errors.push(`${where}: lacks ${a}, which the ${service} service is given (a one-shot ` +
                  'must run with the service\'s settings)');
    }
  }
  return mode;
}

// Parses topics.txt: "topic partitions" lines, # comments.
function parseTopics(text) {
  const topics = new Map();
  const errors = [];
  text.split('\n').forEach((line, i) => {
    const t = line.replace(/#.*/, '').trim();
    if (!t) return;
    const [name, partitions, extra] = t.split(/\s+/);
    if (!/^[1-9][0-9]*$/.test(partitions || '') || extra !== undefined) {
      errors.push(`topics.txt:${i + 1}: want "topic partitions", got "${line.trim()}"`);
    } else if (topics.has(name)) {
      errors.push(`topics.txt:${i + 1}: ${name} listed twice`);
    } else {
      topics.set(name, Number(partitions));
    }
  });
  return { topics, errors };
}

// topics.txt against libs/events/topics.h: every topic constant and its dead-letter topic, and
// nothing else.
function checkTopicsAgainstHeader(topics, headerText) {
  const errors = [];
  const declared = [...headerText.matchAll(/constexpr\s+char\s+k\w+Topic\[\]\s*=\s*"([^"]+)"/g)]
    .map((m) => m[1]);
  if (declared.length === 0) errors.push('libs/events/topics.h: no topic constants found');
  const want = new Set(declared.flatMap((t) => [t, `${t}.dlq`]));
  for (const t of want) {
    if (!topics.has(t)) errors.push(`topics.txt: ${t} (libs/events/topics.h) is missing`);
  }
  for (const t of topics.keys()) {
    if (!want.has(t)) errors.push(`topics.txt: ${t} is not a topic of libs/events/topics.h`);
  }
  return errors;
}

function checkContainer(o, tpl, c, errors) {
  const where = `${id(o)} container ${c.name}`;
  const pod = tpl.spec || {};
  if (LONG_RUNNING.has(o.kind)) {
    if (!c.livenessProbe) errors.push(`${where}: no livenessProbe`);
    if (!c.readinessProbe) errors.push(`${where}: no readinessProbe`);
  }
  const r = c.resources || {};
  for (const kind of ['requests', 'limits']) {
    for (const res of ['cpu', 'memory']) {
      if (r[kind]?.[res] === undefined) errors.push(`${where}: no resources.${kind}.${res}`);
    }
  }
  for (const res of ['cpu', 'memory']) {
    const req = quantity(r.requests?.[res]);
    const lim = quantity(r.limits?.[res]);
    if (r.requests?.[res] !== undefined && Number.isNaN(req)) {
      errors.push(`${where}: resources.requests.${res} ${r.requests[res]} is not a quantity`);
    }
    if (r.limits?.[res] !== undefined && Number.isNaN(lim)) {
      errors.push(`${where}: resources.limits.${res} ${r.limits[res]} is not a quantity`);
    }
    if (req > lim) errors.push(`${where}: resources.requests.${res} exceeds its limit`);
  }
  const sc = c.securityContext || {};
  const psc = pod.securityContext || {};
  const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  if (nonRoot !== true) errors.push(`${where}: runAsNonRoot is not true`);
  if ((sc.runAsUser ?? psc.runAsUser) === 0) errors.push(`${where}: runAsUser is 0 (root)`);
  if (sc.allowPrivilegeEscalation !== false) {
    errors.push(`${where}: allowPrivilegeEscalation is not false`);
  }
  if (sc.readOnlyRootFilesystem !== true) {
    const reason = tpl.metadata?.annotations?.[WRITABLE_ROOT_ANNOTATION];
    if (isCandorImage(c.image) || !reason) {
      errors.push(`${where}: readOnlyRootFilesystem is not true` +
                  (isCandorImage(c.image) ? '' : ` (a third-party image may be exempted by the ` +
                                                 `pod annotation ${WRITABLE_ROOT_ANNOTATION}: reason)`));
    }
  } else if (isCandorImage(c.image)) {
    const tmp = (c.volumeMounts || []).find((m) => m.mountPath === '/tmp');
    const vol = tmp && (pod.volumes || []).find((v) => v.name === tmp.name);
    if (!vol || !vol.emptyDir) errors.push(`${where}: read-only root needs an emptyDir on /tmp`);
  }
}

// Rules over one rendered Kubernetes tree (a list of objects).
function checkK8s(objects, topics) {
  const errors = [];
  const byKind = (k) => objects.filter((o) => o.kind === k);
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata?.name}`));
  for (const o of objects) {
    if (o.kind === 'Secret') {
      errors.push(`${id(o)}: Secrets are created by the operator, never committed`);
    }
  }
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  const services = new Map();  // Candor service -> { deployment, container, adminPort }
  for (const o of workloads) {
    const tpl = podTemplate(o);
    if (!tpl?.spec?.containers?.length) {
      errors.push(`${id(o)}: no pod template with containers`);
      continue;
    }
    if (o.spec?.selector?.matchLabels) {
      for (const [k, v] of Object.entries(o.spec.selector.matchLabels)) {
        if (tpl.metadata?.labels?.[k] !== v) {
          errors.push(`${id(o)}: selector ${k}=${v} does not match its pod template's labels`);
        }
      }
    }
    for (const c of tpl.spec.containers) {
      checkContainer(o, tpl, c, errors);
      for (const e of c.env || []) {
        const s = e.valueFrom?.secretKeyRef;
        if (s && (s.name !== SECRET_NAME || !SECRET_KEYS.has(s.key))) {
          errors.push(`${id(o)} container ${c.name}: env ${e.name} reads secret ${s.name}/` +
                      `${s.key}; the operator's Secret is ${SECRET_NAME} with ` +
                      `${[...SECRET_KEYS].join(', ')} (deploy/README.md)`);
        }
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm) {
          const map = objects.find((x) => x.kind === 'ConfigMap' && x.metadata.name === cm.name);
          if (!map) errors.push(`${id(o)}: env ${e.name} reads missing ConfigMap ${cm.name}`);
          else if (!(cm.key in (map.data || {}))) {
            errors.push(`${id(o)}: env ${e.name} reads ${cm.name}/${cm.key}, which has no such key`);
          }
        }
      }
      for (const ef of c.envFrom || []) {
        if (ef.configMapRef && !names.has(`ConfigMap/${ef.configMapRef.name}`)) {
          errors.push(`${id(o)}: envFrom reads missing ConfigMap ${ef.configMapRef.name}`);
        }
        if (ef.secretRef) errors.push(`${id(o)}: envFrom secretRef; name each secret key instead`);
      }
      const service = candorService(c.image);
      if (service && o.kind === 'Deployment') {
        if (services.has(service)) errors.push(`${id(o)}: a second Deployment runs ${service}`);
        const port = Number(argValue(c.args, 'admin-port'));
        if (port !== ADMIN_PORTS[service]) {
          errors.push(`${id(o)}: --admin-port=${argValue(c.args, 'admin-port')}, the convention ` +
                      `for ${service} is ${ADMIN_PORTS[service]}`);
        }
        const admin = (c.ports || []).find((p) => p.name === 'admin');
        if (!admin || admin.containerPort !== ADMIN_PORTS[service]) {
          errors.push(`${id(o)}: needs container port 'admin' ${ADMIN_PORTS[service]}`);
        }
        const ann = tpl.metadata?.annotations || {};
        if (ann['prometheus.io/scrape'] !== 'true' ||
            ann['prometheus.io/port'] !== String(ADMIN_PORTS[service]) ||
            ann['prometheus.io/path'] !== '/metrics') {
          errors.push(`${id(o)}: prometheus.io annotations must scrape /metrics on ` +
                      `${ADMIN_PORTS[service]}`);
        }
        if ((c.ports || []).some((p) => p.name === 'grpc') && !c.readinessProbe?.grpc &&
            !c.livenessProbe?.grpc) {
          errors.push(`${id(o)}: serves gRPC but has no native grpc probe (grpc.health.v1)`);
        }
        const inputs = argValue(c.args, 'input-topic');
        services.set(service, {
          deployment: o, container: c,
          inputTopics: inputs ? inputs.split(',') : [],
        });
      }
    }
    for (const v of tpl.spec.volumes || []) {
      if (v.configMap && !names.has(`ConfigMap/${v.configMap.name}`)) {
        errors.push(`${id(o)}: volume ${v.name} mounts missing ConfigMap ${v.configMap.name}`);
      }
      if (v.persistentVolumeClaim &&
          !names.has(`PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`)) {
        errors.push(`${id(o)}: volume ${v.name} claims missing PVC ` +
                    `${v.persistentVolumeClaim.claimName}`);
      }
      if (v.secret) errors.push(`${id(o)}: volume ${v.name} mounts a Secret; use secretKeyRef env`);
    }
  }
  for (const name of Object.keys(ADMIN_PORTS)) {
    if (!services.has(name)) errors.push(`no Deployment runs ${name} (image candor/${name})`);
  }
  const oneShots = checkCronJobs(byKind('CronJob'), services, errors);

  const selects = (selector, labels) => selector && Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => labels?.[k] === v);
  const hpas = byKind('HorizontalPodAutoscaler');
  const pdbs = byKind('PodDisruptionBudget');
  for (const d of byKind('Deployment')) {
    const labels = d.spec?.template?.metadata?.labels;
    const own = pdbs.filter((p) => selects(p.spec?.selector?.matchLabels, labels));
    if (own.length === 0) errors.push(`${id(d)}: no PodDisruptionBudget selects its pods`);
    // The fewest replicas it may run: an HPA's minReplicas, else its replicas.
    const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' &&
                                 h.spec.scaleTargetRef.name === d.metadata.name);
    const fewest = hpa ? (hpa.spec.minReplicas ?? 1) : (d.spec?.replicas ?? 1);
    for (const p of own) {
      if (p.spec.minAvailable !== undefined && p.spec.maxUnavailable !== undefined) {
        errors.push(`${id(p)}: sets both minAvailable and maxUnavailable`);
      }
      if (Number.isInteger(p.spec.minAvailable) && p.spec.minAvailable >= fewest) {
        errors.push(`${id(p)}: minAvailable ${p.spec.minAvailable} with as few as ${fewest} ` +
                    `replica(s) of ${id(d)} blocks every node drain`);
      }
    }
  }
  for (const s of byKind('Service')) {
    const target = objects.find((o) => LONG_RUNNING.has(o.kind) &&
                                       selects(s.spec?.selector, podTemplate(o)?.metadata?.labels));
    if (!target) {
      errors.push(`${id(s)}: its selector matches no workload's pods`);
      continue;
    }
    const portNames = new Set(podTemplate(target).spec.containers
      .flatMap((c) => (c.ports || []).map((p) => p.name)));
    for (const p of s.spec.ports || []) {
      if (typeof p.targetPort === 'string' && !portNames.has(p.targetPort)) {
        errors.push(`${id(s)}: targetPort ${p.targetPort} is no port of ${id(target)}`);
      }
    }
  }
  for (const h of hpas) {
    const ref = h.spec?.scaleTargetRef;
    if (!names.has(`${ref?.kind}/${ref?.name}`)) {
      errors.push(`${id(h)}: scales ${ref?.kind} ${ref?.name}, which is not rendered`);
    }
    if (h.spec?.minReplicas > h.spec?.maxReplicas) {
      errors.push(`${id(h)}: minReplicas ${h.spec.minReplicas} > maxReplicas ${h.spec.maxReplicas}`);
    }
  }
  for (const [service, s] of services) {
    const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' &&
                                 h.spec.scaleTargetRef.name === s.deployment.metadata.name);
    if (SINGLE_WRITERS.has(service)) {
      if (s.deployment.spec?.replicas !== 1) {
        errors.push(`${id(s.deployment)}: replicas must be 1 (one Xapian writer per index)`);
      }
      if (s.deployment.spec?.strategy?.type !== 'Recreate') {
        errors.push(`${id(s.deployment)}: strategy must be Recreate (the old writer holds the ` +
                    'write lock until it stops)');
      }
      if (hpa) errors.push(`${id(hpa)}: ${service} must not be autoscaled (one writer)`);
      continue;
    }
    if (!hpa) {
      errors.push(`${id(s.deployment)}: no HorizontalPodAutoscaler`);
      continue;
    }
    for (const t of s.inputTopics) {
      if (!topics.has(t)) {
        errors.push(`${id(s.deployment)}: consumes ${t}, which topics.txt does not list`);
      } else if (hpa.spec.maxReplicas > topics.get(t)) {
        errors.push(`${id(hpa)}: maxReplicas ${hpa.spec.maxReplicas} exceeds the ${topics.get(t)} ` +
                    `partitions of ${t} (topics.txt); replicas beyond that would sit idle`);
      }
    }
  }
  for (const s of byKind('Service')) {
    for (const j of [...byKind('Job'), ...byKind('CronJob')]) {
      if (selects(s.spec?.selector, podTemplate(j)?.metadata?.labels)) {
        errors.push(`${id(s)}: its selector matches the pods of ${id(j)}, a run-to-completion job`);
      }
    }
  }
  return { errors, services, oneShots };
}

// CronJobs: a run at a time, a bounded start, kept history, and a failed run (a drift or a store
// failure exits 1) left as a failed Job with its pod and log. A Candor image runs a one-shot mode
// with its Deployment's flags; one that needs the service stopped is suspended. Returns the
// scheduled one-shots ("service --mode" -> CronJob name) for the comparison with compose.
function checkCronJobs(cronJobs, services, errors) {
  const oneShots = new Map();
  for (const o of cronJobs) {
    const spec = o.spec || {};
    if (spec.concurrencyPolicy !== 'Forbid') {
      errors.push(`${id(o)}: concurrencyPolicy must be Forbid (a slow run must not overlap the next)`);
    }
    if (!Number.isInteger(spec.startingDeadlineSeconds)) {
      errors.push(`${id(o)}: no startingDeadlineSeconds (a missed run must be skipped, not started late)`);
    }
    if (!Number.isInteger(spec.successfulJobsHistoryLimit)) {
      errors.push(`${id(o)}: no successfulJobsHistoryLimit`);
    }
    if (!(spec.failedJobsHistoryLimit >= 1)) {
      errors.push(`${id(o)}: failedJobsHistoryLimit must keep at least one failed Job`);
    }
    if (!Number.isInteger(spec.jobTemplate?.spec?.backoffLimit)) {
      errors.push(`${id(o)}: no jobTemplate backoffLimit (the default retries a failed run 6 times)`);
    }
    const tpl = podTemplate(o);
    if (tpl?.spec?.restartPolicy !== 'Never') {
      errors.push(`${id(o)}: restartPolicy must be Never (a failed run keeps its pod and log)`);
    }
    for (const c of tpl?.spec?.containers || []) {
      const service = candorService(c.image);
      if (!service || c.command) continue;  // a third-party image, or another program of it
      const where = `${id(o)} container ${c.name}`;
      const mode = checkOneShot(where, service, c.args, services.get(service)?.container.args,
                                errors);
      if (!mode) continue;
      const key = `${service} ${mode}`;
      if (NEEDS_SERVICE_STOPPED.has(key)) {
        if (spec.suspend !== true) {
          errors.push(`${where}: ${key} needs ${service} stopped; such a CronJob must be ` +
                      'suspend: true, a template run by hand');
        }
      } else if (spec.suspend !== true) {
        oneShots.set(key, o.metadata.name);
      }
    }
  }
  return oneShots;
}

// Rules over `docker-compose config` output (parsed) and its Prometheus scrape config.
function checkCompose(compose, prometheus, topics) {
  const errors = [];
  const services = new Map();
  const oneShots = new Map();  // "service --mode" -> compose service
  for (const [name, s] of Object.entries(compose.services || {})) {
    const service = candorService(s.image);
    if (!service) continue;
    if (s.profiles?.length) {
      // A one-shot under a profile (`docker compose --profile P run --rm NAME`), never started
      // by a plain `docker compose up`.
      if (s.read_only !== true) errors.push(`compose ${name}: read_only is not true`);
      if (!String(s.user || '').match(/^[1-9][0-9]*(:[0-9]+)?$/)) {
        errors.push(`compose ${name}: user must be a non-root uid`);
      }
      if (s.restart !== undefined && s.restart !== 'no') {
        errors.push(`compose ${name}: a one-shot must not restart (restart: "no")`);
      }
      if (s.depends_on?.migrate?.condition !== 'service_completed_successfully') {
        errors.push(`compose ${name}: must depend on migrate (service_completed_successfully)`);
      }
      const mode = checkOneShot(`compose ${name}`, service, s.command,
                                compose.services[service]?.command, errors);
      if (mode) oneShots.set(`${service} ${mode}`, name);
      continue;
    }
    if (service !== name) {
      errors.push(`compose ${name}: runs image ${s.image} under another name (a one-shot of ` +
                  'the service belongs under a profile)');
    }
    const port = Number(argValue(s.command, 'admin-port'));
    if (port !== ADMIN_PORTS[service]) {
      errors.push(`compose ${name}: --admin-port must be ${ADMIN_PORTS[service]}`);
    }
    if (!s.healthcheck?.test) errors.push(`compose ${name}: no healthcheck`);
    if (s.read_only !== true) errors.push(`compose ${name}: read_only is not true`);
    if (!String(s.user || '').match(/^[1-9][0-9]*(:[0-9]+)?$/)) {
      errors.push(`compose ${name}: user must be a non-root uid`);
    }
    for (const dep of ['migrate', 'kafka-topics']) {
      if (s.depends_on?.[dep]?.condition !== 'service_completed_successfully') {
        errors.push(`compose ${name}: must depend on ${dep} (service_completed_successfully)`);
      }
    }
    const inputs = argValue(s.command, 'input-topic');
    for (const t of inputs ? inputs.split(',') : []) {
      if (!topics.has(t)) errors.push(`compose ${name}: consumes ${t}, not in topics.txt`);
    }
    services.set(service, { inputTopics: inputs ? inputs.split(',') : [] });
    const job = (prometheus.scrape_configs || []).find((j) => j.job_name === service);
    const ports = job ? [
      ...(job.dns_sd_configs || []).map((d) => d.port),
      ...(job.static_configs || []).flatMap((sc) => sc.targets || [])
        .map((t) => Number(String(t).split(':').pop())),
    ] : [];
    if (!job || !ports.includes(ADMIN_PORTS[service])) {
      errors.push(`deploy/prometheus/prometheus.yml: no scrape job ${service} on ` +
                  `${ADMIN_PORTS[service]}`);
    }
  }
  for (const name of Object.keys(ADMIN_PORTS)) {
    if (!services.has(name)) errors.push(`compose: no service runs ${name}`);
  }
  return { errors, services, oneShots };
}

// The Dockerfile: a target per service (and `migrate`) that compose builds, each exposing and
// health-checking its admin port, and every runtime stage running as a non-root user.
function checkDockerfile(text, compose) {
  const errors = [];
  const stages = new Map();  // target -> { base, lines }
  let current = null;
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = { base: from[1], lines: [] };
      stages.set(from[2] || `#${stages.size}`, current);
    } else if (current && line && !line.startsWith('#')) {
      current.lines.push(line);
    }
  }
  // A stage's instructions, its base stages' included (USER is inherited).
  const all = (name) => {
    const st = stages.get(name);
    if (!st) return [];
    return [...(stages.has(st.base) ? all(st.base) : []), ...st.lines];
  };
  for (const [service, port] of Object.entries(ADMIN_PORTS)) {
    if (!stages.has(service)) {
      errors.push(`Dockerfile: no target ${service}`);
      continue;
    }
    const lines = all(service);
    const users = lines.filter((l) => /^USER\s/i.test(l));
    const user = users.length ? users[users.length - 1].split(/\s+/)[1] : 'root';
    if (/^(root|0)(:|$)/.test(user)) errors.push(`Dockerfile ${service}: runs as root`);
    if (!lines.some((l) => /^HEALTHCHECK\s/i.test(l) && l.includes(`:${port}/`))) {
      errors.push(`Dockerfile ${service}: no HEALTHCHECK on its admin port ${port}`);
    }
    if (!lines.some((l) => /^EXPOSE\s/i.test(l) && l.split(/\s+/).includes(String(port)))) {
      errors.push(`Dockerfile ${service}: does not EXPOSE ${port}`);
    }
  }
  if (!stages.has('migrate')) errors.push('Dockerfile: no target migrate');
  for (const [name, s] of Object.entries(compose.services || {})) {
    const target = s.build?.target;
    if (s.build && (!target || !stages.has(target))) {
      errors.push(`compose ${name}: builds target ${target}, which the Dockerfile does not have`);
    }
  }
  return errors;
}

// Every Candor service in compose runs in Kubernetes and the other way round, consuming the
// same topics.
function checkParity(composeServices, k8sServices, label) {
  const errors = [];
  for (const name of composeServices.keys()) {
    if (!k8sServices.has(name)) errors.push(`${label}: compose runs ${name}, Kubernetes does not`);
  }
  for (const name of k8sServices.keys()) {
    if (!composeServices.has(name)) errors.push(`${label}: Kubernetes runs ${name}, compose does not`);
    else {
      const a = [...composeServices.get(name).inputTopics].sort().join(',');
      const b = [...k8sServices.get(name).inputTopics].sort().join(',');
      if (a !== b) errors.push(`${label}: ${name} consumes ${a || 'defaults'} in compose, ${b || 'defaults'} in Kubernetes`);
    }
  }
  return errors;
}

// compose's one-shots and a Kubernetes tree's scheduled CronJobs run the same modes of the same
// services, so the reconciliation an operator runs by hand on one host is the one a cluster runs.
function checkOneShotParity(composeOneShots, k8sOneShots, label) {
  const errors = [];
  for (const [key, name] of composeOneShots) {
    if (!k8sOneShots.has(key)) {
      errors.push(`${label}: compose ${name} runs ${key}, no scheduled CronJob does`);
    }
  }
  for (const [key, name] of k8sOneShots) {
    if (!composeOneShots.has(key)) {
      errors.push(`${label}: CronJob ${name} runs ${key}, no compose one-shot does`);
    }
  }
  return errors;
}

module.exports = {
  ADMIN_PORTS, SECRET_NAME, SECRET_KEYS, parseTopics, checkTopicsAgainstHeader, checkK8s,
  checkCompose, checkDockerfile, checkParity, checkOneShotParity, quantity,
};
