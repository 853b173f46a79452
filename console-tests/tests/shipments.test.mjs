// Goods move in the browser: a producer ships codes to a shop, signing the document with its key
// in the browser; the shop opens the incoming shipment, accepts part of it (signed likewise),
// and the rest goes back to the producer; at the till page the shop sells two and takes one
// back. The codes come from an order placed in the browser;
// they are reported applied and introduced through the CLI (those pages come next).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { base, demo, demoDir, freshPage, inEveryLanguage, keyFile, launch, participant, screenshots, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// `tanba client` as a participant, against the demo.
function cli(handle, ...args) {
  const tanba = process.env.TANBA_BIN;
  return execFileSync(tanba, ["client", "--server", demo.grpc, "--key", keyFile(handle), ...args]).toString();
}

/// Orders `quantity` codes of the producer's first product in the browser; their raw forms.
async function orderCodes(page, quantity) {
  await page.goto(`${base}/console/orders`);
  await page.fill("#gtin", await page.getAttribute("#known-gtins option", "value"));
  await page.fill("#quantity", String(quantity));
  await Promise.all([page.waitForURL(/\/console\/orders\/\d+$/), page.click("#order-form button")]);
  await page.waitForSelector("#download", { timeout: 60_000 });
  await page.waitForFunction(() => {
    const progress = document.querySelector("#progress progress");
    return progress && progress.value === progress.max;
  }, null, { timeout: 60_000, polling: 500 });
  const download = await page.request.get(`${page.url()}/codes.txt`);
  return (await download.text()).trim().split("\n");
}

test("a producer ships in the browser and a shop accepts part, each signing with its key", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "water", "en");
  const codes = await orderCodes(page, 6);
  const file = path.join(screenshots, "shipment-codes.txt");
  fs.writeFileSync(file, codes.join("\n") + "\n");
  const today = new Date(Date.now() + 5 * 3600 * 1000).toISOString().slice(0, 10);
  cli("water", "applied", "--production-date", today, "--file", file);
  cli("water", "introduce", "--file", file);

  const shop = participant("shop_almaty");
  await page.goto(`${base}/console/shipments/new`);
  await inEveryLanguage(page, "ship");
  await page.fill("#buyer", shop.id);
  await page.fill("#codes", codes.join("\n"));
  await page.setInputFiles("#key-file", keyFile("water"));
  await Promise.all([page.waitForURL(/\/console\/shipments\/\d+$/), page.click("#ship button[type=submit]")]);
  const documentPath = new URL(page.url()).pathname;
  assert.match(await page.locator("#state").innerText(), /awaiting the buyer/);

  const { context: shopContext, page: shopPage } = await freshPage(browser);
  await signIn(shopPage, "shop_almaty", "en");
  await shopPage.click("nav.menu a[href='/console/shipments']");
  await inEveryLanguage(shopPage, "shipments");
  await shopPage.click(`a[href='${documentPath}']`);
  await inEveryLanguage(shopPage, "shipment");
  // The shop takes four of the six.
  const boxes = shopPage.locator("#items input[type=checkbox]");
  assert.equal(await boxes.count(), 6);
  await boxes.nth(4).uncheck();
  await boxes.nth(5).uncheck();
  await shopPage.setInputFiles("#key-file", keyFile("shop_almaty"));
  await Promise.all([shopPage.waitForLoadState("load"), shopPage.click("#accept")]);
  await shopPage.waitForSelector("#accepted");
  assert.equal(await shopPage.locator("#accepted li").count(), 4);
  assert.equal(await shopPage.locator("#returned li").count(), 2);

  // At the till: two of the accepted codes checked, sold on one receipt, one of them returned.
  await shopPage.click("nav.menu a[href='/console/till']");
  await inEveryLanguage(shopPage, "till");
  await shopPage.fill("#codes", `${codes[0]}\n${codes[1]}\n${codes[5]}`);
  await Promise.all([shopPage.waitForLoadState("load"), shopPage.click("#check")]);
  assert.equal(await shopPage.locator("#checks tr.sellable").count(), 2);
  assert.equal(await shopPage.locator("#checks tr.refused").count(), 1, "the code sent back is not the shop's");
  await shopPage.fill("input[name=price-0]", "209.50");
  await shopPage.fill("input[name=price-1]", "209,50");
  await Promise.all([shopPage.waitForLoadState("load"), shopPage.click("#sell")]);
  const receipt = await shopPage.locator("#receipt-id").innerText();
  assert.match(await shopPage.locator("#outcome").innerText(), /Recorded/);
  await shopPage.fill("#sale-receipt", receipt);
  await shopPage.fill("#return-codes", codes[1]);
  await Promise.all([shopPage.waitForLoadState("load"), shopPage.click("#return button")]);
  assert.match(await shopPage.locator("#outcome").innerText(), /Recorded/);
  await inEveryLanguage(shopPage, "till-returned");
  // The sold code is sold; the returned one can be sold again.
  await shopPage.fill("#codes", `${codes[0]}\n${codes[1]}`);
  await Promise.all([shopPage.waitForLoadState("load"), shopPage.click("#check")]);
  assert.equal(await shopPage.locator("#checks tr.sellable").count(), 1);
  // The shop's receipts list the sale and the return.
  await shopPage.click("nav.menu a[href='/console/receipts']");
  const receipts = await shopPage.locator("#receipts").innerText();
  assert.match(receipts, /sale/);
  assert.match(receipts, /return of receipt/);
  await inEveryLanguage(shopPage, "receipts");

  // Signed with another participant's key file: refused in the browser, nothing sent.
  await page.goto(`${base}/console/shipments/new`);
  await page.fill("#buyer", shop.id);
  await page.fill("#codes", codes[4]);
  await page.setInputFiles("#key-file", keyFile("shop_almaty"));
  await page.click("#ship button[type=submit]");
  await page.waitForSelector(".sign-status.bad");
  assert.match(await page.locator(".sign-status").innerText(), /not the key file/);
  await shopContext.close();
  await context.close();
});
