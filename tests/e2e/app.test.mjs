// The real app in a real window: the demo organization synced, and its reclaim loop (candidates,
// Reclaim, confirm, result, Audit Log, Undo); create a profile against the
// simulator, Validate Connection, Publish, see both jobs and change one's time of day; a member's
// key is refused as "not a System Admin"; clearing Download activity returns the profile to Draft.
// The API key is stored only in the real Secret Service.
//
// Run through tests/e2e/run.sh (Xvfb, a private D-Bus session with GNOME Keyring, tauri-driver).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { By } from "selenium-webdriver";

import {
  button,
  buttonXpath,
  click,
  clickXpath,
  createProfile,
  driver,
  noDialog,
  retrying,
  shot,
  simInfo,
  startApp,
  startSimulator,
  succeededRuns,
  teardown,
  testId,
  type,
  validateAndPublish,
  waitForText,
  xpathText,
} from "./harness.mjs";

const { APP_BIN, SMARTSHEET_SIM_BIN, SHOTS, XDG_DATA_HOME } = process.env;
const KEYCHAIN_SERVICE = "com.seatkeeper.app.smartsheet-api-key";

before(async () => {
  for (const [name, value] of Object.entries({ APP_BIN, SMARTSHEET_SIM_BIN, SHOTS, XDG_DATA_HOME })) {
    assert.ok(value, `${name} must be set (run tests/e2e/run.sh)`);
  }
  await startSimulator();
  await startApp();
});

after(teardown);

test("the demo organization: validate, publish, and a sync fills the related lists", async () => {
  await button("Try the demo organization");
  await shot("welcome");
  await click("Try the demo organization", "//main");
  await waitForText("profile-status", "Draft");
  await validateAndPublish();
  // Publishing starts the first runs (subscriptions, events, and the reconciliation after the
  // subscriptions); wait for all three to succeed.
  await click("Scheduled Job Results");
  await succeededRuns(3);
  await shot("demo-job-results");

  await click("Software Subscriptions");
  const rows = await waitForText("subscriptions-table", "rows");
  assert.match(rows, /\b[1-9]\d{2,} rows/, `the demo organization's users should be listed: ${rows.slice(0, 200)}`);
  await shot("demo-subscriptions");
  await click("Software Models");
  await waitForText("models-table", "Smartsheet Member");

  // Run now starts another run of the subscriptions job and records a fourth result.
  await click("Scheduled Jobs");
  await clickXpath(`//button[@aria-label=${JSON.stringify("Run now: Refresh Demo organization Subscriptions")}]`);
  await click("Scheduled Job Results");
  await succeededRuns(4);
  await shot("demo-run-now");
});

/** Opens a screen of the navigation's Reclamation section. */
async function openScreen(label) {
  await clickXpath(`//nav//a[.//*[${xpathText(label)}]]`);
  await retrying(`the ${label} screen`, async () => {
    const [title] = await driver.findElements(By.xpath(`//main//h2[${xpathText(label)}]`));
    return title !== undefined;
  });
}

/** The `aria-label`s of the elements at `xpath`, in document order (read again on stale nodes). */
async function labelsOf(xpath, count) {
  return retrying(`${count} elements at ${xpath}`, async () => {
    const found = await driver.findElements(By.xpath(xpath));
    if (found.length < count) return false;
    return Promise.all(found.slice(0, count).map((el) => el.getAttribute("aria-label")));
  });
}

const DIALOG = "//section[@role='dialog']";

