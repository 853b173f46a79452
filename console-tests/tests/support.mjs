// What every console test shares: the live demo it runs against (started by
// scripts/console-test.sh, which passes its addresses), Debian's Chromium through
// playwright-core, screenshots under artifacts/console/, and the checks every page must pass.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

export const demoDir = process.env.TANBA_DEMO_DIR;
if (!demoDir) throw new Error("TANBA_DEMO_DIR is not set: run scripts/console-test.sh");
export const demo = JSON.parse(fs.readFileSync(path.join(demoDir, "demo-codes.json"), "utf8"));
export const base = demo.http;
export const screenshots = process.env.TANBA_SCREENSHOTS || "artifacts/console";
export const languages = ["kk", "ru", "en"];

/// A demo participant by its handle (`water`, `shop_almaty`, ...): id, name, roles, key file.
export function participant(handle) {
  const found = demo.participants.find((each) => each.handle === handle);
  if (!found) throw new Error(`no demo participant ${handle}`);
  return found;
}

/// The key file of a demo participant (`water`, `shop_almaty`, ...).
export function keyFile(name) {
  return path.join(demoDir, "keys", `${name}.json`);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.TANBA_CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/// A fresh browser context (its own cookies) with a page whose console errors fail the test:
/// a page that breaks its own Content-Security-Policy shows up here.
export async function freshPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(message.text());
  });
  page.on("pageerror", (error) => page.problems.push(String(error)));
  return { context, page };
}

/// Signs in with a demo participant's key file, through the page, as a person would.
export async function signIn(page, participant, language = "en") {
  await page.goto(`${base}/console/sign-in?lang=${language}`);
  await page.setInputFiles("#key-file", keyFile(participant));
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/console/sign-in")),
    page.click("#sign-in button[type=submit]"),
  ]);
}

/// Checks the page shown: no message missing from the catalogue, the language it claims, no
/// script or policy errors; then keeps a screenshot named `name-language.png`.
export async function checkPage(page, name, language) {
  const text = await page.locator("body").innerText();
  assert.ok(!text.includes("⟦"), `${name} (${language}) shows a missing message: ${text}`);
  assert.equal(await page.getAttribute("html", "lang"), language);
  assert.deepEqual(page.problems, [], `${name} (${language}): errors in the page`);
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `${name}-${language}.png`), fullPage: true });
  return text;
}

/// Shows the page in each language through its own switch, checking each.
export async function inEveryLanguage(page, name) {
  const texts = {};
  for (const language of languages) {
    await page.click(`.languages a[hreflang=${language}]`);
    await page.waitForLoadState("load");
    texts[language] = await checkPage(page, name, language);
  }
  assert.notEqual(texts.kk, texts.en, `${name}: the Kazakh page is the English one`);
  assert.notEqual(texts.ru, texts.en, `${name}: the Russian page is the English one`);
  return texts;
}
