// What the real-window tests and the UI benchmark share: the simulator, the app under
// tauri-driver, and the steps of driving its window (waiting out React re-renders, WebKit's stale
// nodes, opening dialogs and toasts).
//
// Needs APP_BIN, SMARTSHEET_SIM_BIN and SHOTS in the environment (tests/e2e/run.sh sets them).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Builder, By } from "selenium-webdriver";

const { APP_BIN, SMARTSHEET_SIM_BIN, SHOTS } = process.env;
export const WAIT = 30_000;

let sim;
let driverProc;
/** The WebDriver session of the app's window (set by `startApp`). */
export let driver;
/** The simulator's start line: base_url, tokens, … (set by `startSimulator`). */
export let simInfo;
let step = 0;

/** Starts the simulator (an organization of `users` with `days` of history); returns its start line. */
export async function startSimulator({ users = 120, days = 20, events = null } = {}) {
  const args = ["serve", "--port", "0", "--seed", "5", "--users", String(users), "--days", String(days), "--rate-limit", "off"];
  if (events !== null) args.push("--events", String(events));
  sim = spawn(SMARTSHEET_SIM_BIN, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: sim.stdout });
  const [line] = await Promise.race([
    new Promise((resolve) => lines.once("line", (l) => resolve([l]))),
    new Promise((_, reject) => setTimeout(() => reject(new Error("the simulator printed no start line")), WAIT).unref()),
  ]);
  simInfo = JSON.parse(line);
  return simInfo;
}

export async function waitForHttp(url) {
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

/**
 * Saves a screenshot of the window as the next numbered step. WebKit's screenshot is the last frame
 * it painted, which under load may be older than the DOM the test just checked (a dialog still
 * fading in, or its content before it arrived): wait for two frames and a dialog's transition first.
 */
export async function shot(name) {
  await Promise.race([
    driver
      .executeAsyncScript("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));")
      .catch(() => {}),
    delay(5_000),
  ]);
  await delay(400);
  step += 1;
  const file = join(SHOTS, `${String(step).padStart(2, "0")}-${name}.png`);
  writeFileSync(file, Buffer.from(await driver.takeScreenshot(), "base64"));
}

export const xpathText = (text) => `normalize-space()=${JSON.stringify(text)}`;

/**
 * Runs `action` until it succeeds: React re-renders replace DOM nodes, so an element found a moment
 * ago may be gone (stale) or not there yet.
 */
export async function retrying(what, action, timeout = WAIT) {
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
    }, timeout)
    .catch(async (e) => {
      await shot("failed").catch(() => {});
      throw new Error(`${what}: ${e.message}${last ? ` (last: ${last.message})` : ""}`);
    });
  return done;
}

/** The form control whose visible label is exactly `text`. */
export async function field(text) {
  const label = await driver.findElement(By.xpath(`//label[${xpathText(text)}]`));
  return driver.findElement(By.id(await label.getAttribute("for")));
}

export const buttonXpath = (text, scope) => `${scope}//button[${xpathText(text)}]`;

export async function button(text, scope = "") {
  return retrying(`button "${text}"`, async () => {
    const el = await driver.findElement(By.xpath(buttonXpath(text, scope)));
    return (await el.isEnabled()) ? el : false;
  });
}

/** Whether `el` is at the same place and size across two animation frames. */
export async function isStill(el) {
  return driver.executeAsyncScript(
    `const [el, done] = arguments;
     const at = () => JSON.stringify(el.getBoundingClientRect());
     const first = at();
     requestAnimationFrame(() => requestAnimationFrame(() => done(at() === first)));`,
    el,
  );
}

/** Clicks the element at `xpath` once it is there, enabled and still. */
export async function clickXpath(xpath) {
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
export async function choose(label, option) {
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
    // A click while the dropdown still moves into place can land on its neighbour: check what the
    // select shows, and choose again if it is not the option.
    return (await (await field(label)).getAttribute("value")) === option;
  });
}

export async function click(text, scope = "") {
  await clickXpath(buttonXpath(text, scope));
}

export async function type(label, value) {
  await retrying(`type into "${label}"`, async () => {
    const input = await field(label);
    await input.clear();
    await input.sendKeys(value);
  });
}

export async function testId(id) {
  return retrying(`[data-testid="${id}"]`, async () => {
    const [el] = await driver.findElements(By.css(`[data-testid="${id}"]`));
    return el ?? false;
  });
}

/** Waits until the element with `data-testid=id` shows `text`; returns its whole text. */
export async function waitForText(id, text, timeout = WAIT) {
  let seen = "";
  return retrying(
    `"${text}" in ${id}`,
    async () => {
      const found = await driver.findElements(By.css(`[data-testid="${id}"]`));
      seen = (await Promise.all(found.map((el) => el.getAttribute("textContent")))).join(" | ");
      return seen.includes(text) ? seen : false;
    },
    timeout,
  ).catch((e) => {
    throw new Error(`${e.message}; it showed: ${seen}`);
  });
}

/** Waits until no dialog is open. WebKitWebDriver may report a node removed mid-search as stale. */
export async function noDialog() {
  await retrying("the dialog to close", async () => (await driver.findElements(By.css("section[role='dialog']"))).length === 0);
}