test("the reclaim loop on the demo organization: candidates, select, Reclaim, confirm, result, audit log, undo", async () => {
  // The demo is published and refreshed (the test before): its candidates are computed.
  await openScreen("Removal Candidates");
  const count = await waitForText("candidate-count", "match");
  assert.match(count, /\b([2-9]|\d{2,}) candidates match/, `the demo should have candidates: ${count}`);
  await shot("reclaim-candidates");

  // The two most inactive candidates.
  const boxes = "//table[@aria-label='Removal Candidates']//tbody//input[@type='checkbox']";
  const labels = await labelsOf(boxes, 2);
  const names = labels.map((l) => l.replace(/^Select /, ""));
  for (const label of labels) await clickXpath(`${boxes}[@aria-label=${JSON.stringify(label)}]`);
  await waitForText("selected-count", "2 selected");
  await shot("reclaim-two-selected");

  await click("Reclaim", "//*[@data-testid='selection-bar']");
  const preview = await waitForText("reclaim-preview", "Reclaim 2 seats");
  const items = await retrying("the confirmation's two rows", async () => {
    const rows = await driver.findElements(By.css('[data-testid="preview-item"]'));
    return rows.length === 2 ? Promise.all(rows.map((row) => row.getAttribute("textContent"))) : false;
  });
  for (const [i, name] of names.entries()) {
    assert.ok(items.some((item) => item.includes(name)), `${name} is not in the confirmation: ${items}`);
    assert.match(items[i], /Downgrade: MEMBER → (CONTRIBUTOR|GUEST)/, `what happens to the seat: ${items[i]}`);
  }
  assert.doesNotMatch(preview, /cannot be reclaimed now/);
  await shot("reclaim-confirmation");

  await click("Reclaim 2 seats", DIALOG);
  const totals = await waitForText("reclaim-totals", "Reclaimed: 2", 90_000);
  assert.match(totals, /Canceled — active again: 0 · Attention Required: 0/);
  await waitForText("result-items", "Reclaimed: MEMBER →");
  await shot("reclaim-result");
  await click("Close", DIALOG);
  await noDialog();

  await openScreen("Audit Log");
  await waitForText("audit-count", "2 records");
  const log = await waitForText("audit-log", "Succeeded");
  assert.equal((log.match(/Succeeded/g) ?? []).length, 2, `two succeeded records: ${log.slice(0, 600)}`);
  for (const name of names) assert.ok(log.includes(name), `${name} is not in the Audit Log`);
  assert.equal((log.match(/MEMBER → (CONTRIBUTOR|GUEST)/g) ?? []).length, 2);
  await shot("audit-log");

  // Undo the newest: the confirmation says what will happen, then the outcome.
  const [undoLabel] = await labelsOf("//table[@aria-label='Audit Log']//button[starts-with(@aria-label, 'Undo: ')]", 1);
  const email = undoLabel.replace(/^Undo: /, "");
  await clickXpath(`//button[@aria-label=${JSON.stringify(undoLabel)}]`);
  const change = await waitForText("undo-change", `→ MEMBER for ${email}`);
  assert.match(change, /Upgrade back: (CONTRIBUTOR|GUEST) → MEMBER/);
  await shot("undo-confirmation");
  await click("Confirm undo", DIALOG);
  const outcome = await waitForText("undo-outcome", "Undone", 60_000);
  assert.match(outcome, new RegExp(`Smartsheet carried it out: (CONTRIBUTOR|GUEST) → MEMBER for ${email.replace(/[.+]/g, "\\$&")}`));
  await shot("undo-outcome");
  await click("Close", DIALOG);
  await noDialog();
  await waitForText("audit-count", "3 records");
  const after = await waitForText("audit-log", "Already undone");
  assert.match(after, /Upgrade \(undo\)/);
  assert.equal((after.match(/Succeeded/g) ?? []).length, 3, `the undo succeeded too: ${after.slice(0, 600)}`);
  // Undo scrolled the wide list to its last column: back to the users for the picture.
  await driver.executeScript("document.querySelector('[data-testid=\"audit-viewport\"]').scrollLeft = 0");
  await shot("audit-log-after-undo");
});

