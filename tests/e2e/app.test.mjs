// End-to-end: the built app (dist/) in headless Debian Chromium, driven by playwright-core.
// The expected sums come from the native CLI run on the same bundled file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveStatic } from './server.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = join(ROOT, 'dist');
const SAMPLE = join(DIST, 'samples/green_tripdata_2024-01.parquet');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const PARTITIONS = 8;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

let browser;
let expected;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const cli = join(ROOT, 'target/debug/kindling');
  expected = JSON.parse(execFileSync(cli, ['sum', SAMPLE, '--partitions', String(PARTITIONS), '--master', 'local[2]', '--json']));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

/** Opens the app, runs the job and hands what the page shows to `check`. Prints the browser console if anything
 * fails, including `check`'s assertions. */
async function runJob({ isolated, serviceWorkers, screenshot }, check) {
  const server = await serveStatic(DIST, { isolated });
  const context = await browser.newContext({ serviceWorkers });
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  try {
    await page.goto(server.url);
    await page.waitForSelector('#engine-status[data-executors]', { timeout: 60_000 });
    await page.fill('#partitions', String(PARTITIONS));
    await page.press('#partitions', 'Enter');
    await page.click('#run');
    await page.waitForSelector('#total, #job-error', { timeout: 60_000 });
    const shown = await page.evaluate(() => ({
      crossOriginIsolated: self.crossOriginIsolated,
      executors: Number(document.querySelector('#engine-status').dataset.executors),
      isolatedBadge: document.querySelector('#engine-status').dataset.isolated,
      statusText: document.querySelector('#engine-status').textContent,
      error: document.querySelector('#job-error')?.textContent,
      total: document.querySelector('#total')?.dataset.total,
      rows: [...document.querySelectorAll('tr.partition-row')].map((row) => ({
        partition: Number(row.dataset.partition),
        executor: Number(row.dataset.executor),
        sum: row.dataset.sum,
      })),
    }));
    if (screenshot) await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    assert.equal(shown.error, undefined, `the job failed: ${shown.error}`);
    check(shown);
  } catch (error) {
    console.error(`browser console:\n${consoleLines.join('\n')}`);
    throw error;
  } finally {
    await context.close();
    await server.close();
  }
}

function assertSameSumsAsTheCli(shown) {
  assert.equal(shown.total, String(expected.total), 'total as computed by the native CLI');
  assert.deepEqual(
    shown.rows.map((row) => [row.partition, row.sum]),
    expected.partitions.map((p) => [p.partition, String(p.sum)]),
    'per-partition sums as computed by the native CLI',
  );
}

test('isolated: a pool of executors runs the tasks in parallel and gets the CLI sums', async () => {
  await runJob({ isolated: true, serviceWorkers: 'block', screenshot: 'app-isolated.png' }, (shown) => {
    assert.equal(shown.crossOriginIsolated, true);
    assert.equal(shown.isolatedBadge, 'true');
    assert.ok(shown.executors >= 2, `pool size ${shown.executors}`);
    const used = new Set(shown.rows.map((row) => row.executor));
    assert.ok(used.size > 1, `only executors ${[...used]} ran tasks`);
    assert.ok([...used].every((executor) => executor < shown.executors));
    assertSameSumsAsTheCli(shown);
  });
});

test('not isolated: the app says so, runs on one executor and gets the same sums', async () => {
  await runJob({ isolated: false, serviceWorkers: 'block', screenshot: 'app-not-isolated.png' }, (shown) => {
    assert.equal(shown.crossOriginIsolated, false);
    assert.equal(shown.isolatedBadge, 'false');
    assert.match(shown.statusText, /not cross-origin isolated/);
    assert.equal(shown.executors, 1);
    assert.deepEqual([...new Set(shown.rows.map((row) => row.executor))], [0]);
    assertSameSumsAsTheCli(shown);
  });
});

test('static host without headers: coi-serviceworker makes the page isolated', async () => {
  await runJob({ isolated: false, serviceWorkers: 'allow' }, (shown) => {
    assert.equal(shown.crossOriginIsolated, true);
    assert.ok(shown.executors >= 2, `pool size ${shown.executors}`);
    assertSameSumsAsTheCli(shown);
  });
});
