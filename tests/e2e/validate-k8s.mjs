// Checks the Kubernetes deployment (deploy/k8s: a kustomize base, overlays dev and prod) without a
// cluster:
//   1. renders each overlay with the small kustomize subset used there (resources, strategic-merge
//      patches: maps merged, lists of named items merged by name) and, when `kubectl` is
//      installed, checks that `kubectl kustomize` renders the same objects;
//   2. validates every rendered object against the Kubernetes OpenAPI schemas of the npm
//      package kubernetes-models (Deployment, StatefulSet, Service, ConfigMap, PodDisruptionBudget,
//      HorizontalPodAutoscaler, NetworkPolicy, Ingress);
//   3. checks what the design relies on: the restricted Pod Security profile on every pod
//      (runAsNonRoot, seccomp RuntimeDefault, no privilege escalation, ALL capabilities dropped,
//      read-only root filesystem), probes, scrape annotations, a PDB and an HPA selecting the
//      gateways, NetworkPolicies keeping the bus and /metrics internal, an Ingress publishing only
//      /socket.io/ with cookie affinity, images tagged with the project version, and per overlay:
//      dev has the test endpoints on, prod has them off and authentication on.
//   node validate-k8s.mjs K8S_DIR [NODE_MODULES]
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const dir = path.resolve(process.argv[2]);
const modules = process.argv[3] || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../node/node_modules');
const load = (spec) => import(pathToFileURL(createRequire(path.join(modules, 'x.js')).resolve(spec)).href);
// kubernetes-models is ESM-only with subpath exports: resolve through its package folder.
const k8s = (sub) => import(pathToFileURL(path.join(modules, 'kubernetes-models', `${sub}.js`)).href);
const YAML = (await load('yaml')).default;
const kinds = {
  'apps/v1/Deployment': (await k8s('apps/v1/Deployment')).Deployment,
  'apps/v1/StatefulSet': (await k8s('apps/v1/StatefulSet')).StatefulSet,
  'v1/Service': (await k8s('v1/Service')).Service,
  'v1/ConfigMap': (await k8s('v1/ConfigMap')).ConfigMap,
  'policy/v1/PodDisruptionBudget': (await k8s('policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': (await k8s('autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': (await k8s('networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy,
  'networking.k8s.io/v1/Ingress': (await k8s('networking.k8s.io/v1/Ingress')).Ingress,
};
const version = /project\(\s*\S+\s+VERSION\s+(\d+\.\d+\.\d+)/.exec(
  fs.readFileSync(path.join(dir, '../../CMakeLists.txt'), 'utf8'))?.[1];

let failed = 0;
let checked = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  checked++;
  if (!ok) failed++;
};

// ---- 1. rendering ------------------------------------------------------------------------------
const readDocs = (file) => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
  if (d.errors.length) throw new Error(`${file}: YAML ${d.errors[0].message}`);
  return d.toJS();
}).filter(Boolean);
const keyOf = (o) => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
const isObj = (v) => v && typeof v === 'object' && !Array.isArray(v);
const named = (list) => Array.isArray(list) && list.length > 0 && list.every((i) => isObj(i) && 'name' in i);

function merge(base, patch) {
  if (isObj(base) && isObj(patch)) {
    const out = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? merge(base[k], v) : v;
    return out;
  }
  if (named(base) && named(patch)) {
    // As kustomize does: items only in the patch come first, then the base's, merged by name.
    const out = base.map((i) => ({ ...i }));
    const added = [];
    for (const p of patch) {
      const at = out.findIndex((i) => i.name === p.name);
      if (at >= 0) out[at] = merge(out[at], p);
      else added.push(p);
    }
    return [...added, ...out];
  }
  return patch;
}

function render(kdir) {
  const k = readDocs(path.join(kdir, 'kustomization.yaml'))[0];
  const known = new Set(['apiVersion', 'kind', 'resources', 'patches']);
  for (const key of Object.keys(k)) if (!known.has(key)) throw new Error(`${kdir}: kustomization field ${key} is not handled by this renderer`);
  let objects = [];
  for (const r of k.resources || []) {
    const p = path.join(kdir, r);
    objects.push(...(fs.statSync(p).isDirectory() ? render(p) : readDocs(p)));
  }
  for (const patch of k.patches || []) {
    if (!patch.path || patch.target) throw new Error(`${kdir}: only strategic-merge patch files are handled`);
    for (const doc of readDocs(path.join(kdir, patch.path))) {
      const at = objects.findIndex((o) => keyOf(o) === keyOf(doc));
      if (at < 0) throw new Error(`${kdir}/${patch.path}: no ${keyOf(doc)} to patch`);
      objects[at] = merge(objects[at], doc);
    }
  }
  return objects;
}

let kubectl = null;
try {
  execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  kubectl = 'kubectl';
} catch {
  console.log('# kubectl not installed: rendered by this script only');
}

const overlays = fs.readdirSync(path.join(dir, 'overlays')).sort();
check(isDeepStrictEqual(overlays, ['dev', 'prod']), `overlays are dev and prod (${overlays.join(', ')})`);
const rendered = {};
for (const name of overlays) {
  const odir = path.join(dir, 'overlays', name);
  try {
    rendered[name] = render(odir);
    check(true, `${name}: rendered ${rendered[name].length} objects`);
  } catch (err) {
    check(false, `${name}: ${err.message}`);
    continue;
  }
  if (kubectl) {
    const theirs = YAML.parseAllDocuments(execFileSync(kubectl, ['kustomize', odir], { encoding: 'utf8' })).map((d) => d.toJS());
    const byKey = (list) => Object.fromEntries(list.map((o) => [keyOf(o), o]));
    const ours = byKey(rendered[name]);
    const kube = byKey(theirs);
    const differ = Object.keys({ ...ours, ...kube }).filter((key) => !isDeepStrictEqual(ours[key], kube[key]));
    check(differ.length === 0, `${name}: kubectl kustomize renders the same objects${differ.length ? ` (differ: ${differ.join(', ')})` : ''}`);
  }
}

// ---- 2. schemas --------------------------------------------------------------------------------
for (const [name, objects] of Object.entries(rendered)) {
  for (const obj of objects) {
    const Model = kinds[`${obj.apiVersion}/${obj.kind}`];
    if (!Model) {
      check(false, `${name}: no schema for ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
      check(true, `${name}: ${obj.kind} ${obj.metadata?.name} matches the Kubernetes schema`);
    } catch (err) {
      check(false, `${name}: ${obj.kind} ${obj.metadata?.name}: ${err.message}`);
    }
  }
}

// ---- 3. what the deployment relies on ------------------------------------------------------------
for (const [name, objects] of Object.entries(rendered)) {
  const find = (kind, n) => objects.find((o) => o.kind === kind && o.metadata.name === n);
  const gateway = find('Deployment', 'pulse-gateway');
  const lifecycle = find('StatefulSet', 'pulse-lifecycle');
  const gwConfig = find('ConfigMap', 'pulse-gateway-config');
  const lcConfig = find('ConfigMap', 'pulse-lifecycle-config');
  const at = (what) => `${name}: ${what}`;
  const gatewayPods = gateway?.spec.template.metadata.labels || {};
  const selects = (selector, labels) => Object.entries(selector || {}).every(([k, v]) => labels[k] === v);

  const gw = gateway?.spec.template.spec.containers[0];
  check(gw?.readinessProbe?.httpGet?.path === '/readyz', at('gateway readiness on /readyz (bus linked, not draining)'));
  check(gw?.livenessProbe?.httpGet?.path === '/livez', at('gateway liveness on /livez'));
  // The drain fits: preStop sleep + PULSE_DRAIN_MS + margin <= terminationGracePeriodSeconds.
  const preStop = Number(gw?.lifecycle?.preStop?.exec?.command?.[1] ?? NaN);
  const drainMs = Number(gw?.env?.find((e) => e.name === 'PULSE_DRAIN_MS')?.value ?? NaN);
  const grace = gateway?.spec.template.spec.terminationGracePeriodSeconds;
  check(preStop > 0 && drainMs > 0 && preStop + drainMs / 1000 + 5 <= grace, at(`gateway preStop ${preStop} s + drain ${drainMs} ms + 5 s within terminationGracePeriodSeconds ${grace}`));
  check(lifecycle?.spec.template.spec.containers[0].readinessProbe?.httpGet?.path === '/readyz', at('lifecycle readiness on /readyz'));
  check(lifecycle?.spec.template.spec.containers[0].livenessProbe?.httpGet?.path === '/livez', at('lifecycle liveness on /livez (a database outage does not restart it)'));
  check(find('Service', 'pulse-gateway')?.spec.sessionAffinity === 'ClientIP', at('gateway Service keeps a client on one pod'));
  // Several lifecycle replicas (one elected publisher, which can move): every gateway must
  // subscribe to every replica's PUB socket, named through the StatefulSet's headless Service.
  const replicas = lifecycle?.spec.replicas ?? 0;
  const busService = find('Service', lifecycle?.spec.serviceName);
  check(replicas >= 2, at(`lifecycle runs ${replicas} replicas (>= 2)`));
  check(busService?.spec.clusterIP === 'None' && busService.spec.ports.some((p) => p.port === 5556)
    && selects(busService.spec.selector, lifecycle?.spec.template.metadata.labels || {}),
  at('a headless Service names each lifecycle pod on the bus port'));
  const wanted = Array.from({ length: replicas },
    (_, i) => `tcp://${lifecycle?.metadata.name}-${i}.${lifecycle?.spec.serviceName}:5556`);
  check(isDeepStrictEqual((gwConfig?.data.PULSE_BUS_CONNECT || '').split(','), wanted),
    at(`gateways subscribe to every lifecycle replica (${wanted.join(',')})`));
  check(find('Service', 'pulse-lifecycle')?.spec.ports.some((p) => p.port === 3001), at('lifecycle Service load-balances the HTTP API'));

  for (const d of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const pod = d.spec.template.spec;
    const psc = pod.securityContext || {};
    const who = `${d.metadata.name}`;
    check(psc.runAsNonRoot === true && psc.runAsUser > 0, at(`${who}: runs as non-root`));
    check(psc.seccompProfile?.type === 'RuntimeDefault', at(`${who}: seccompProfile RuntimeDefault`));
    check(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, at(`${who}: no host namespaces`));
    for (const c of pod.containers) {
      const sc = c.securityContext || {};
      check(sc.allowPrivilegeEscalation === false && sc.privileged !== true, at(`${who}/${c.name}: no privilege escalation`));
      check((sc.capabilities?.drop || []).includes('ALL') && !(sc.capabilities?.add || []).length, at(`${who}/${c.name}: drops ALL capabilities`));
      check(sc.readOnlyRootFilesystem === true, at(`${who}/${c.name}: read-only root filesystem`));
      check(!!c.resources?.requests?.cpu && !!c.resources?.limits?.memory, at(`${who}/${c.name}: CPU request and memory limit`));
      const [image, tag] = c.image.split(':');
      check(tag === version, at(`${who}/${c.name}: image ${image} tagged with the project version ${version} (got ${tag})`));
    }
    const ann = d.spec.template.metadata.annotations || {};
    const port = pod.containers[0].ports.find((p) => p.name === 'http')?.containerPort;
    check(ann['prometheus.io/scrape'] === 'true' && ann['prometheus.io/path'] === '/metrics' && Number(ann['prometheus.io/port']) === port,
      at(`${who}: scrape annotations point at its /metrics`));
    check(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels), at(`${who}: selector matches its pod labels`));
  }

  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const pdb = pdbs.find((o) => selects(o.spec.selector.matchLabels, gatewayPods));
  const lcPdb = pdbs.find((o) => selects(o.spec.selector.matchLabels, lifecycle?.spec.template.metadata.labels || {}));
  check(lcPdb && lcPdb.spec.minAvailable >= 1 && lcPdb.spec.minAvailable < replicas, at('a PodDisruptionBudget keeps one lifecycle replica up and lets another be evicted'));
  check(pdb && selects(pdb.spec.selector.matchLabels, gatewayPods) && pdb.spec.minAvailable >= 1, at('a PodDisruptionBudget keeps gateways available'));
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
  check(hpa?.spec.scaleTargetRef.kind === 'Deployment' && hpa.spec.scaleTargetRef.name === 'pulse-gateway'
    && hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas >= hpa.spec.minReplicas, at('an HPA scales the gateway Deployment'));
  check(pdb && hpa && pdb.spec.minAvailable < hpa.spec.minReplicas, at('the PDB lets at least one gateway be evicted at the HPA minimum'));

  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const lcPolicy = policies.find((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'pulse-lifecycle');
  const busRules = (lcPolicy?.spec.ingress || []).filter((r) => (r.ports || []).some((p) => p.port === 'bus' || p.port === 5556));
  check(lcPolicy?.spec.policyTypes.includes('Ingress') && busRules.length > 0
    && busRules.every((r) => r.from.every((f) => f.podSelector && selects(f.podSelector.matchLabels, gatewayPods))),
  at('NetworkPolicy: only gateway pods reach the bus port'));
  const gwPolicy = policies.find((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'pulse-gateway');
  check(gwPolicy?.spec.ingress.every((r) => r.from.every((f) => f.namespaceSelector || f.podSelector)), at('NetworkPolicy: gateways take traffic only from selected namespaces'));

  const ingress = objects.find((o) => o.kind === 'Ingress');
  const paths = (ingress?.spec.rules || []).flatMap((r) => r.http.paths.map((p) => p.path));
  check(ingress?.metadata.annotations?.['nginx.ingress.kubernetes.io/affinity'] === 'cookie', at('Ingress: cookie session affinity for polling'));
  check(paths.length > 0 && paths.every((p) => p.startsWith('/socket.io')), at(`Ingress publishes only /socket.io/ (not /metrics): ${paths.join(', ')}`));

  // Each service gets the common ConfigMap and its own (so neither warns about the other's).
  const refs = (d) => (d?.spec.template.spec.containers[0].envFrom || []).map((e) => e.configMapRef?.name);
  check(isDeepStrictEqual(refs(gateway), ['pulse-config', 'pulse-gateway-config']), at('gateway reads pulse-config and pulse-gateway-config'));
  check(isDeepStrictEqual(refs(lifecycle), ['pulse-config', 'pulse-lifecycle-config']), at('lifecycle reads pulse-config and pulse-lifecycle-config'));
  if (name === 'dev') check(lcConfig?.data.PULSE_TEST_ENDPOINTS === 'on', at('test endpoints on'));
  if (name === 'prod') {
    check(lcConfig?.data.PULSE_TEST_ENDPOINTS === 'off', at('test endpoints off'));
    check(gwConfig?.data.PULSE_AUTH === 'jwt', at('authentication on (PULSE_AUTH=jwt)'));
    const env = gateway?.spec.template.spec.containers[0].env || [];
    check(env.some((e) => e.name === 'PULSE_JWT_SECRET' && e.valueFrom?.secretKeyRef), at('the JWT key comes from a Secret'));
    const keys = objects.filter((o) => o.kind === 'ConfigMap').flatMap((c) => Object.keys(c.data || {}));
    check(keys.every((k) => !/SECRET|TOKEN|PASSWORD|DATABASE_URL/.test(k)), at('no secret in a ConfigMap'));
  }
}

console.log(`${checked} checks, ${failed} failed`);
process.exit(failed ? 1 : 0);
