// Users through the official Node SDK (smartsheet 5.3.0): reads, and the writes (downgradeUser,
// upgradeUser, updateUser, deactivateUser, reactivateUser) with the refusals Smartsheet answers.
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

// --- Writes: each call parsed by the SDK, then seen by a following list/get ----------------------
// The users are found through the API itself.

const ISP_DOMAINS = new Set(['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'live.com', 'aol.com',
  'icloud.com', 'comcast.net', 'charter.net', 'verizon.net', 'rocketmail.com', 'web.de', 'mail.com', 'email.com',
  'usa.com', 'duck.com', 'mail.ru']);
const SUCCESS = { message: 'SUCCESS', resultCode: 0 };
const domain = (u) => u.email.split('@')[1];

async function tokenOwners(s) {
  const ids = await Promise.all(['admin', 'member', 'admin_no_event_reporting']
    .map(async (name) => (await s.client(name).users.getCurrentUser({})).id));
  return new Set(ids);
}

async function planId(client) {
  const me = await client.users.getCurrentUser({});
  const plans = await client.users.listUserPlans({ userId: me.id });
  return plans.data.find((p) => p.isInternal).planId;
}

async function everyone(client, queryParameters = {}) {
  return (await client.users.listAllUsers({ queryParameters: { includeAll: true, ...queryParameters } })).data;
}

async function seatInPlan(client, userId, plan) {
  return (await client.users.listUserPlans({ userId })).data.find((p) => p.planId === plan).seatType;
}

async function rejectsWith(promise, statusCode, errorCode) {
  let error;
  await assert.rejects(promise, (err) => {
    assert.deepEqual([err.statusCode, err.errorCode], [statusCode, errorCode], JSON.stringify(err));
    assert.ok(err.message && err.refId, JSON.stringify(err));
    error = err;
    return true;
  });
  return error;
}

test('downgradeUser: an internal MEMBER to CONTRIBUTOR', async () => {
  const client = sim.client();
  const plan = await planId(client);
  const owners = await tokenOwners(sim);
  const target = (await everyone(client, { planId: plan, seatType: 'MEMBER' }))
    .find((u) => u.isInternal && !u.admin && u.status === 'ACTIVE' && !owners.has(u.id));
  const result = await client.users.downgradeUser({ userId: target.id, planId: plan, body: { seatType: 'CONTRIBUTOR' } });
  assert.deepEqual(result, SUCCESS);
  const after = await everyone(client, { planId: plan, email: target.email });
  assert.deepEqual(after.map((u) => [u.id, u.seatType, u.licensedSheetCreator]), [[target.id, 'CONTRIBUTOR', false]]);
  assert.equal(await seatInPlan(client, target.id, plan), 'CONTRIBUTOR');
  assert.equal((await client.users.getUser({ userId: target.id })).licensedSheetCreator, false);
});

test('downgradeUser: an external MEMBER to GUEST, never to CONTRIBUTOR', async () => {
  const client = sim.client();
  const plan = await planId(client);
  const target = (await everyone(client, { planId: plan, seatType: 'MEMBER' }))
    .find((u) => u.isInternal === false && u.status === 'ACTIVE');
  const refused = await rejectsWith(
    client.users.downgradeUser({ userId: target.id, planId: plan, body: { seatType: 'CONTRIBUTOR' } }), 400, 1018);
  assert.match(refused.message, /GUEST/);
  assert.equal(await seatInPlan(client, target.id, plan), 'MEMBER');

  assert.deepEqual(await client.users.downgradeUser({ userId: target.id, planId: plan, body: { seatType: 'GUEST' } }), SUCCESS);
  const after = await everyone(client, { planId: plan, email: target.email });
  assert.deepEqual(after.map((u) => [u.id, u.seatType]), [[target.id, 'GUEST']]);
  assert.equal(await seatInPlan(client, target.id, plan), 'GUEST');
});

test('upgradeUser: a CONTRIBUTOR to MEMBER', async () => {
  const client = sim.client();
  const plan = await planId(client);
  const target = (await everyone(client, { planId: plan, seatType: 'CONTRIBUTOR' }))
    .find((u) => u.isInternal && u.status === 'ACTIVE');
  const result = await client.users.upgradeUser({ userId: target.id, planId: plan, body: { seatType: 'MEMBER' } });
  assert.deepEqual(result, SUCCESS);
  const after = await everyone(client, { planId: plan, email: target.email });
  assert.deepEqual(after.map((u) => [u.id, u.seatType, u.licensedSheetCreator]), [[target.id, 'MEMBER', true]]);
  assert.equal(await seatInPlan(client, target.id, plan), 'MEMBER');
});

