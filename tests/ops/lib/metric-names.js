'use strict';
// Metric names in an exposition text and in a Grafana dashboard's PromQL expressions.

// Names of the samples in a text exposition (histograms as name_bucket/_sum/_count).
function sampleNames(text) {
  const names = new Set();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

// PromQL words that are not metric names: functions, aggregations, keywords, label names used
// in by/without/on clauses, and the dashboard's own variables.
const NOT_METRICS = new Set([
  'sum', 'rate', 'irate', 'increase', 'histogram_quantile', 'by', 'without', 'on', 'ignoring',
  'max', 'min', 'avg', 'count', 'topk', 'bottomk', 'le', 'and', 'or', 'unless', 'offset',
  'clamp_min', 'time', 'label_replace', 'vector', 'abs', 'delta', 'deriv', 'group_left',
]);

// Every metric name an expression ("expr") anywhere in the dashboard refers to.
function dashboardMetrics(dashboard) {
  const names = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'expr' && typeof value === 'string') {
        const withoutStrings = value.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\[[^\]]*\]/g, '');
        const withoutLabels = withoutStrings.replace(/\{[^}]*\}/g, '').replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
        for (const word of withoutLabels.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) || []) {
          if (!NOT_METRICS.has(word) && !/^\$/.test(word)) names.add(word);
        }
      } else {
        visit(value);
      }
    }
  };
  visit(dashboard);
  return names;
}

module.exports = { sampleNames, dashboardMetrics };