/** Waits until the Scheduled Job Results list shows `count` succeeded runs. */
export async function succeededRuns(count, timeout = WAIT) {
  let seen = "";
  await retrying(
    `${count} succeeded runs`,
    async () => {
      const table = await driver.findElement(By.css('[data-testid="job-results-table"]'));
      seen = await table.getAttribute("textContent");
      return (seen.match(/succeeded/gi) ?? []).length >= count;
    },
    timeout,
  ).catch((e) => {
    throw new Error(`${e.message}; the list showed: ${seen.slice(0, 400)}`);
  });
}

/**
 * Creates a Draft profile with a new connection to the simulator using `token`, in the procedure's
 * order: the profile is saved first, then its Connection & Credential is created on the saved
 * profile (Create New Connection & Credential). Screenshots of each step.
 */
export async function createProfile(displayName, connectionName, token) {
  const slug = displayName.toLowerCase().replace(/\W+/g, "-");
  await click("New profile", "//nav");
  await type("Display Name", displayName);
  await click("Save");
  await waitForText("profile-status", "Draft");
  await waitForText("connection-summary", "Not set up yet");
  await shot(`${slug}-saved-without-connection`);
  await click("Create New Connection & Credential");
  await type("Name", connectionName);
  await choose("Connection URL", "Custom URL…");
  await type("Custom URL", simInfo.base_url);
  await type("API Key", token);
  await shot(`${slug}-connection-dialog`);
  await click("Create", "//section[@role='dialog']");
  await noDialog();
  await waitForText("connection-summary", connectionName);
  await waitForText("profile-status", "Draft");
}

/** On the open profile: Validate Connection, then Publish and confirm; waits until it is Published. */
export async function validateAndPublish() {
  await click("Validate Connection");
  await waitForText("validation-result", "Connection validated");
  await click("Publish");
  // The confirmation closes as it is accepted. Under load (a simulator generating millions of
  // events on the same two cores) it may open late, and a click can land while it is still opening
  // and be lost: wait for it, then click OK again while it is there (publishing twice changes
  // nothing).
  const open = async () => (await driver.findElements(By.css("section[role='dialog']"))).length > 0;
  await retrying("the Publish confirmation", open);
  await retrying("the Publish confirmation accepted", async () => {
    if (!(await open())) return true;
    await click("OK", "//section[@role='dialog']").catch(() => {});
    await driver.sleep(1000);
    return !(await open());
  });
  await waitForText("profile-status", "Published");
}

/** Whether nothing listens on `port` of 127.0.0.1 (a listener bound there for a moment succeeds). */
function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/**
 * tauri-driver's port, and WebKitWebDriver's just above it: TAURI_DRIVER_PORT when set, else the
 * first pair from 4444 on that nothing listens on. A tauri-driver left over by an earlier run
 * would otherwise answer on 4444 instead of the one started here (seen once: the installed
 * package's test was cancelled at once).
 */
async function driverPorts() {
  if (process.env.TAURI_DRIVER_PORT) {
    const port = Number(process.env.TAURI_DRIVER_PORT);
    for (const p of [port, port + 1]) {
      if (!(await portIsFree(p))) throw new Error(`e2e: port ${p} (TAURI_DRIVER_PORT) is in use by another process`);
    }
    return port;
  }
  for (let port = 4444; port < 4544; port += 2) {
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
  }
  throw new Error("e2e: no free pair of ports between 4444 and 4543 for tauri-driver");
}

/** Starts tauri-driver and, through it, the app in a window. */
export async function startApp() {
  const port = await driverPorts();
  const native = port + 1;
  // A process group of its own: teardown stops tauri-driver, the WebKitWebDriver it starts and the
  // app together, so that none outlives the tests holding the output's pipe open.
  driverProc = spawn("tauri-driver", ["--port", String(port), "--native-port", String(native)], {
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  await waitForHttp(`http://127.0.0.1:${native}/status`);
  driver = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: APP_BIN } })
    .build();
}

/** Resolves after `ms`, with `value`. */
export const delay = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());

/**
 * Stops a child process: SIGTERM, then SIGKILL if it is still there after 5 s. With `group`, the
 * signals go to its process group (it was spawned `detached`), children included.
 */
export async function stop(proc, { group = false } = {}) {
  if (!proc) return;
  const signal = (name) => {
    try {
      if (group) process.kill(-proc.pid, name);
      else proc.kill(name);
    } catch {
      // Already gone.
    }
  };
  if (proc.exitCode !== null || proc.signalCode !== null) {
    // Its children may still be there.
    if (group) signal("SIGKILL");
    return;
  }
  const exited = new Promise((resolve) => proc.once("exit", () => resolve(true)));
  signal("SIGTERM");
  if (!(await Promise.race([exited, delay(5_000, false)]))) signal("SIGKILL");
  // What of the group outlived its leader.
  if (group) signal("SIGKILL");
}

/**
 * Closes the app and stops tauri-driver and the simulator. A child process keeps node running
 * until it exits, and a hung WebDriver session would keep the test command waiting: every step is
 * bounded.
 */
export async function teardown() {
  await Promise.race([driver?.quit().catch(() => {}), delay(15_000)]);
  await Promise.all([stop(driverProc, { group: true }), stop(sim)]);
}
