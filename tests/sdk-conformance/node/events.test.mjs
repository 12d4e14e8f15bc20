// Event Reporting through the official Node SDK (smartsheet 5.3.0).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim } from './sim.mjs';

let sim;
before(async () => { sim = await startSim(); });
after(() => sim?.stop());

test('getEvents: read from since, follow streamPosition until moreAvailable is false', async () => {
  const client = sim.client();
  const now = await sim.now();
  const since = new Date(now.getTime() - 7 * 24 * 3600 * 1000);
  let result = await client.events.getEvents({ queryParameters: { since: since.toISOString(), maxCount: 100 } });
  const events = [...result.data];
  let pages = 1;
  while (result.moreAvailable) {
    assert.ok(pages < 1000, 'the stream never caught up');
    result = await client.events.getEvents({
      queryParameters: { streamPosition: result.nextStreamPosition, maxCount: 100 },
    });
    events.push(...result.data);
    pages += 1;
  }
  assert.equal(result.moreAvailable, false);
  assert.equal(typeof result.nextStreamPosition, 'string');
  assert.ok(pages > 1);
  assert.ok(events.length > 0);

  for (const e of events) {
    for (const field of ['eventId', 'objectType', 'action', 'eventTimestamp']) {
      assert.equal(typeof e[field], 'string', `${field} of ${JSON.stringify(e)}`);
    }
    assert.ok(Number.isSafeInteger(e.userId) && e.userId > 0);
    const at = Date.parse(e.eventTimestamp);
    assert.ok(at >= since.getTime() && at <= now.getTime(), e.eventTimestamp);
  }
  const stamps = events.map((e) => Date.parse(e.eventTimestamp));
  assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b));
  assert.equal(new Set(events.map((e) => e.eventId)).size, events.length);
});