test("the License Usage view of the demo organization: figures, compliance, the table per model, charts", async () => {
  // The demo ships with entitlements a dozen seats short of its members: Not Compliant.
  await clickXpath(`//nav//a[.//*[${xpathText("License Usage")}]]`);
  const usage = await waitForText("license-usage", "Smartsheet Member");
  assert.match(usage, /Not Compliant/, `the demo should be short of seats: ${usage.slice(0, 400)}`);
  const figures = await waitForText("headline-figures", "Paid seats");
  assert.match(figures, /Potential savings/);
  await retrying("the charts drawn", async () =>
    (await driver.findElements(By.css('[data-testid="usage-charts"] svg.recharts-surface'))).length >= 3,
  );
  await shot("license-usage");
  // The model's entitlements, one link away.
  await clickXpath(`//*[@data-testid="usage-models-table"]//a[${xpathText("Entitlements")}]`);
  await retrying("the demo's entitlements listed", async () => {
    const tables = await driver.findElements(By.xpath(`//*[starts-with(@data-testid, "entitlements-table-")]`));
    const text = (await Promise.all(tables.map((t) => t.getAttribute("textContent")))).join(" ");
    return text.includes("Smartsheet Business, annual") && text.includes("Smartsheet Business, monthly add-on");
  });
  await shot("software-entitlements");
});

test("the procedure's order: Save, Create New Connection & Credential, Validate Connection, Publish, see both jobs", async () => {
  await createProfile("Acme", "Acme Smartsheet", simInfo.tokens.admin);
  await shot("acme-draft");

  await click("Validate Connection");
  const result = await waitForText("validation-result", "Connection validated");
  assert.match(result, /System Admin/);
  await shot("acme-validated");

  await click("Publish");
  await click("OK", "//section[@role='dialog']");
  await noDialog();
  await waitForText("profile-status", "Published");
  await click("Scheduled Jobs");
  const jobs = await waitForText("jobs-table", "Refresh Acme Subscriptions");
  assert.match(jobs, /Refresh Acme Events/);
  await shot("acme-published-jobs");

  // The daily run moves to 02:30 on this computer's clock.
  await clickXpath(`//button[@aria-label=${JSON.stringify("Change time: Refresh Acme Subscriptions")}]`);
  await type("Time of day", "02:30");
  await click("Save", "//section[@role='dialog']");
  await noDialog();
  await waitForText("jobs-table", "Daily at 02:30");
  await shot("acme-job-time-of-day");
});

test("the Connections & Credentials screen lists each connection with the profiles that use it", async () => {
  await openScreen("Connections & Credentials");
  const row = await waitForText("connection-list", "Acme Smartsheet");
  assert.match(row, /Acme/);
  assert.ok(!row.includes(simInfo.tokens.admin), "the screen shows the API key");
  await shot("connections-screen");
});

test("the API key is in the system keychain and nowhere in the database", async () => {
  // secret-tool prints the secrets it finds: keep its output out of the test log.
  const found = spawnSync("secret-tool", ["search", "--all", "service", KEYCHAIN_SERVICE], { encoding: "utf8" });
  assert.equal(found.status, 0, "secret-tool could not search the keychain");
  assert.ok(found.stdout.includes(simInfo.tokens.admin), "the API key is not in the Secret Service");
  const dir = join(XDG_DATA_HOME, "com.seatkeeper.app");
  // The database, its WAL and shared-memory files, and the job locks in seatkeeper.db.locks/.
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.startsWith("seatkeeper.db") && statSync(join(dir, f)).isFile());
  assert.ok(files.includes("seatkeeper.db"), `no database file among ${files}`);
  for (const file of files) {
    assert.ok(!readFileSync(join(dir, file)).includes(simInfo.tokens.admin), `the API key reached ${file}`);
  }
});

