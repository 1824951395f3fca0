// Validates deploy/k8s/*.yaml against the Kubernetes OpenAPI schemas (npm kubernetes-models), and
// checks what the scale-out design relies on: gateway readiness probes on /health, a Service with
// client affinity, the lifecycle's bus port reachable through its Service.
//   node validate-k8s.mjs DIR [NODE_MODULES]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const modules = process.argv[3] || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../node/node_modules');
const load = (spec) => import(pathToFileURL(createRequire(path.join(modules, 'x.js')).resolve(spec)).href);
// kubernetes-models is ESM-only with subpath exports: resolve through its package folder.
const k8s = (sub) => import(pathToFileURL(path.join(modules, 'kubernetes-models', `${sub}.js`)).href);
const YAML = (await load('yaml')).default;
const kinds = {
  'apps/v1/Deployment': (await k8s('apps/v1/Deployment')).Deployment,
  'v1/Service': (await k8s('v1/Service')).Service,
  'v1/ConfigMap': (await k8s('v1/ConfigMap')).ConfigMap,
};

let failed = 0;
const objects = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  if (!ok) failed++;
};

for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
    if (doc.errors.length) {
      check(false, `${file}: YAML ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    const Model = kinds[`${obj.apiVersion}/${obj.kind}`];
    if (!Model) {
      check(false, `${file}: no schema for ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
      check(true, `${file}: ${obj.kind} ${obj.metadata?.name} matches the Kubernetes schema`);
      objects.push(obj);
    } catch (err) {
      check(false, `${file}: ${obj.kind} ${obj.metadata?.name}: ${err.message}`);
    }
  }
}

const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const gateway = find('Deployment', 'pulse-gateway');
const gatewayService = find('Service', 'pulse-gateway');
const lifecycleService = find('Service', 'pulse-lifecycle');
const config = find('ConfigMap', 'pulse-config');
const probe = gateway?.spec.template.spec.containers[0].readinessProbe;
check(probe?.httpGet?.path === '/health', 'gateway Deployment has a readiness probe on /health');
check(gateway?.spec.replicas > 1, 'gateway Deployment runs several replicas');
check(gatewayService?.spec.sessionAffinity === 'ClientIP', 'gateway Service keeps a client on one pod');
check(lifecycleService?.spec.ports.some((p) => p.port === 5556), 'lifecycle Service exposes the bus port');
check(config?.data.PULSE_BUS_CONNECT === 'tcp://pulse-lifecycle:5556', 'gateways subscribe through the lifecycle Service');
for (const d of objects.filter((o) => o.kind === 'Deployment')) {
  const sc = d.spec.template.spec.securityContext || {};
  check(sc.runAsNonRoot === true, `${d.metadata.name} runs as non-root`);
  const labels = d.spec.template.metadata.labels;
  const selector = d.spec.selector.matchLabels;
  check(Object.entries(selector).every(([k, v]) => labels[k] === v), `${d.metadata.name} selector matches its pod labels`);
}
console.log(`${objects.length} manifests checked, ${failed} failed`);
process.exit(failed ? 1 : 0);
