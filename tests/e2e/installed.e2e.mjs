// The installed package (tests/package/run.sh): the binary the .deb put in place starts in a real
// window, titled Seatkeeper, on the welcome screen of a new user.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { By } from "selenium-webdriver";

import { driver, retrying, shot, startApp, teardown } from "./harness.mjs";

before(async () => {
  assert.ok(process.env.APP_BIN, "APP_BIN must name the installed binary");
  await startApp();
});

after(teardown);

test("the installed app opens its window on the welcome screen", async () => {
  assert.equal(await driver.getTitle(), "Seatkeeper");
  const heading = await retrying("the welcome screen", async () => {
    const [found] = await driver.findElements(By.xpath("//h2[normalize-space()='Welcome to Seatkeeper']"));
    return found ?? false;
  });
  assert.ok(await heading.isDisplayed());
  const [demo] = await driver.findElements(By.xpath("//button[normalize-space()='Try the demo organization']"));
  assert.ok(demo, "the welcome screen offers the demo organization");
  await shot("installed-welcome");
});
