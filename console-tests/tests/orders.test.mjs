// A producer orders codes in the browser, watches them being issued, downloads them, and prints
// labels: one label as SVG and a PDF sheet. The labels are read back by libdmtx's dmtxread
// (Debian's dmtx-utils, which nobody here wrote): the symbol must carry exactly the code, as a
// GS1 DataMatrix (FNC1 first).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { base, freshPage, inEveryLanguage, launch, screenshots, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// What dmtxread finds in an image: the decoded text (FNC1 shown as GS) and the codewords.
function decode(image) {
  const text = execFileSync("dmtxread", ["-N1", "-G", "29", "-m", "20000", image]).toString();
  const codewords = execFileSync("dmtxread", ["-N1", "-c", "-m", "20000", image]).toString();
  return { text, codewords };
}

/// Checks a decoded label: the code with FNC1 first (read back as a leading GS).
function assertLabel(decoded, code, where) {
  assert.equal(decoded.text.replace(/^\x1d/, ""), code, `${where}: the symbol carries the code`);
  // dmtxread -c lists the data codewords as "d:N", first to last; 232 is FNC1.
  assert.equal(decoded.codewords.trim().split("\n")[0], "d:232", `${where}: FNC1 first`);
}

test("a producer orders codes, downloads them and prints labels that decode to the codes", async () => {
  const { context, page } = await freshPage(browser, { deviceScaleFactor: 3 });
  await signIn(page, "water", "en");
  await page.click("nav.menu a[href='/console/orders']");
  await inEveryLanguage(page, "orders");
  // The demo ordered codes of its water before: the form offers the products ordered before.
  const gtin = await page.getAttribute("#known-gtins option", "value");
  assert.match(gtin, /^\d{14}$/);
  await page.fill("#gtin", gtin);
  await page.fill("#quantity", "30");
  await Promise.all([page.waitForURL(/\/console\/orders\/\d+$/), page.click("#order-form button")]);
  // The page refreshes itself until every code is issued.
  await page.waitForSelector("#download", { timeout: 60_000 });
  await page.waitForFunction(() => {
    const progress = document.querySelector("#progress progress");
    return progress && progress.value === progress.max;
  }, null, { timeout: 60_000, polling: 500 });
  await inEveryLanguage(page, "order");

  const orderPath = new URL(page.url()).pathname;
  const download = await page.request.get(`${base}${orderPath}/codes.txt`);
  assert.equal(download.status(), 200);
  const codes = (await download.text()).trim().split("\n");
  assert.equal(codes.length, 30);
  assert.ok(codes.every((code) => code.startsWith(`01${gtin}21`)), "every code is the product's");

  // The label images stay with the screenshots (CI keeps them: a label that fails to decode
  // can be looked at).
  const work = path.join(screenshots, "labels");
  fs.mkdirSync(work, { recursive: true });
  // One label as SVG, rendered by the browser at 3 device pixels per CSS pixel.
  const label = await context.newPage();
  await label.goto(`${base}${orderPath}/labels/0.svg?layout=a4-70x37`);
  const svgImage = path.join(work, "label.png");
  await label.locator("svg").screenshot({ path: svgImage });
  await label.close();
  assertLabel(decode(svgImage), codes[0], "SVG label 0");

  // A PDF sheet of 30 labels 52.5 × 29.7 mm (40 a sheet), rasterized at 300 dpi; the labels in
  // the first row and second column, and in the second row and second column, are read.
  const pdf = await page.request.get(`${base}${orderPath}/labels.pdf?layout=a4-52x30&from=0&count=30`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  const pdfFile = path.join(work, "labels.pdf");
  fs.writeFileSync(pdfFile, await pdf.body());
  const dots = (mm) => Math.round((mm / 25.4) * 300);
  for (const [index, column, row] of [[1, 1, 0], [5, 1, 1]]) {
    const prefix = path.join(work, `sheet-${index}`);
    execFileSync("pdftoppm", [
      "-r", "300", "-png", "-singlefile", "-f", "1", "-l", "1",
      "-x", String(dots(52.5 * column)), "-y", String(dots(29.7 * row)),
      "-W", String(dots(52.5)), "-H", String(dots(29.7)), pdfFile, prefix,
    ]);
    assertLabel(decode(`${prefix}.png`), codes[index], `PDF label ${index}`);
  }

  // Another producer's session may not print these codes.
  const { context: other, page: stranger } = await freshPage(browser);
  await signIn(stranger, "dairy", "en");
  const refused = await stranger.request.get(`${base}${orderPath}/codes.txt`);
  assert.equal(refused.status(), 403);
  await other.close();
  await context.close();
});