test("the database, its WAL, the locks and the logs are the user's alone", async () => {
  // They hold every user's e-mail and activity: 0600 files in 0700 folders, nothing for others.
  const dir = join(XDG_DATA_HOME, "com.seatkeeper.app");
  assert.equal(statSync(dir).mode & 0o777, 0o700, `${dir} is open to others`);
  const entries = readdirSync(dir, { recursive: true }).map(String);
  for (const name of ["seatkeeper.db", "seatkeeper.db-wal", "seatkeeper.db.locks"]) {
    assert.ok(entries.includes(name), `no ${name} among ${entries}`);
  }
  assert.ok(entries.some((e) => e.startsWith("logs/") && e.endsWith(".log")), `no log file among ${entries}`);
  for (const entry of entries) {
    const stat = statSync(join(dir, entry));
    if (stat.isDirectory()) assert.equal(stat.mode & 0o777, 0o700, `${entry} is a folder open to others`);
    else assert.equal(stat.mode & 0o077, 0, `${entry} is open to others (${(stat.mode & 0o777).toString(8)})`);
  }
});

test("a member's key is refused: the owner is not a System Admin", async () => {
  const me = await (await fetch(`${simInfo.base_url}/users/me`, { headers: { Authorization: `Bearer ${simInfo.tokens.member}` } })).json();
  await createProfile("Member check", "Member key", simInfo.tokens.member);
  await click("Validate Connection");
  const result = await waitForText("validation-result", "not a System Admin");
  assert.ok(result.includes(me.email), `the message should name the token's owner: ${result}`);
  const publishEnabled = await retrying("the Publish button", async () => {
    const publish = await driver.findElement(By.xpath(buttonXpath("Publish", "")));
    return { enabled: await publish.isEnabled() };
  });
  assert.equal(publishEnabled.enabled, false, "Publish must stay disabled after a failed validation");
  await shot("member-not-admin");
});

test("another host needs the API key again and a confirmation that names the host", async () => {
  // On the profile still open ("Member check"): its connection to the simulator.
  await click("Edit connection");
  const dialog = "//section[@role='dialog']";
  await type("Custom URL", "https://seatkeeper-probe.invalid/2.0");
  const warning = await retrying("the host warning", async () => {
    const [note] = await driver.findElements(By.xpath(`${dialog}//*[@role='note'][contains(., 'seatkeeper-probe.invalid')]`));
    return note ? note.getAttribute("textContent") : false;
  });
  assert.match(warning, /seatkeeper-probe\.invalid is not one of Smartsheet's API hosts/);
  assert.match(warning, /would send your API key to seatkeeper-probe\.invalid/);
  await driver.findElement(By.xpath(`${dialog}//label[${xpathText("Send my API key to seatkeeper-probe.invalid")}]`));
  await click("Save", dialog);
  const errors = await retrying("the dialog's refusals", async () => {
    const text = await driver.findElement(By.xpath(dialog)).getAttribute("textContent");
    return text.includes("enter the API key again") && text.includes("Confirm that your API key may be sent to seatkeeper-probe.invalid")
      ? text
      : false;
  });
  assert.ok(errors);
  await shot("member-check-other-host-refused");
  await click("Cancel", dialog);
  await noDialog();
  // Nothing changed: the connection still points at the simulator.
  await waitForText("connection-summary", simInfo.base_url);
});

test("clearing Download activity returns a published profile to Draft", async () => {
  await clickXpath(`//nav//a[.//*[${xpathText("Acme")}]]`);
  await waitForText("profile-status", "Published");
  await clickXpath(`//label[${xpathText("Download activity")}]`);
  await testId("unpublish-warning");
  await shot("acme-clear-activity");
  await click("Save");
  await waitForText("profile-status", "Draft");
  await button("Validate Connection");
  await click("Scheduled Jobs");
  const jobs = await waitForText("jobs-table", "Refresh Acme Subscriptions");
  assert.match(jobs, /Refresh Acme Subscriptions/);
  assert.doesNotMatch(jobs, /Refresh Acme Events/);
  await shot("acme-back-to-draft");
});
