// Cases in the browser: the producer's recall with its terms and its holders' effectiveness;
// a new recall opened and started through forms drawn from the definition, each step signed
// in the page with the producer's key file; the authority finds it among its own cases.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fs from "node:fs";
import path from "node:path";
import { base, demo, freshPage, inEveryLanguage, keyFile, launch, participant, screenshots, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// `YYYY-MM-DDTHH:MM` of `days` ago, as a date-and-time box takes it.
function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 16);
}

/// Signs the step form shown with `handle`'s key file and waits for the case page it leads to.
async function signAndSubmit(page, handle) {
  await page.setInputFiles("#key-file", keyFile(handle));
  await Promise.all([
    page.waitForURL(/\/console\/cases\/\d+$/),
    page.click("#step-button"),
  ]);
}

test("a producer follows its recall: terms, holders and what became of their units", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "water", "en");
  await page.click("nav.menu a[href='/console/cases']");
  const row = page.locator(`#case-${demo.recall_case}`);
  assert.match(await row.innerText(), /recall/i);
  await inEveryLanguage(page, "cases");

  await page.click(`#case-${demo.recall_case} a`);
  assert.ok((await page.locator("#clocks tbody tr").count()) >= 1, "the recall's terms are shown");
  assert.ok((await page.locator("#history li").count()) >= 2, "ground and start are in the history");
  await inEveryLanguage(page, "case");

  await page.click("#holders-link");
  const holders = page.locator("#holders tbody tr");
  assert.ok((await holders.count()) >= 1, "the wholesaler and the shops held recalled units");
  assert.match(await page.locator("#total").innerText(), /\d/);
  await inEveryLanguage(page, "holders");
  await context.close();
});

test("a producer opens and starts a recall through signed forms; the authority sees it", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "water", "en");
  await page.goto(`${base}/console/cases`);
  await page.click("#open a[href='/console/cases/new/recall/establish_ground']");
  await inEveryLanguage(page, "case-new");
  const standards = participant("standards").id;
  await page.fill("#authority", standards);
  await page.fill("[name='f.ground_arose_at']", daysAgo(2));
  await page.fill("[name='f.detected_at']", daysAgo(3));
  await page.fill("[name='f.product_name']", "Spring water, 0.5 l");
  await page.fill("[name='f.non_conformity']", "Nitrates above the limit of TR CU 021/2011");
  // Another participant's key file does not sign the producer's step: the page says so.
  await page.setInputFiles("#key-file", keyFile("shop_almaty"));
  await page.click("#step-button");
  await page.waitForSelector(".sign-status.bad");
  assert.match(page.url(), /\/console\/cases\/new\//);
  // A laboratory's finding goes with the ground: uploaded, then named in the signed bytes.
  const finding = path.join(screenshots, "lab-finding.txt");
  fs.mkdirSync(screenshots, { recursive: true });
  fs.writeFileSync(finding, "Nitrates 62 mg/l against 45 mg/l allowed.\n");
  await page.setInputFiles("#attach", finding);
  await signAndSubmit(page, "water");
  assert.match(await page.locator("#files").innerText(), /lab-finding\.txt/);
  const opened = Number(new URL(page.url()).pathname.split("/").pop());
  assert.ok(opened > demo.recall_case);
  assert.deepEqual(page.problems, []);

  // The next step: the recall's scope, from the form the definition's table draws.
  await page.click("#steps a[href$='step=start_recall']");
  const gtin = /\(01\)(\d{14})/.exec(demo.genuine[0].bracketed)[1];
  await page.fill("[name='f.gtin']", gtin);
  // A batch no demo code carries: the other tests' goods stay unblocked.
  await page.fill("[name='f.batch']", "CONSOLE-TEST");
  await page.fill("[name='f.contacts']", "+7 727 300 00 00");
  await page.fill("[name='f.collection_points']", "Almaty, Abai ave. 1");
  await page.fill("[name='f.responsible_persons']", "A. Seitkali, quality director");
  await signAndSubmit(page, "water");
  assert.ok((await page.locator("#clocks tbody tr").count()) >= 1, "starting the recall started its terms");
  assert.match(await page.locator("#history").innerText(), /\n/);

  await context.close();

  const { context: authorityContext, page: authority } = await freshPage(browser);
  await signIn(authority, "standards", "en");
  await authority.goto(`${base}/console/cases?as=authority`);
  assert.equal(await authority.locator(`#case-${opened}`).count(), 1, "the authority's list has the new recall");
  await inEveryLanguage(authority, "cases-authority");
  await authorityContext.close();
});

test("a case is not shown to a participant it does not concern", async () => {
  const { context, page } = await freshPage(browser);
  await signIn(page, "shop_astana", "en");
  const answer = await page.goto(`${base}/console/cases/${demo.recall_case}`);
  assert.equal(answer.status(), 404);
  page.problems.length = 0; // the 404 is the point here
  await context.close();
});

test("an authority signs a decision on a case addressed to it: the certificate's hearing", async () => {
  const certificate = demo.cases.find((each) => each.kind === "certificate");
  assert.ok(certificate, "the demo seeds a certificate case awaiting its hearing");
  const { context, page } = await freshPage(browser);
  await signIn(page, "industry_committee", "en");
  await page.goto(`${base}/console/cases?as=authority`);
  await page.click(`#case-${certificate.id} a`);
  const before = await page.locator("#history li").count();
  await page.click("#steps a[href$='step=hold_hearing']");
  await inEveryLanguage(page, "case-step");
  await page.check("[name='f.applicant_attended']");
  await page.fill("[name='f.applicant_position']", "The applicant brought the corrected contract.");
  await signAndSubmit(page, "industry_committee");
  assert.equal(await page.locator("#history li").count(), before + 1, "the decision is in the history");
  assert.match(await page.locator("#data").innerText(), /corrected contract/);
  assert.equal(await page.locator("#steps a[href$='step=hold_hearing']").count(), 0, "taken once");
  await context.close();
});
