// An authority's pages: a code's card, blocking it and lifting the block; the audit trail
// searched by code and by participant (a shop's attempt on the authority's page is there,
// refused); the public's violation reports as a table and on a map.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, demo, freshPage, inEveryLanguage, launch, participant, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("an authority blocks a code, lifts the block, and finds both in the audit trail", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "sanitary", "en");
  const code = demo.genuine[0].bracketed;
  await page.goto(`${base}/console/codes?code=${encodeURIComponent(code)}`);
  await inEveryLanguage(page, "code");
  assert.match(await page.locator("#status").innerText(), /in circulation/);
  await page.fill("#reason", "Laboratory test pending");
  await Promise.all([page.waitForLoadState("load"), page.click("#block-button")]);
  assert.match(await page.locator("#done").innerText(), /Blocked/);
  assert.match(await page.locator("#card").innerText(), /Laboratory test pending/);
  await Promise.all([page.waitForLoadState("load"), page.click("#unblock-button")]);
  assert.match(await page.locator("#done").innerText(), /lifted/);
  assert.doesNotMatch(await page.locator("#card").innerText(), /Laboratory test pending/);

  // A shop opens the authority's audit page: refused, and audited.
  const { context: shopContext, page: shop } = await freshPage(browser);
  await signIn(shop, "shop_almaty", "en");
  const refused = await shop.goto(`${base}/console/audit`);
  assert.equal(refused.status(), 403);
  shop.problems.length = 0; // the 403 is the point here
  await shopContext.close();

  await page.click("nav.menu a[href='/console/audit']");
  await page.fill("#code", code);
  await Promise.all([page.waitForLoadState("load"), page.click("#audit-search button")]);
  const byCode = await page.locator("#records").innerText();
  assert.match(byCode, /POST \/console\/codes\/block/);
  assert.match(byCode, /POST \/console\/codes\/unblock/);
  await inEveryLanguage(page, "audit");
  await page.fill("#code", "");
  await page.fill("#participant", participant("shop_almaty").id);
  await Promise.all([page.waitForLoadState("load"), page.click("#audit-search button")]);
  assert.match(await page.locator("#records").innerText(), /GET \/console\/audit\s+TANBA-SERVER-FORBIDDEN/);

  // A member of the public reports a counterfeit in Almaty, with a comment that tries a script:
  // the authority's page shows it as text, and the map marks the place.
  const report = await page.request.post(`${base}/v1/reports`, {
    data: { code, kind: "counterfeit", comment: "<script>alert(1)</script> fake", latitude: 43.25, longitude: 76.9 },
  });
  assert.equal(report.status(), 200, await report.text());
  await page.click("nav.menu a[href='/console/reports']");
  assert.match(await page.locator("#reports").innerText(), /<script>alert\(1\)<\/script> fake/);
  assert.equal(await page.locator("#reports script").count(), 0);
  assert.ok((await page.locator("svg#map circle.report").count()) >= 1);
  await inEveryLanguage(page, "reports");
  assert.equal(await page.locator("svg#map").count(), 1);
  await context.close();
});
