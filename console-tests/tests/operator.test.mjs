// The operator's pages: the register (a participant registered with its public key, its roles
// changed, suspended and let back), reference data, and the server's health; an authority
// reads the register but cannot change it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, freshPage, inEveryLanguage, launch, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the operator registers a participant, changes it, suspends it and lets it back", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "operator", "en");
  await page.click("nav.menu a[href='/console/participants']");
  assert.ok((await page.locator("#participants tbody tr").count()) >= 10, "the demo's participants");
  await inEveryLanguage(page, "participants");

  const id = "990340000400";
  await page.fill("#id", id);
  await page.fill("#name", "ТОО «Консоль Тест»");
  await page.check("#register input[name=role][value=wholesaler]");
  await page.fill("#public_key", "ab".repeat(32));
  await Promise.all([page.waitForURL(new RegExp(`/console/participants/${id}$`)), page.click("#register button")]);
  assert.match(await page.locator("#participant").innerText(), /wholesaler/);
  await inEveryLanguage(page, "participant");

  await page.check("#change input[name=role][value=retailer]");
  await Promise.all([page.waitForLoadState("load"), page.click("#change button")]);
  assert.match(await page.locator("#participant").innerText(), /shop/);
  await Promise.all([page.waitForLoadState("load"), page.click("#suspend")]);
  assert.match(await page.locator("#status").innerText(), /suspended/);
  await Promise.all([page.waitForLoadState("load"), page.click("#lift")]);
  assert.match(await page.locator("#status").innerText(), /active/);

  await page.click("nav.menu a[href='/console/reference']");
  assert.match(await page.locator("#in-force").innerText(), /\d/);
  await inEveryLanguage(page, "reference");
  await page.click("nav.menu a[href='/console/health']");
  assert.match(await page.locator("#serving").innerText(), /yes/);
  await inEveryLanguage(page, "health");
  await context.close();
});

test("an authority reads the register but its changes are refused", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "sanitary", "en");
  await page.goto(`${base}/console/participants`);
  assert.equal(await page.locator("#register").count(), 0, "no register form");
  const answer = await page.request.post(`${base}/console/participants`, {
    form: { csrf: "x", id: "990340000400", name: "x", public_key: "ab".repeat(32) },
  });
  assert.equal(answer.status(), 403);
  await context.close();
});
