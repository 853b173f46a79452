// A producer's work on its goods in the browser: fresh codes reported applied, introduced,
// packed by hand and packed from an uploaded file, the job's page following the file's
// packages to the end.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { base, freshPage, inEveryLanguage, launch, screenshots, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// GS1's check digit of a string of digits.
function checkDigit(payload) {
  let sum = 0;
  [...payload].reverse().forEach((digit, index) => { sum += Number(digit) * (index % 2 === 0 ? 3 : 1); });
  return String((10 - (sum % 10)) % 10);
}

/// A fresh SSCC with Kazakhstan's prefix, `n` apart from the others of this run.
function sscc(n) {
  const payload = `1487${String(Date.now() % 1e12).padStart(12, "0")}${n}`;
  return `(00)${payload}${checkDigit(payload)}`;
}

/// A raw element string from codes.txt as its key in brackets (no tail); an opening bracket
/// in the serial is escaped, as GS1's bracketed form asks.
function bracketed(raw) {
  const match = /^01(\d{14})21([^\x1d]+)/.exec(raw);
  return `(01)${match[1]}(21)${match[2].replaceAll("(", "\\(")}`;
}

/// Submits the form `selector` and waits for the page it answers with; a refusal fails the
/// test with its words.
async function submit(page, selector) {
  await Promise.all([page.waitForLoadState("load"), page.click(`${selector} button[type=submit]`)]);
  const refusal = page.locator("#error");
  if (await refusal.count()) assert.fail(`${selector}: ${await refusal.innerText()}`);
}

test("a producer applies, introduces and packs its codes, by hand and from a file", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "water", "en");
  // Fresh codes of its water.
  await page.goto(`${base}/console/orders`);
  const gtin = await page.getAttribute("#known-gtins option", "value");
  await page.fill("#gtin", gtin);
  await page.fill("#quantity", "6");
  await Promise.all([page.waitForURL(/\/console\/orders\/\d+$/), page.click("#order-form button")]);
  await page.waitForSelector("#download", { timeout: 60_000 });
  const orderPath = new URL(page.url()).pathname;
  await page.waitForFunction(() => {
    const progress = document.querySelector("#progress progress");
    return progress && progress.value === progress.max;
  }, null, { timeout: 60_000, polling: 500 });
  const raw = (await (await page.request.get(`${base}${orderPath}/codes.txt`)).text()).trim().split("\n");
  const codes = raw.map(bracketed);
  assert.equal(codes.length, 6);

  await page.click("nav.menu a[href='/console/goods']");
  await inEveryLanguage(page, "goods");
  await page.fill("#applied-codes", codes.join("\n"));
  // Made a few days ago (the demo's clock may stand at a working morning before today).
  await page.fill("#production_date", new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10));
  await page.fill("#batch", "B-CONSOLE");
  await submit(page, "#applied");
  assert.match(await page.locator("#done").innerText(), /applied/);
  await page.fill("#introduce-codes", codes.join("\n"));
  await submit(page, "#introduce");
  assert.match(await page.locator("#done").innerText(), /circulation/);
  const box = sscc(1);
  await page.fill("#parent", box);
  await page.fill("#aggregate-codes", codes.slice(0, 2).join("\n"));
  await submit(page, "#aggregate");
  assert.match(await page.locator("#done").innerText(), /package is made/);

  // The rest from a file: two boxes, with a comment line and a line split by a semicolon.
  const file = path.join(screenshots, "packages.csv");
  fs.mkdirSync(screenshots, { recursive: true });
  const [second, third] = [sscc(2), sscc(3)];
  fs.writeFileSync(file, `# box,code\n${second},${codes[2]}\n${second};${codes[3]}\n${third},${codes[4]}\n${third},${codes[5]}\n`);
  await page.setInputFiles("#file", file);
  await Promise.all([page.waitForURL(/\/console\/goods\/jobs\/\d+$/), page.click("#aggregation-file button")]);
  await page.waitForFunction(() => /Finished|Аяқталды|Завершено/.test(document.querySelector("#job-state").textContent),
    null, { timeout: 60_000, polling: 500 });
  assert.match(await page.locator("#job-line").innerText(), /2 of 2 packages done, 0 refused/);
  await inEveryLanguage(page, "job");

  // The card of the box lists what is in it.
  await page.goto(`${base}/console/codes?code=${encodeURIComponent(second)}`);
  assert.match(await page.locator("#card").innerText(), /2/);
  await context.close();
});
