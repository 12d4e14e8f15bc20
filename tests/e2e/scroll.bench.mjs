// The UI benchmark: a related list of `BENCH_USERS` subscriptions (default 50,000) in the real app
// window. A profile is created against a simulator of that size, published, and its first
// subscriptions refresh fills Software Subscriptions; then the list is opened and scrolled.
//
// Measured (a harness, not a test: nothing here fails on time):
//   - open: from clicking the Software Subscriptions tab to the list saying "N rows" (the IPC
//     answer with every row, and the first render);
//   - scroll: the list's viewport scrolled by BENCH_STEP px on each of BENCH_FRAMES animation
//     frames; the frame intervals (median, 95th percentile, worst), frames over 50 ms, frames in
//     which the middle of the viewport showed no row (rendering fell behind), and the most rows
//     ever in the DOM (virtualization keeps it small);
//   - the floor: a plain static HTML list laid over the viewport, scrolled the same way, and the
//     window's frames with nothing changing;
//   - jump: scrollTop set to the end; the time until the last row is rendered.
// It fails only when the app does not show the rows. Results go to BENCH_OUT as JSON.
//
// Run through tests/e2e/run-bench.sh (Xvfb, keyring, tauri-driver, like the real-window tests).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";

import {
  click,
  createProfile,
  driver,
  shot,
  simInfo,
  startApp,
  startSimulator,
  succeededRuns,
  teardown,
  validateAndPublish,
  waitForText,
} from "./harness.mjs";

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const FRAMES = Number(process.env.BENCH_FRAMES ?? 600);
const STEP = Number(process.env.BENCH_STEP ?? 40);
const OUT = process.env.BENCH_OUT;
assert.ok(OUT, "BENCH_OUT must name the JSON file to write");

const rowsText = `${new Intl.NumberFormat("en-US").format(USERS)} rows`;

/** Scrolls the list's viewport on every animation frame and reports what each frame looked like. */
const SCROLL = `
const [frames, step, done] = arguments;
const viewport = document.querySelector('[data-testid="subscriptions-table"] [data-testid="table-viewport"]');
viewport.scrollIntoView({ block: "end" });
const intervals = [];
let maxRows = 0, blank = 0, frame = 0, last = 0;
const tick = (now) => {
  if (last) intervals.push(now - last);
  last = now;
  maxRows = Math.max(maxRows, viewport.querySelectorAll("tbody tr").length);
  const box = viewport.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + 40, box.top + box.height / 2);
  if (frame > 0 && !hit?.closest("tbody tr[aria-rowindex]")) blank += 1;
  if (frame++ >= frames) return done({ intervals, maxRows, blank, scrolled: viewport.scrollTop });
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
  viewport.querySelector('tbody tr[aria-rowindex="' + (rows + 1) + '"]')
    ? done(performance.now() - start)
    : performance.now() - start > 10000 ? done(null) : requestAnimationFrame(look);
requestAnimationFrame(look);
`;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

try {
  await startSimulator({ users: USERS, days: 1 });
  await startApp();
  await createProfile("Scroll bench", "Bench", simInfo.tokens.admin);
  await validateAndPublish();
  // The first refreshes, of subscriptions and then of events: the app keeps to Smartsheet's 300
  // requests a minute, so 50,000 users (500 pages) take about a minute. Both are over before
  // anything is measured, so that no sync shares the two cores with the window.
  await click("Scheduled Job Results");
  await succeededRuns(2, 5 * 60_000);

  const opened = performance.now();
  await click("Software Subscriptions");
  await waitForText("subscriptions-table", rowsText);
  const openMs = performance.now() - opened;
  await shot("bench-subscriptions");

  await driver.manage().setTimeouts({ script: 120_000 });
  // The same frames with nothing scrolled: what this display gives any page.
  const idle = await driver.executeAsyncScript(IDLE, 120);
  const scroll = await driver.executeAsyncScript(SCROLL, FRAMES, STEP);
  const plain = await driver.executeAsyncScript(PLAIN, FRAMES, STEP);
  const jumpMs = await driver.executeAsyncScript(JUMP, USERS);
  await shot("bench-scrolled");
  const sorted = [...scroll.intervals].sort((a, b) => a - b);
  const idleSorted = [...idle].sort((a, b) => a - b);
  const plainSorted = [...plain].sort((a, b) => a - b);
  const result = {
    users: USERS,
    openMs: Math.round(openMs),
    frames: scroll.intervals.length,
    stepPx: STEP,
    frameMs: { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), worst: sorted.at(-1) },
    idleFrameMs: { median: quantile(idleSorted, 0.5), p95: quantile(idleSorted, 0.95) },
    plainFrameMs: { median: quantile(plainSorted, 0.5), p95: quantile(plainSorted, 0.95) },
    framesOver50ms: sorted.filter((ms) => ms > 50).length,
    blankFrames: scroll.blank,
    maxRowsInDom: scroll.maxRows,
    jumpToEndMs: jumpMs === null ? null : Math.round(jumpMs),
  };
  writeFileSync(OUT, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  assert.ok(scroll.maxRows > 0 && scroll.maxRows < 200, `virtualization: ${scroll.maxRows} rows in the DOM`);
  assert.notEqual(jumpMs, null, "the last row never rendered after a jump to the end");
} finally {
  await teardown();
}
