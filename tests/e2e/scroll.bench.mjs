// The UI benchmark: a related list of `BENCH_USERS` subscriptions (default 50,000) in the real app
// window. A profile is created against a simulator of that size, published, and its first
// subscriptions refresh fills Software Subscriptions; then the list is opened and scrolled, and the
// Removal Candidates are opened.
//
// Measured (a harness, not a test: nothing here fails on time):
//   - open: from clicking the Software Subscriptions tab to its first rows shown (the first window
//     read from the core, rendered and painted), to the list saying "N rows", and to the tab's
//     first paint (its loading skeleton, or the list);
//   - scroll: the list's viewport scrolled by BENCH_STEP px on each of BENCH_FRAMES animation
//     frames; the frame intervals (median, 95th percentile, worst), frames over 50 ms, frames in
//     which the middle of the viewport showed no row (rendering fell behind) or a row whose
//     window was still being read, and the most rows ever in the DOM (virtualization keeps it
//     small);
//   - the floor: a plain static HTML list laid over the viewport, scrolled the same way, and the
//     window's frames with nothing changing;
//   - jump: scrollTop set to the end; the time until the last row is rendered (its window read);
//   - one window of 200 rows read through IPC from the page (the core's query, the answer): the
//     median of 5 calls, for the list's default order, another sort, a filter, the last window, and
//     the candidates;
//   - settled: the list opened again the same way on the profile page reloaded, scrolled to the
//     related lists' tabs and left alone for SETTLE_MS after its License Usage view is drawn (the first opening comes right after the
//     refreshes end, while the page reads and draws again what they changed);
//   - Removal Candidates: from clicking the screen in the navigation to its first rows, with the
//     rules as the sync created them; then, with the Smartsheet Member rule's Last activity
//     threshold lowered to BENCH_THRESHOLD days (and no grace period) and the candidates
//     recomputed, from clicking the profile's Removal Candidates tab to its first rows. The
//     candidate counts are reported.
// It fails only when the app does not show the rows. Results go to BENCH_OUT as JSON.
//
// Run through tests/e2e/run-bench.sh (Xvfb, keyring, tauri-driver, like the real-window tests).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";

import { By, Key } from "selenium-webdriver";

import {
  click,
  clickXpath,
  createProfile,
  delay,
  driver,
  field,
  noDialog,
  retrying,
  shot,
  simInfo,
  startApp,
  startSimulator,
  succeededRuns,
  teardown,
  validateAndPublish,
  waitForText,
  xpathText,
} from "./harness.mjs";

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const FRAMES = Number(process.env.BENCH_FRAMES ?? 600);
const STEP = Number(process.env.BENCH_STEP ?? 40);
const THRESHOLD = Number(process.env.BENCH_THRESHOLD ?? 1);
const EVENTS = process.env.BENCH_EVENTS ? Number(process.env.BENCH_EVENTS) : null;
const OUT = process.env.BENCH_OUT;
/** How long the reloaded page is left alone before the list is opened on it again. */
const SETTLE_MS = 3_000;
/** How many times each list is opened on a settled page (the median is reported). */
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);
assert.ok(OUT, "BENCH_OUT must name the JSON file to write");

const rowsText = `${new Intl.NumberFormat("en-US").format(USERS)} rows`;

/** Scrolls the list's viewport on every animation frame and reports what each frame looked like. */
const SCROLL = `
const [frames, step, done] = arguments;
const viewport = document.querySelector('[data-testid="subscriptions-table"] [data-testid="table-viewport"]');
viewport.scrollIntoView({ block: "end" });
const intervals = [];
let maxRows = 0, blank = 0, loading = 0, frame = 0, last = 0;
const tick = (now) => {
  if (last) intervals.push(now - last);
  last = now;
  maxRows = Math.max(maxRows, viewport.querySelectorAll("tbody tr").length);
  const box = viewport.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + 40, box.top + box.height / 2);
  // A row whose window is still being read is a placeholder (data-loading): not a row shown.
  const row = hit?.closest("tbody tr[aria-rowindex]");
  if (frame > 0 && !row) blank += 1;
  else if (frame > 0 && row.hasAttribute("data-loading")) loading += 1;
  if (frame++ >= frames) return done({ intervals, maxRows, blank, loading, scrolled: viewport.scrollTop });
  const end = viewport.scrollHeight - viewport.clientHeight;
  viewport.scrollTop = viewport.scrollTop + step > end ? 0 : viewport.scrollTop + step;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
`;

