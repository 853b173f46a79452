// How long each console page takes to answer on the demo's data: every page of each role,
// fetched N times with the session a real sign-in in Chromium made (the time of the whole
// request on loopback: server work, rendering and transfer). Prints a table and writes JSON.
// Run by scripts/console-timings.sh against a release build; results go to BENCHMARKS.md.
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { base, demo, freshPage, launch, signIn } from "./tests/support.mjs";

const rounds = Number(process.env.TANBA_TIMING_ROUNDS || 50);
const pages = {
  water: ["/console/", "/console/inbox", "/console/orders", "/console/shipments", "/console/shipments/new",
    "/console/codes?code=" + encodeURIComponent(demo.genuine[0].bracketed), "/console/products", "/console/goods",
    "/console/cases", `/console/cases/${demo.recall_case}`, `/console/cases/${demo.recall_case}/holders`,
    "/console/cases/new/recall/establish_ground"],
  shop_almaty: ["/console/till", "/console/shipments", "/console/receipts"],
  sanitary: ["/console/audit", "/console/audit?participant=&code=" + encodeURIComponent(demo.genuine[0].bracketed) + "&from=&until=",
    "/console/reports", "/console/participants"],
  standards: ["/console/cases?as=authority"],
  operator: ["/console/participants", "/console/reference", "/console/health"],
};

function percentile(sorted, share) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}

const browser = await launch();
const results = [];
for (const [handle, paths] of Object.entries(pages)) {
  const { context, page } = await freshPage(browser);
  await signIn(page, handle, "en");
  // The first order's page and its label, for the producer.
  if (handle === "water") {
    await page.goto(`${base}/console/orders`);
    const first = await page.getAttribute("#orders a", "href");
    paths.push(first, `${first}/labels/0.svg?layout=a4-70x37`, `${first}/labels.pdf?layout=a4-70x37&count=24`);
  }
  for (const path of paths) {
    const times = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      const answer = await page.request.get(`${base}${path}`);
      await answer.body();
      times.push(performance.now() - started);
      if (answer.status() !== 200) throw new Error(`${path}: ${answer.status()}`);
    }
    times.sort((a, b) => a - b);
    results.push({ role: handle, path, median_ms: percentile(times, 0.5), p95_ms: percentile(times, 0.95), max_ms: times[times.length - 1] });
  }
  await context.close();
}
await browser.close();
console.log(`${"page".padEnd(72)} ${"median".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)}  (ms, ${rounds} rounds)`);
for (const row of results) {
  const shown = `${row.role} ${row.path}`.slice(0, 72).padEnd(72);
  console.log(`${shown} ${row.median_ms.toFixed(1).padStart(8)} ${row.p95_ms.toFixed(1).padStart(8)} ${row.max_ms.toFixed(1).padStart(8)}`);
}
fs.writeFileSync(process.env.TANBA_TIMINGS_OUT || "console-timings.json", JSON.stringify(results, null, 2));
