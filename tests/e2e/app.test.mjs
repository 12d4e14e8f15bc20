// The real app in a real window: create a profile against the simulator, Validate Connection,
// Publish, see both jobs; a member's key is refused as "not a System Admin"; clearing Download
// activity returns the profile to Draft. The API key is stored only in the real Secret Service.
//
// Run through tests/e2e/run.sh (Xvfb, a private D-Bus session with GNOME Keyring, tauri-driver).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Builder, By } from "selenium-webdriver";

const { APP_BIN, SMARTSHEET_SIM_BIN, SHOTS, XDG_DATA_HOME } = process.env;
const WAIT = 30_000;
const KEYCHAIN_SERVICE = "com.seatkeeper.app.smartsheet-api-key";

let sim;
let simInfo;
let driverProc;
let driver;
let step = 0;

async function startSimulator() {
  sim = spawn(SMARTSHEET_SIM_BIN, ["serve", "--port", "0", "--seed", "5", "--users", "120", "--days", "20", "--rate-limit", "off"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: sim.stdout });
  const [line] = await Promise.race([
    new Promise((resolve) => lines.once("line", (l) => resolve([l]))),
    new Promise((_, reject) => setTimeout(() => reject(new Error("the simulator printed no start line")), WAIT).unref()),
  ]);
  return JSON.parse(line);
}

async function waitForHttp(url) {
  const deadline = Date.now() + WAIT;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not come up`);
}

/** Saves a screenshot of the window as the next numbered step. */
async function shot(name) {
  step += 1;
  const file = join(SHOTS, `${String(step).padStart(2, "0")}-${name}.png`);
  writeFileSync(file, Buffer.from(await driver.takeScreenshot(), "base64"));
}

const xpathText = (text) => `normalize-space()=${JSON.stringify(text)}`;

/**
 * Runs `action` until it succeeds: React re-renders replace DOM nodes, so an element found a moment
 * ago may be gone (stale) or not there yet.
 */
async function retrying(what, action) {
  let last;
  const done = await driver
    .wait(async () => {
      try {
        return (await action()) ?? true;
      } catch (e) {
        // A notification toast may lie over the target for a few seconds, and a dropdown's option
        // is not interactable while the dropdown is still opening.
        const transient = ["NoSuchElementError", "StaleElementReferenceError", "ElementClickInterceptedError", "ElementNotInteractableError"];
        if (!transient.includes(e.name)) {
          throw new Error(`${what}: ${e.name} ${e.message}`);
        }
        last = e;
        return false;
      }
    }, WAIT)
    .catch(async (e) => {
      await shot("failed").catch(() => {});
      throw new Error(`${what}: ${e.message}${last ? ` (last: ${last.message})` : ""}`);
    });
  return done;
}

/** The form control whose visible label is exactly `text`. */
async function field(text) {
  const label = await driver.findElement(By.xpath(`//label[${xpathText(text)}]`));
  return driver.findElement(By.id(await label.getAttribute("for")));
}

const buttonXpath = (text, scope) => `${scope}//button[${xpathText(text)}]`;

async function button(text, scope = "") {
  return retrying(`button "${text}"`, async () => {
    const el = await driver.findElement(By.xpath(buttonXpath(text, scope)));
    return (await el.isEnabled()) ? el : false;
  });
}

/** Whether `el` is at the same place and size across two animation frames. */
async function isStill(el) {
  return driver.executeAsyncScript(
    `const [el, done] = arguments;
     const at = () => JSON.stringify(el.getBoundingClientRect());
     const first = at();
     requestAnimationFrame(() => requestAnimationFrame(() => done(at() === first)));`,
    el,
  );
}

/** Clicks the element at `xpath` once it is there, enabled and still. */
async function clickXpath(xpath) {
  await retrying(`click ${xpath}`, async () => {
    const el = await driver.findElement(By.xpath(xpath));
    if (!(await el.isEnabled())) return false;
    // Below the sticky header WebKit may judge an element not interactable: centre it first.
    await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", el);
    // A dialog that is still opening moves its buttons, and a click aimed at where a button was
    // lands beside it: click only once the element has stopped moving.
    if (!(await isStill(el))) return false;
    await el.click();
    return true;
  });
}

/**
 * Picks `option` in the select labelled `label`: opens it when it is closed, waits while its
 * dropdown is still opening (options not yet interactable), clicks the option.
 */
async function choose(label, option) {
  await retrying(`choose "${option}" in "${label}"`, async () => {
    const input = await field(label);
    // Mantine marks an open select's input with data-expanded.
    if ((await input.getAttribute("data-expanded")) !== "true") {
      await input.click();
      return false;
    }
    const [el] = await driver.findElements(By.xpath(`//*[@role='option'][${xpathText(option)}]`));
    if (!el || !(await el.isDisplayed())) return false;
    await el.click();
    return true;
  });
}

async function click(text, scope = "") {
  await clickXpath(buttonXpath(text, scope));
}