/** Animation frames on the page as it is, with nothing done in them. */
const IDLE = `
const [frames, done] = arguments;
const intervals = [];
let last = 0;
const tick = (now) => {
  if (last) intervals.push(now - last);
  last = now;
  if (intervals.length >= frames) return done(intervals);
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
`;

/**
 * The floor: a plain static list (2,000 one-line rows of the same height, no React, no table)
 * laid over the list's viewport at its size, scrolled the same way.
 */
const PLAIN = `
const [frames, step, done] = arguments;
const viewport = document.querySelector('[data-testid="subscriptions-table"] [data-testid="table-viewport"]');
const box = viewport.getBoundingClientRect();
const plain = document.createElement("div");
plain.style.cssText = "position:fixed;overflow:auto;background:#fff;z-index:10000;font:14px sans-serif;" +
  "left:" + box.left + "px;top:" + box.top + "px;width:" + box.width + "px;height:" + box.height + "px";
plain.innerHTML = Array.from({ length: 2000 }, (_, i) =>
  '<div style="height:36px;line-height:36px;border-bottom:1px solid #dee2e6;white-space:nowrap">Row ' + i +
  " · Firstname Lastname · firstname.lastname@example.com · MEMBER · Active · Internal</div>").join("");
document.body.appendChild(plain);
const intervals = [];
let last = 0;
const tick = (now) => {
  if (last) intervals.push(now - last);
  last = now;
  if (intervals.length >= frames) { plain.remove(); return done(intervals); }
  const end = plain.scrollHeight - plain.clientHeight;
  plain.scrollTop = plain.scrollTop + step > end ? 0 : plain.scrollTop + step;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
`;

/** Jumps to the end of the list; resolves with the milliseconds until its last row is rendered. */
const JUMP = `
const [rows, done] = arguments;
const viewport = document.querySelector('[data-testid="subscriptions-table"] [data-testid="table-viewport"]');
const start = performance.now();
viewport.scrollTop = viewport.scrollHeight;
const look = () =>
  viewport.querySelector('tbody tr[aria-rowindex="' + (rows + 1) + '"]:not([data-loading])')
    ? done(performance.now() - start)
    : performance.now() - start > 10000 ? done(null) : requestAnimationFrame(look);
requestAnimationFrame(look);
`;

/**
 * Clicks the element at the XPath `target`; resolves with the milliseconds until a frame has been
 * painted after: the element matching the CSS `panel` is in the document (`panelMs`: what the
 * click shows first, a skeleton or the list), the first row matching the CSS `rows` is
 * (`rowsMs`), and the element matching the CSS `count` has a text matching the regular
 * expression `pattern` (`textMs`, and that `text`) — or, when the element matching the CSS
 * `empty` shows instead of rows, `empty: true`. After a minute without either, `rowsMs` is null.
 * `domMs`: when the first row was put in the document (before its layout and paint).
 */
