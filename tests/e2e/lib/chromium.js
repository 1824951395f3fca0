'use strict';
// Debian's chromium, headless, driven by playwright-core, for the browser tests. Each launch gets
// a fresh profile folder (playwright passes it as --user-data-dir), removed by its close().
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { NODE_MODULES } = require('./harness');

const CHROMIUM = process.env.PULSE_CHROMIUM || '/usr/bin/chromium';

// Resolves with a playwright BrowserContext; `options` adds to the launch options (viewport...).
async function launchChromium(options = {}) {
  const { chromium } = require(path.join(NODE_MODULES, 'playwright-core'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    ...options,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  // Removed once close() resolved (the browser process has exited by then; not on the 'close'
  // event, which comes while it may still be writing its cache).
  const close = context.close.bind(context);
  context.close = async (...args) => {
    try {
      await close(...args);
    } finally {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    }
  };
  return context;
}

module.exports = { launchChromium, CHROMIUM };
