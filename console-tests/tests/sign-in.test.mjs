// Signing in with the participant's own key in the browser (WebCrypto Ed25519), the session
// cookie's attributes, the language switch and its cookie, signing out, and the page without
// JavaScript.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { base, checkPage, freshPage, inEveryLanguage, launch, participant, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a producer signs in with its key file and sees its home page in each language", async () => {
  const { context, page } = await freshPage(browser);
  const answer = await page.goto(`${base}/console/sign-in?lang=kk`);
  const policy = answer.headers()["content-security-policy"];
  assert.match(policy, /script-src 'self'/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
  await checkPage(page, "sign-in", "kk");

  await signIn(page, "water", "kk");
  assert.equal(new URL(page.url()).pathname, "/console/");
  const texts = await inEveryLanguage(page, "home");
  assert.match(texts.en, new RegExp(participant("water").id));
  assert.match(texts.en, /producer/);

  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name === "tanba_session");
  assert.ok(session, "a session cookie");
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, "Strict");
  // The language chosen last is kept in a cookie for the next visit.
  const language = cookies.find((cookie) => cookie.name === "tanba_lang");
  assert.equal(language.value, "en");
  await page.goto(`${base}/console/inbox`);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await inEveryLanguage(page, "inbox");

  await page.click("#sign-out");
  await page.waitForURL(/\/console\/sign-in/);
  assert.match(await page.locator(".flash").innerText(), /./);
  await page.goto(`${base}/console/`);
  assert.match(page.url(), /\/console\/sign-in\?next=/, "signed out, the home page asks to sign in");
  await context.close();
});

test("a key file that is not one is refused in the browser, and nothing is sent", async () => {
  const { context, page } = await freshPage(browser);
  await page.goto(`${base}/console/sign-in?lang=en`);
  await page.setInputFiles("#key-file", {
    name: "not-a-key.json",
    mimeType: "application/json",
    buffer: Buffer.from('{"hello": "world"}'),
  });
  let posted = false;
  page.on("request", (request) => { if (request.method() === "POST") posted = true; });
  await page.click("#sign-in button[type=submit]");
  await page.waitForSelector("#sign-in-status.bad");
  assert.match(await page.locator("#sign-in-status").innerText(), /not a Tanba key file/);
  assert.equal(posted, false);
  await context.close();
});

test("without JavaScript the sign-in page says why it needs it", async () => {
  const { context, page } = await freshPage(browser, { javaScriptEnabled: false });
  await page.goto(`${base}/console/sign-in?lang=ru`);
  assert.match(await page.locator("body").innerText(), /JavaScript/);
  assert.equal(await page.locator("#sign-in button[type=submit]").isDisabled(), true);
  await context.close();
});
