// Users through the official Node SDK (smartsheet 5.3.0).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim } from './sim.mjs';

let sim;
before(async () => { sim = await startSim(); });
after(() => sim?.stop());

test('getCurrentUser: the admin token belongs to an admin of a named account', async () => {
  const me = await sim.client().users.getCurrentUser({});
  assert.ok(me.id > 0);
  assert.match(me.email, /@/);
  assert.equal(me.admin, true);
  assert.ok(me.account.id > 0);
  assert.ok(me.account.name);
});

test('listAllUsers: includeAll returns everyone in one unpaged answer', async () => {
  const all = await sim.client().users.listAllUsers({ queryParameters: { includeAll: true, include: 'lastLogin' } });
  assert.ok(all.totalCount > 100);
  assert.equal(all.data.length, all.totalCount);
  assert.equal(all.pageSize, undefined);
  // Smartsheet omits lastLogin when a response holds more than 100 users.
  assert.deepEqual(all.data.filter((u) => 'lastLogin' in u).map((u) => u.id), []);
});

test('listAllUsers: pages of 100 cover the includeAll set and carry lastLogin', async () => {
  const client = sim.client();
  const everyone = (await client.users.listAllUsers({ queryParameters: { includeAll: true } })).data.map((u) => u.id);
  const seen = [];
  let withLastLogin = 0;
  let page = 1;
  let result;
  for (;;) {
    result = await client.users.listAllUsers({ queryParameters: { page, pageSize: 100, include: 'lastLogin' } });
    assert.deepEqual([result.pageNumber, result.pageSize], [page, 100]);
    assert.ok(result.data.length > 0 && result.data.length <= 100);
    seen.push(...result.data.map((u) => u.id));
    withLastLogin += result.data.filter((u) => typeof u.lastLogin === 'string').length;
    if (page >= result.totalPages) break;
    page += 1;
  }
  assert.ok(result.totalPages > 1);
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(seen.length, result.totalCount);
  assert.deepEqual([...seen].sort(), [...everyone].sort());
  assert.ok(withLastLogin > 0);
});

test('errors: an expired token rejects with 401 / errorCode 1003', async () => {
  await assert.rejects(sim.client('expired').users.getCurrentUser({}), (err) => {
    assert.deepEqual([err.statusCode, err.errorCode], [401, 1003]);
    return true;
  });
});
