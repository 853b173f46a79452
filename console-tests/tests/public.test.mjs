// The public page on a small phone (360×740): a demo code's page at its GS1 Digital Link in each
// language through its own switch (the code's tail kept), a recalled code's notice, the home
// page and the report form alone; then a violation report from the code's page with a comment,
// the phone's location and a small PNG photo, thanked with its number in the visitor's
// language, and found by an authority on its reports page, the comment shown as text.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkPage, demo, freshPage, inEveryLanguage, languages, launch, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// A phone: 360×740, touch, and a position it gives when asked (Almaty).
const phone = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  geolocation: { latitude: 43.2389, longitude: 76.8897 },
  permissions: ["geolocation"],
};

/// A 1×1 PNG image.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/// Nothing wider than the phone's screen.
async function fitsTheScreen(page, name) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${name} is ${width} px wide on a 360 px screen`);
}

test("a code's page speaks each language on a small phone and keeps the code's tail", async () => {
  const { context, page } = await freshPage(browser, phone);
  // The last genuine demo code: the other tests block, sell or ship others.
  const code = demo.genuine[demo.genuine.length - 1];
  const link = new URL(code.digital_link);
  assert.ok(link.search.length > 1, "a demo code's Digital Link carries its tail");
  await page.goto(link.href);
  const texts = await inEveryLanguage(page, "public-check");
  for (const language of languages) assert.ok(texts[language].length > 0);
  const shown = new URL(page.url());
  assert.equal(shown.pathname, link.pathname);
  for (const [name, value] of link.searchParams) {
    assert.equal(shown.searchParams.get(name), value, `the switch keeps ${name}`);
  }
  assert.equal(await page.getAttribute("#verdict", "data-verdict"), "genuine");
  assert.equal(await page.locator("#untailed").count(), 0, "checked with its tail");
  assert.match(await page.locator("#card").innerText(), /\(01\)\d{14}\(21\)/);
  assert.equal(await page.locator("#opt-in-form").count(), 1);
  await fitsTheScreen(page, "the check page");

  // A recalled unit: the notice, in each language.
  await page.goto(demo.recalled[0].digital_link);
  await inEveryLanguage(page, "public-recalled");
  assert.equal(await page.getAttribute("#verdict", "data-verdict"), "recalled");
  assert.ok((await page.locator("#recall").innerText()).length > 20);
  await fitsTheScreen(page, "the recalled page");

  // The home page and the report form alone.
  for (const [path, name] of [["/", "public-home"], ["/check/report", "public-report-form"]]) {
    await page.goto(`${base}${path}`);
    await inEveryLanguage(page, name);
    await fitsTheScreen(page, name);
  }
  await context.close();
});

test("a visitor reports a violation with a photo and a location and gets its number", async () => {
  const { context, page } = await freshPage(browser, phone);
  const code = demo.genuine[demo.genuine.length - 1];
  await page.goto(`${code.digital_link}&lang=ru`);
  await checkPage(page, "public-check", "ru");
  await page.click("#report summary");
  await page.selectOption("#kind", "counterfeit");
  const comment = `<b>Подделка</b> на рынке ${Date.now()}`;
  await page.fill("#comment", comment);
  // The page's script fills the place from the phone's position when asked.
  await page.click("#locate");
  await page.waitForFunction(() => document.querySelector("#latitude").value !== "");
  assert.equal(Number(await page.inputValue("#latitude")).toFixed(2), "43.24");
  assert.equal(Number(await page.inputValue("#longitude")).toFixed(2), "76.89");
  await page.setInputFiles("#photo", { name: "photo.png", mimeType: "image/png", buffer: png });
  await checkPage(page, "public-report", "ru");
  await fitsTheScreen(page, "the open report form");
  await Promise.all([page.waitForURL(/\/check\/report\?/), page.click("#report-send")]);
  const thanks = await checkPage(page, "public-reported", "ru");
  assert.match(thanks, /Спасибо/);
  const number = Number(await page.locator("#report-number").innerText());
  assert.ok(Number.isInteger(number) && number > 0, `a report number: ${thanks}`);
  await fitsTheScreen(page, "the thanks");
  // Back to the product, in the language of the switch.
  await page.click(".languages a[hreflang=kk]");
  await page.waitForLoadState("load");
  await checkPage(page, "public-check-after-report", "kk");
  assert.equal(await page.getAttribute("#verdict", "data-verdict"), "genuine");
  await context.close();

  // The authority reads it, its markup as text.
  const { context: official, page: desk } = await freshPage(browser);
  await signIn(desk, "sanitary", "en");
  await desk.goto(`${base}/console/reports`);
  const reports = await desk.locator("#reports").innerText();
  assert.ok(reports.includes(comment), `the report is listed: ${reports}`);
  assert.equal(await desk.locator("#reports b").count(), 0, "the comment's markup is text");
  // Its photo, as the image it was sent.
  const row = desk.locator("#reports tr", { hasText: comment });
  const photo = await row.locator("a.photo").getAttribute("href");
  const image = await desk.request.get(`${base}${photo}`);
  assert.equal(image.status(), 200);
  assert.equal(image.headers()["content-type"], "image/png");
  assert.equal(image.headers()["x-content-type-options"], "nosniff");
  await official.close();
});
