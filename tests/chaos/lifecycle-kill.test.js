'use strict';
// The lifecycle SIGKILLs itself between a commit and its publish (PULSE_FAILPOINT, accepted only
// with the test endpoints on), under load; restarted, the event it never published reaches every
// client concerned (gap repair / outbox relay), and so does everything answered 200: 0 lost,
// 0 duplicated, order kept.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useChaosStack, Load, report, waitFor, sleep } = require('./lib/chaos');

const stack = useChaosStack({ gateways: 2, lifecycleEnv: { PULSE_FAILPOINT: 'after-commit-before-publish@150' } });

test('lifecycle killed between commit and publish, restarted: the relay republishes, 0 lost', { timeout: 120000 }, stack.withLogs(async (t) => {
  // Half the clients on each replica.
  const load = await Load.across(stack, [0, 1], { clients: 100, rooms: 50 });

  const died = load.publish({ concurrency: 4, count: 3000, until: () => !stack.lifecycle.alive });
  const { signal } = await stack.lifecycle.exit;
  const killedAt = Date.now();
  await died;
  assert.equal(signal, 'SIGKILL', 'the failpoint killed the process');
  assert.match(stack.lifecycle.output.join('\n'), /failpoint reached/);

  delete stack.lifecycleEnv.PULSE_FAILPOINT;
  await stack.startLifecycle();
  const upAt = Date.now();
  await load.publish({ concurrency: 4, count: 300 });
  await load.settle(30000);

  const outbox = await stack.outbox();
  const unanswered = load.posts.filter((p) => p.status !== 200);
  const committedUnanswered = unanswered.filter((p) => outbox.some((e) => e.data.streamId === p.streamId));
  const result = load.account(outbox);
  report(t, { fault: 'lifecycle SIGKILL between commit and publish, restart', clients: result.clients, events: load.ok().length, lost: result.lost, dup: result.dup, outOfOrder: result.outOfOrder, recovery: `all caught up ${load.catchUpMs(upAt)} ms after the restart (restart took ${upAt - killedAt} ms)` });

  // The failpoint kills the group-commit writer after a whole batch committed: the requests of
  // that batch (1 to `concurrency` of them) are committed without an answer, no other.
  assert.ok(committedUnanswered.length >= 1 && committedUnanswered.length <= 4,
    `the requests of the batch that hit the failpoint were committed without an answer (${committedUnanswered.length})`);
  for (const lostOne of committedUnanswered) {
    for (const c of load.clients.filter((x) => x.addr === lostOne.sender || x.addr === lostOne.receiver)) {
      assert.equal(c.arrivals.filter((a) => a.streamId === lostOne.streamId).length, 1, 'the unpublished event reached its clients once');
    }
  }
  assert.equal(result.phantom, 0, result.details.join('\n'));
  assert.deepEqual([result.lost, result.dup, result.outOfOrder], [0, 0, 0], result.details.join('\n'));
  for (const c of load.clients) assert.equal(c.connects, 1, 'clients stayed connected');
}));

test('the failpoint is refused outside the test/dev mode (exit 2, one clear line)', { timeout: 20000 }, async () => {
  const { Proc } = require('../e2e/lib/harness');
  const p = new Proc('lifecycle-prod', process.env.PULSE_LIFECYCLE_BIN, [], {
    DATABASE_URL: stack.db.url,
    LIFECYCLE_PORT: '0',
    PULSE_BUS_BIND: 'tcp://127.0.0.1:*',
    PULSE_TEST_ENDPOINTS: 'off',
    PULSE_FAILPOINT: 'after-commit-before-publish',
  });
  const { code } = await p.exit;
  assert.equal(code, 2, p.tail());
  assert.match(p.tail(), /PULSE_FAILPOINT is only accepted with PULSE_TEST_ENDPOINTS=on/);
});
