#!/usr/bin/env node
'use strict';
// Validates bus envelopes against proto/*.schema.json (JSON Schema draft 2020-12, ajv).
// Input: one envelope JSON per line on stdin (or file arguments). Prints one line per envelope,
// "ok <seq>" or "invalid <n>: <errors>", and exits 1 if any is invalid or none was given.
const fs = require('fs');
const path = require('path');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const protoDir = process.env.PULSE_PROTO_DIR || path.join(__dirname, '..', '..', '..', 'proto');
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
for (const f of ['common', 'new-stream', 'balance-update', 'envelope'])
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(protoDir, `${f}.schema.json`), 'utf8')));
const validate = ajv.getSchema('https://stellarstream.example/pulse/proto/envelope.schema.json');

const inputs = process.argv.length > 2
  ? process.argv.slice(2).map((f) => fs.readFileSync(f, 'utf8'))
  : [fs.readFileSync(0, 'utf8')];
const lines = inputs.join('\n').split('\n').filter((l) => l.trim() !== '');
let bad = 0;
lines.forEach((line, i) => {
  let doc;
  try {
    doc = JSON.parse(line);
  } catch (e) {
    bad++;
    console.log(`invalid ${i + 1}: not JSON (${e.message})`);
    return;
  }
  if (validate(doc)) console.log(`ok ${doc.seq}`);
  else {
    bad++;
    console.log(`invalid ${i + 1}: ${ajv.errorsText(validate.errors)}`);
  }
});
if (lines.length === 0) {
  console.log('invalid: no envelope given');
  process.exit(1);
}
process.exit(bad ? 1 : 0);