test('deactivateUser and reactivateUser, and the 5697 refusal for a directory-managed user', async () => {
  const client = sim.client();
  const owners = await tokenOwners(sim);
  const candidates = (await everyone(client))
    .filter((u) => u.status === 'ACTIVE' && !u.admin && !owners.has(u.id) && !ISP_DOMAINS.has(domain(u)));
  let deactivated;
  let directoryManaged;
  // Directory management is not in the API: try users until one deactivates and one is refused.
  for (const u of candidates) {
    if (deactivated && directoryManaged) break;
    try {
      const result = await client.users.deactivateUser({ userId: u.id });
      assert.deepEqual(result, SUCCESS);
      if (deactivated) {
        await client.users.reactivateUser({ userId: u.id });
      } else {
        deactivated = u;
        assert.equal((await client.users.getUser({ userId: u.id })).status, 'DEACTIVATED');
        assert.deepEqual((await everyone(client, { email: u.email })).map((x) => x.status), ['DEACTIVATED']);
      }
    } catch (err) {
      if (err.errorCode === undefined) throw err;
      assert.deepEqual([err.statusCode, err.errorCode], [400, 5697], JSON.stringify(err));
      directoryManaged ??= u;
    }
  }
  assert.ok(deactivated, 'no user could be deactivated');
  assert.ok(directoryManaged, 'no directory-managed user was refused');
  assert.equal((await client.users.getUser({ userId: directoryManaged.id })).status, 'ACTIVE');

  assert.deepEqual(await client.users.reactivateUser({ userId: deactivated.id }), SUCCESS);
  assert.equal((await client.users.getUser({ userId: deactivated.id })).status, 'ACTIVE');
  assert.deepEqual((await everyone(client, { email: deactivated.email })).map((x) => x.status), ['ACTIVE']);
});

test('deactivateUser: an ISP-domain user is refused with 1359', async () => {
  const client = sim.client();
  const target = (await everyone(client))
    .find((u) => u.status === 'ACTIVE' && !u.admin && ISP_DOMAINS.has(domain(u)));
  await rejectsWith(client.users.deactivateUser({ userId: target.id }), 403, 1359);
  assert.equal((await client.users.getUser({ userId: target.id })).status, 'ACTIVE');
});

test('a lost write: the SDK sees 500/4004, and the write was applied', async () => {
  const client = smartsheetClientWithoutRetries();
  const plan = await planId(client);
  const owners = await tokenOwners(sim);
  const target = (await everyone(client, { planId: plan, seatType: 'MEMBER' }))
    .find((u) => u.isInternal && !u.admin && u.status === 'ACTIVE' && !owners.has(u.id));
  await sim.setFaults('lost_write=1');
  try {
    await rejectsWith(client.users.downgradeUser({ userId: target.id, planId: plan, body: { seatType: 'CONTRIBUTOR' } }),
      500, 4004);
  } finally {
    await sim.setFaults('');
  }
  assert.equal(await seatInPlan(client, target.id, plan), 'CONTRIBUTOR');
});

// The SDK retries 4004 for up to 15 s; a negative backoff makes it give up after one attempt.
function smartsheetClientWithoutRetries() {
  return sim.client('admin', { calcRetryBackoff: () => -1 });
}

// --- Legacy plan: the licence is licensedSheetCreator, cleared with updateUser --------------------

let legacy;
before(async () => { legacy = await startSim(['--legacy']); });
after(() => legacy?.stop());

async function licensedLegacyUser(groupAdmin, resourceViewer) {
  const client = legacy.client();
  const owners = await tokenOwners(legacy);
  return (await everyone(client)).find((u) => u.status === 'ACTIVE' && u.licensedSheetCreator && !u.admin
    && !owners.has(u.id) && u.groupAdmin === groupAdmin && u.resourceViewer === resourceViewer);
}

test('updateUser: licensedSheetCreator false frees a legacy licence', async () => {
  const client = legacy.client();
  const target = await licensedLegacyUser(false, false);
  const result = await client.users.updateUser({ userId: target.id, body: { licensedSheetCreator: false, admin: false } });
  assert.equal(result.message, 'SUCCESS');
  assert.deepEqual([result.result.id, result.result.licensedSheetCreator, result.result.admin], [target.id, false, false]);
  assert.equal((await client.users.getUser({ userId: target.id })).licensedSheetCreator, false);
  assert.deepEqual((await everyone(client, { email: target.email })).map((u) => u.licensedSheetCreator), [false]);
});

for (const [role, groupAdmin, resourceViewer, code] of [['groupAdmin', true, false, 1102], ['resourceViewer', false, true, 1097]]) {
  test(`updateUser: unlicensing a legacy ${role} is refused with ${code} until the role is cleared`, async () => {
    const client = legacy.client();
    const target = await licensedLegacyUser(groupAdmin, resourceViewer);
    await rejectsWith(client.users.updateUser({ userId: target.id, body: { licensedSheetCreator: false, admin: false } }),
      403, code);
    assert.equal((await client.users.getUser({ userId: target.id })).licensedSheetCreator, true);

    const result = await client.users.updateUser({
      userId: target.id, body: { licensedSheetCreator: false, admin: false, [role]: false },
    });
    assert.equal(result.message, 'SUCCESS');
    const after = await client.users.getUser({ userId: target.id });
    assert.deepEqual([after.licensedSheetCreator, after.groupAdmin, after.resourceViewer], [false, false, false]);
  });
}