const FIRST_ROWS = `
const [{ target, rows, count, pattern, empty, panel }, done] = arguments;
const el = document.evaluate(target, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
if (!el) return done({ error: "nothing to click at " + target });
const want = new RegExp(pattern);
let textMs = null, text = null, panelMs = null, domMs = null;
const start = performance.now();
// When React puts the first row in the document (before layout and paint).
const watch = new MutationObserver(() => {
  if (domMs === null && document.querySelector(rows)) domMs = performance.now() - start;
});
watch.observe(document.body, { childList: true, subtree: true });
const finish = (result) => { watch.disconnect(); done({ ...result, domMs }); };
el.click();
const look = () => {
  const now = performance.now();
  if (panelMs === null && document.querySelector(panel)) panelMs = now - start;
  const shown = document.querySelector(count)?.textContent ?? "";
  if (textMs === null && want.test(shown)) { textMs = now - start; text = shown; }
  if (document.querySelector(rows) && textMs !== null) return finish({ rowsMs: now - start, textMs, text, panelMs });
  if (empty && document.querySelector(empty)) return finish({ empty: true, rowsMs: now - start, textMs, text: shown, panelMs });
  if (now - start > 60000) return finish({ rowsMs: null, textMs, text: shown, panelMs });
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
`;

/**
 * Clicks `target` and times the License Usage view until it shows everything: the headline
 * figures, a row of the table per model and `charts` drawn charts (SVG surfaces).
 */
const USAGE_VIEW = `
const [{ target, charts }, done] = arguments;
const el = document.evaluate(target, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
if (!el) return done({ error: "nothing to click at " + target });
const start = performance.now();
let figuresMs = null, tableMs = null;
el.click();
const look = () => {
  const now = performance.now();
  if (figuresMs === null && document.querySelector('[data-testid="headline-figures"]')) figuresMs = now - start;
  if (tableMs === null && document.querySelector('[data-testid="usage-models-table"] tbody tr')) tableMs = now - start;
  const drawn = document.querySelectorAll('[data-testid="usage-charts"] svg.recharts-surface').length;
  if (figuresMs !== null && tableMs !== null && drawn >= charts) return done({ allMs: now - start, figuresMs, tableMs, drawn });
  if (now - start > 60000) return done({ allMs: null, figuresMs, tableMs, drawn });
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
`;

/**
 * Runs one of the measuring scripts above in the page; resolves with what it passes to its
 * callback. The result travels as JSON text: WebKitWebDriver once refused a measurement's array of
 * frame times ("Could not parse script result", in CI at the floor's 120 frames) and failed the run,
 * while a string always comes back whole.
 */