async function type(label, value) {
  await retrying(`type into "${label}"`, async () => {
    const input = await field(label);
    await input.clear();
    await input.sendKeys(value);
  });
}

async function testId(id) {
  return retrying(`[data-testid="${id}"]`, async () => {
    const [el] = await driver.findElements(By.css(`[data-testid="${id}"]`));
    return el ?? false;
  });
}

/** Waits until the element with `data-testid=id` shows `text`; returns its whole text. */
async function waitForText(id, text) {
  let seen = "";
  return retrying(`"${text}" in ${id}`, async () => {
    const found = await driver.findElements(By.css(`[data-testid="${id}"]`));
    seen = (await Promise.all(found.map((el) => el.getAttribute("textContent")))).join(" | ");
    return seen.includes(text) ? seen : false;
  }).catch((e) => {
    throw new Error(`${e.message}; it showed: ${seen}`);
  });
}

/** Waits until no dialog is open. WebKitWebDriver may report a node removed mid-search as stale. */
async function noDialog() {
  await retrying("the dialog to close", async () => (await driver.findElements(By.css("section[role='dialog']"))).length === 0);
}

/** Waits until the Scheduled Job Results list shows `count` succeeded runs. */
async function succeededRuns(count) {
  let seen = "";
  await retrying(`${count} succeeded runs`, async () => {
    const table = await driver.findElement(By.css('[data-testid="job-results-table"]'));
    seen = await table.getAttribute("textContent");
    return (seen.match(/succeeded/gi) ?? []).length >= count;
  }).catch((e) => {
    throw new Error(`${e.message}; the list showed: ${seen.slice(0, 400)}`);
  });
}

/** Creates a Draft profile with a new connection to the simulator using `token`. */
async function createProfile(displayName, connectionName, token) {
  await click("New profile", "//nav");
  await type("Display Name", displayName);
  await click("Set up connection");
  await type("Name", connectionName);
  await choose("Connection URL", "Custom URL…");
  await type("Custom URL", simInfo.base_url);
  await type("API Key", token);
  await shot(`${displayName.toLowerCase().replace(/\W+/g, "-")}-connection-dialog`);
  await click("Create", "//section[@role='dialog']");
  await noDialog();
  await click("Save");
  await waitForText("profile-status", "Draft");
}

before(async () => {
  for (const [name, value] of Object.entries({ APP_BIN, SMARTSHEET_SIM_BIN, SHOTS, XDG_DATA_HOME })) {
    assert.ok(value, `${name} must be set (run tests/e2e/run.sh)`);
  }
  simInfo = await startSimulator();
  driverProc = spawn("tauri-driver", ["--port", "4444", "--native-port", "4445"], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForHttp("http://127.0.0.1:4445/status");
  driver = await new Builder()
    .usingServer("http://127.0.0.1:4444/")
    .withCapabilities({ browserName: "wry", "tauri:options": { application: APP_BIN } })
    .build();
});

/** Resolves after `ms`, with `value`. */
const delay = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());

/** Stops a child process: SIGTERM, then SIGKILL if it is still there after 5 s. */
async function stop(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", () => resolve(true)));
  proc.kill("SIGTERM");
  if (!(await Promise.race([exited, delay(5_000, false)]))) proc.kill("SIGKILL");
}

// A child process keeps node running until it exits, and a hung WebDriver session would keep the
// test command waiting: every step of the teardown is bounded.
after(async () => {
  await Promise.race([driver?.quit().catch(() => {}), delay(15_000)]);
  await Promise.all([stop(driverProc), stop(sim)]);
});

test("the demo organization: validate, publish, and a sync fills the related lists", async () => {
  await button("Try the demo organization");
  await shot("welcome");
  await click("Try the demo organization", "//main");
  await waitForText("profile-status", "Draft");
  await click("Validate Connection");
  await waitForText("validation-result", "Connection validated");
  await click("Publish");
  await click("OK", "//section[@role='dialog']");
  await noDialog();
  await waitForText("profile-status", "Published");
  // Publishing starts the first runs; wait for both to succeed.
  await click("Scheduled Job Results");
  await succeededRuns(2);
  await shot("demo-job-results");

  await click("Software Subscriptions");
  const rows = await waitForText("subscriptions-table", "rows");
  assert.match(rows, /\b[1-9]\d{2,} rows/, `the demo organization's users should be listed: ${rows.slice(0, 200)}`);
  await shot("demo-subscriptions");
  await click("Software Models");
  await waitForText("models-table", "Smartsheet Member");

  // Run now starts another run of the subscriptions job and records a third result.
  await click("Scheduled Jobs");
  await clickXpath(`//button[@aria-label=${JSON.stringify("Run now: Refresh Demo organization Subscriptions")}]`);
  await click("Scheduled Job Results");
  await succeededRuns(3);
  await shot("demo-run-now");
});

test("create a profile, Validate Connection, Publish, see both jobs", async () => {
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
