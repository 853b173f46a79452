// Owners' statistics in the browser (R-IS-14): a producer's own figures drawn as charts on the
// server (inline SVG, no script) with the same figures in tables, in every language; a
// ministry reads a producer's by its BIN, a shop may not.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, freshPage, inEveryLanguage, launch, participant, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The charts drawn on the page, each with its size on screen.
async function charts(page) {
  return page.locator("svg.chart").evaluateAll((svgs) => svgs.map((svg) => {
    const box = svg.getBoundingClientRect();
    return { width: box.width, height: box.height, marks: svg.querySelectorAll("rect").length };
  }));
}

test("a producer sees its stock and flows as charts, in every language", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "water", "en");
  await page.goto(`${base}/console/statistics`);
  const drawn = await charts(page);
  assert.equal(drawn.length, 3, "stock, products held, flows per day");
  for (const chart of drawn) {
    assert.ok(chart.width > 300 && chart.height > 40 && chart.marks > 0, JSON.stringify(chart));
  }
  assert.match(await page.locator("#stock").innerText(), /in circulation/);
  assert.match(await page.locator("#flows").innerText(), /issued/);
  await inEveryLanguage(page, "statistics");
  await context.close();
});

test("a ministry reads a producer's statistics, a shop may not", async () => {
  const water = participant("water").id;
  const ministry = await freshPage(browser);
  await signIn(ministry.page, "ministry", "en");
  await ministry.page.goto(`${base}/console/statistics?owner=${water}`);
  assert.match(await ministry.page.locator("#heading").innerText(), new RegExp(water));
  assert.equal((await charts(ministry.page)).length, 3);
  await ministry.context.close();

  const shop = await freshPage(browser);
  await signIn(shop.page, "shop_almaty", "en");
  const refused = await shop.page.goto(`${base}/console/statistics?owner=${water}`);
  assert.equal(refused.status(), 403);
  await shop.context.close();
});