async function measure(script, ...args) {
  const wrapped = `const args = Array.prototype.slice.call(arguments);
const done = args.pop();
return (function () {
${script}
}).apply(this, args.concat([(value) => done(JSON.stringify(value === undefined ? null : value))]));`;
  return JSON.parse(await driver.executeAsyncScript(wrapped, ...args));
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Calls a command of the app `times` times through IPC, one after the other, from the page;
 * resolves with the milliseconds of each (the core's query, the answer's serialization and IPC).
 * `args` may name the profile as "$profile": the id of the bench's profile.
 */
const IPC = `
const [cmd, args, times, done] = arguments;
const { invoke } = window.__TAURI_INTERNALS__;
(async () => {
  const profiles = await invoke("list_profiles", {});
  const id = profiles.find((p) => p.displayName === "Scroll bench").id;
  const body = JSON.parse(JSON.stringify(args).replaceAll('"$profile"', String(id)));
  const ms = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await invoke(cmd, body);
    ms.push(performance.now() - start);
  }
  done({ ms });
})().catch((e) => done({ error: String(e) }));
`;

/** The median time of `times` calls of `cmd` through IPC. */
async function ipcMedian(cmd, args, times = 5) {
  const result = await measure(IPC, cmd, args, times);
  assert.ok(!result.error, `${cmd}: ${result.error}`);
  return Math.round(quantile([...result.ms].sort((a, b) => a - b), 0.5));
}

const windowRequest = (profile, extra = {}) => ({
  request: { profileId: profile, filter: {}, sort: "email", descending: false, offset: 0, limit: 200, ...extra },
});

const CANDIDATE_ROW = '[data-testid="candidates-viewport"] tbody tr[aria-rowindex="2"]:not([data-testid="row-loading"])';
const navLink = (label, nav) =>
  `//nav[@aria-labelledby=${JSON.stringify(nav)}]//a[.//*[${xpathText(label)}] or ${xpathText(label)}]`;

/**
 * Clicks `target` (the screen in the navigation or the profile's tab) and times the first removal
 * candidates shown; with `mayBeEmpty`, an organization without candidates is reported as 0.
 */
async function openCandidates(target, what, { mayBeEmpty = false } = {}) {
  const result = await measure(FIRST_ROWS, {
    target,
    rows: CANDIDATE_ROW,
    count: '[data-testid="candidate-count"]',
    pattern: "\\d",
    empty: mayBeEmpty ? '[data-testid="candidates-empty"]' : null,
    panel: '[data-testid="candidate-review"]',
  });
  assert.ok(!result.error, result.error);
  await driver.executeScript(`document.querySelector('[data-testid="candidate-review"]')?.scrollIntoView()`);
  await shot(what);
  assert.notEqual(result.rowsMs, null, `${what}: the removal candidates never showed (${result.text})`);
  const panelMs = result.panelMs === null ? null : Math.round(result.panelMs);
  if (result.empty) return { candidates: 0, firstRowsMs: null, panelMs };
  const rowsInDocumentMs = Math.round(result.domMs);
  return { candidates: Number(result.text.replace(/[^\d]/g, "")), firstRowsMs: Math.round(result.rowsMs), panelMs, rowsInDocumentMs };
}

const SUBSCRIPTIONS_TAB = `//button[@role='tab'][${xpathText("Software Subscriptions")}]`;
const CANDIDATES_TAB = `//button[@role='tab'][${xpathText("Removal Candidates")}]`;

/**
 * The profile page reloaded and settled: its License Usage view drawn, the related lists' tab at
 * `tab` scrolled to the top of the window, then SETTLE_MS left alone.
 */
async function settledProfilePage(tab) {
  await clickXpath(navLink("Scroll bench", "profile-nav-title"));
  await driver.navigate().refresh();
  await retrying("the profile page's charts drawn after the reload", async () =>
    (await driver.findElements(By.css('[data-testid="usage-charts"] svg.recharts-surface'))).length >= 3,
  60_000);
  await driver.executeScript(
    `document.evaluate(arguments[0], document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.scrollIntoView({ block: "start" })`,
    tab,
  );
  await delay(SETTLE_MS);
}

/** Each measure's median over samples, and every sample's first rows. */
function medians(samples) {
  const median = (key) => quantile(samples.map((s) => s[key]).sort((a, b) => a - b), 0.5);
  return {
    firstRowsMs: median("firstRowsMs"),
    rowsInDocumentMs: median("rowsInDocumentMs"),
    panelMs: median("panelMs"),
    allFirstRowsMs: samples.map((s) => s.firstRowsMs),
  };
}

/** Clicks the Software Subscriptions tab and times its first rows (FIRST_ROWS); `what` names the opening in failures. */
async function openSubscriptions(what) {
  const result = await measure(FIRST_ROWS, {
    target: SUBSCRIPTIONS_TAB,
    rows: '[data-testid="subscriptions-table"] tbody tr[aria-rowindex="2"]:not([data-loading])',
    count: '[data-testid="subscriptions-table"] [data-testid="row-count"]',
    pattern: `^${rowsText}$`,
    empty: null,
    panel: '[data-testid="table-loading"], [data-testid="subscriptions-table"]',
  });
  assert.ok(!result.error, result.error);
  assert.notEqual(result.rowsMs, null, `${what} never showed (the count said "${result.text}")`);
  return result;
}

/** Sets the number field labelled `label` to `value` (empties it, then types). */
async function setNumber(label, value) {
  await retrying(`set "${label}" to ${value}`, async () => {
    const input = await field(label);
    await input.click();
    // WebKitWebDriver does not send Ctrl+A: empty the field from its end.
    await input.sendKeys(Key.END, ...Array(12).fill(Key.BACK_SPACE), value);
    // The field shows its unit after the number ("1 days").
    const shown = await driver.executeScript("return arguments[0].value", input);
    return shown.replace(/\D/g, "") === value;
  });
}


try {
  // With BENCH_EVENTS, that many events over 60 days (the License Usage view's daily active users
  // and days since last activity come from them); else one day of history.
  await startSimulator(EVENTS === null ? { users: USERS, days: 1 } : { users: USERS, days: 60, events: EVENTS });
  await startApp();
  await createProfile("Scroll bench", "Bench", simInfo.tokens.admin);
  await validateAndPublish();
  // The first refreshes, of subscriptions and then of events, and the reconciliation due at
  // publishing: the app keeps to Smartsheet's 300 requests a minute, so 50,000 users (500 pages)
  // take about a minute. All three are over before anything is measured, so that no sync shares
  // the two cores with the window.
  await click("Scheduled Job Results");
  await succeededRuns(3, 5 * 60_000);

  await driver.manage().setTimeouts({ script: 120_000 });
  const open = await openSubscriptions("the subscriptions");
  await waitForText("subscriptions-table", rowsText);
  await driver.executeScript(`document.querySelector('[data-testid="subscriptions-table"]').scrollIntoView()`);
  await shot("bench-subscriptions");

  // The same frames with nothing scrolled: what this display gives any page.
  const idle = await measure(IDLE, 120);
  const scroll = await measure(SCROLL, FRAMES, STEP);
  const plain = await measure(PLAIN, FRAMES, STEP);
  const jumpMs = await measure(JUMP, USERS);
  await shot("bench-scrolled");

  // Removal Candidates, across profiles, first opened: the rules as the sync made them.
  const screen = await openCandidates(navLink("Removal Candidates", "reclaim-nav-title"), "bench-candidates", {
    mayBeEmpty: true,
  });
  // The paid rule's Last activity threshold lowered, no grace period, the candidates recomputed.
  await clickXpath(navLink("Reclamation Rules", "reclaim-nav-title"));
  await clickXpath(`//button[@aria-label=${JSON.stringify("Edit the rule of Smartsheet Member")}]`);
  await setNumber("Last activity threshold", String(THRESHOLD));
  await setNumber("Grace period for new accounts", "0");
  await click("Save", "//section[@role='dialog']");
  await noDialog();
  await clickXpath(navLink("Removal Candidates", "reclaim-nav-title"));
  await click("Recompute candidates");
  await retrying("the candidates recomputed", async () =>
    (await driver.findElements(By.xpath(`//*[${xpathText("Candidates recomputed")}]`))).length > 0,
  );
  await shot("bench-candidates-recomputed");
  // The profile's related list: another filter than the screen's, so none of its windows is cached.
  await clickXpath(navLink("Scroll bench", "profile-nav-title"));
  const related = await openCandidates(CANDIDATES_TAB, "bench-candidates-lowered");

  // The License Usage view, first opened (nothing of it cached), from the app's navigation: the
  // figures, the table and the charts, aggregated in the core from every user and event.
  const usage = await measure(USAGE_VIEW, {
    target: navLink("License Usage", "license-nav-title"),
    charts: 3,
  });
  assert.ok(!usage.error, usage.error);
  assert.notEqual(usage.allMs, null, `the License Usage view never showed everything: ${JSON.stringify(usage)}`);
  await shot("bench-license-usage");
  const usageIpcMs = await ipcMedian("license_usage", { profileId: "$profile" });

  // One window of 200 rows through IPC, as the lists read them: the core's query and the answer.
  const ipcWindowMs = {
    subscriptions: await ipcMedian("list_subscriptions_page", windowRequest("$profile")),
    subscriptionsByLastActivity: await ipcMedian("list_subscriptions_page", windowRequest("$profile", { sort: "lastActivity" })),
    subscriptionsFiltered: await ipcMedian(
      "list_subscriptions_page",
      windowRequest("$profile", { filter: { excluded: false, search: "a" } }),
    ),
    subscriptions20: await ipcMedian("list_subscriptions_page", windowRequest("$profile", { limit: 20 })),
    // A profile without subscriptions: the IPC round trip with (almost) no query and no rows.
    floor: await ipcMedian("list_subscriptions_page", windowRequest(-1)),
    subscriptionsLast: await ipcMedian("list_subscriptions_page", windowRequest("$profile", { offset: Math.max(USERS - 200, 0) })),
    candidates: await ipcMedian("list_candidates", {
      request: { filter: { profileId: "$profile" }, sort: "inactiveDays", descending: true, offset: 0, limit: 200 },
    }),
  };

  // The lists opened again on a settled page, SAMPLES times each (one opening on this 2-core
  // machine varies by a factor of two): the profile page reloaded (nothing of it cached in the
  // page), its License Usage view drawn, the related lists' tabs scrolled into view (where the
  // admin is when they click one; the reload brings the page back to its top) and the page left
  // alone for a few seconds, then the tab clicked. The first openings above come right after the
  // refreshes end, or after another screen, while the page still reads and draws what changed.
  const settled = { subscriptions: [], candidates: [] };
  for (let sample = 0; sample < SAMPLES; sample += 1) {
    for (const [list, open] of [
      ["subscriptions", () => openSubscriptions("the subscriptions on the settled page")],
      ["candidates", () => openCandidates(CANDIDATES_TAB, "bench-candidates-settled")],
    ]) {
      await settledProfilePage(list === "subscriptions" ? SUBSCRIPTIONS_TAB : CANDIDATES_TAB);
      const opened = await open();
      settled[list].push({
        firstRowsMs: Math.round(opened.rowsMs ?? opened.firstRowsMs),
        rowsInDocumentMs: Math.round(opened.domMs ?? opened.rowsInDocumentMs),
        panelMs: Math.round(opened.panelMs),
      });
    }
  }
  await shot("bench-subscriptions-settled");

  const sorted = [...scroll.intervals].sort((a, b) => a - b);
  const idleSorted = [...idle].sort((a, b) => a - b);
  const plainSorted = [...plain].sort((a, b) => a - b);
  const result = {
    users: USERS,
    events: EVENTS,
    firstRowsMs: Math.round(open.rowsMs),
    panelMs: Math.round(open.panelMs),
    rowsInDocumentMs: Math.round(open.domMs),
    openMs: Math.round(open.textMs),
    settled: {
      settleMs: SETTLE_MS,
      samples: SAMPLES,
      subscriptions: medians(settled.subscriptions),
      candidates: medians(settled.candidates),
    },
    frames: scroll.intervals.length,
    stepPx: STEP,
    frameMs: { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), worst: sorted.at(-1) },
    idleFrameMs: { median: quantile(idleSorted, 0.5), p95: quantile(idleSorted, 0.95) },
    plainFrameMs: { median: quantile(plainSorted, 0.5), p95: quantile(plainSorted, 0.95) },
    framesOver50ms: sorted.filter((ms) => ms > 50).length,
    blankFrames: scroll.blank,
    loadingFrames: scroll.loading,
    maxRowsInDom: scroll.maxRows,
    jumpToEndMs: jumpMs === null ? null : Math.round(jumpMs),
    ipcWindowMs,
    candidates: {
      screen,
      thresholdDays: THRESHOLD,
      related,
    },
    licenseUsage: {
      allMs: Math.round(usage.allMs),
      figuresMs: Math.round(usage.figuresMs),
      tableMs: Math.round(usage.tableMs),
      charts: usage.drawn,
      ipcMs: usageIpcMs,
    },
  };
  writeFileSync(OUT, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  assert.ok(scroll.maxRows > 0 && scroll.maxRows < 200, `virtualization: ${scroll.maxRows} rows in the DOM`);
  assert.notEqual(jumpMs, null, "the last row never rendered after a jump to the end");
} finally {
  await teardown();
}
