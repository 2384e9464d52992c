// End-to-end: the built app (dist/) in headless Debian Chromium, driven by playwright-core.
// What a PySpark cell prints is compared with the native CLI (`kindling run`) on the same files, whose output
// the golden tests check against real PySpark. Screenshots of every view go to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveStatic } from './server.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = join(ROOT, 'dist');
const CLI = join(ROOT, 'target/debug/kindling');
const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const REAL_TLC_CSV = join(ROOT, '../shared/data/tlc/yellow_tripdata_sample_2020-04.csv');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const NOTEBOOK_KEY = 'kindling.notebook.v1';

let browser;
let samplesDir;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The bundled samples laid out under the paths programs read them by, for the CLI.
  samplesDir = mkdtempSync(join(tmpdir(), 'kindling-e2e-'));
  for (const sample of JSON.parse(readFileSync(join(DIST, 'samples/manifest.json'), 'utf8'))) {
    mkdirSync(dirname(join(samplesDir, sample.path)), { recursive: true });
    copyFileSync(join(DIST, sample.url), join(samplesDir, sample.path));
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (samplesDir) rmSync(samplesDir, { recursive: true, force: true });
});

/** What `kindling run` prints for `program` over the samples. */
function cliOutput(program, extraArgs = []) {
  const file = join(samplesDir, 'program.py');
  writeFileSync(file, program);
  return execFileSync(CLI, ['run', file, '--master', 'local[2]', ...extraArgs], { cwd: samplesDir, encoding: 'utf8' });
}

/** What `kindling run` prints for a SQL file over the samples (tab-separated rows, as `spark-sql -f`). */
function cliSqlOutput(query) {
  const file = join(samplesDir, 'query.sql');
  writeFileSync(file, query);
  return execFileSync(CLI, ['run', file, '--master', 'local[2]'], { cwd: samplesDir, encoding: 'utf8' });
}

/** Opens the app in a new context (optionally with saved cells), waits for the engine, runs `body(page)`. */
async function withApp({ isolated = true, serviceWorkers = 'block', cells } = {}, body) {
  const server = await serveStatic(DIST, { isolated });
  const context = await browser.newContext({ serviceWorkers, viewport: { width: 1500, height: 1000 } });
  if (cells) {
    await context.addInitScript(([key, saved]) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem(key, saved);
        sessionStorage.setItem('seeded', '1');
      }
    }, [NOTEBOOK_KEY, JSON.stringify(cells)]);
  }
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  try {
    await page.goto(server.url);
    await page.waitForSelector('#engine-status[data-executors]', { timeout: 90_000 });
    await body(page);
  } catch (error) {
    console.error(`browser console:\n${consoleLines.join('\n')}`);
    throw error;
  } finally {
    await context.close();
    await server.close();
  }
}

const cell = (index) => `.cell[data-cell="${index}"]`;

async function runCell(page, index) {
  await page.click(`${cell(index)} .run-cell`);
  await page.waitForSelector(`${cell(index)} .output`, { state: 'attached', timeout: 90_000 });
  await page.waitForSelector('#progress', { state: 'detached', timeout: 90_000 });
}

const stdoutOf = (page, index) => page.locator(`${cell(index)} .stdout`).textContent();

async function screenshotTab(page, tab, name) {
  await page.click(`#tab-${tab}`);
  await page.waitForSelector(`#tab-${tab}.active`);
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

const python = (source) => ({ language: 'Python', source });
const sql = (source) => ({ language: 'Sql', source });
const SETUP = [
  'from pyspark.sql import SparkSession',
  'from pyspark.sql import functions as F',
  'spark = SparkSession.builder.master("local[*]").getOrCreate()',
  'df_green = spark.read.parquet("data/pq/green/*/*")',
  'df_zones = spark.read.option("header", "true").option("inferSchema", "true").csv("taxi+_zone_lookup.csv")',
  '',
].join('\n');

test('the starter notebook runs on the bundled samples and prints what the CLI prints', async () => {
  await withApp({}, async (page) => {
    const starter = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), NOTEBOOK_KEY));
    assert.equal(starter.length, 3, 'the starter cells are saved at once');
    await page.click('#run-all');
    await page.waitForSelector(`${cell(2)} .output`, { state: 'attached', timeout: 90_000 });
    await page.waitForSelector('#progress', { state: 'detached', timeout: 90_000 });
    for (const index of [0, 1, 2]) {
      assert.equal(await page.locator(`${cell(index)} .error`).count(), 0, `cell ${index + 1} failed`);
    }
    const pythonCells = starter.filter((c) => c.language === 'Python').map((c) => c.source);
    const shown = (await stdoutOf(page, 0)) + (await stdoutOf(page, 2));
    assert.equal(shown, cliOutput(pythonCells.join('\n')));
    const table = page.locator(`${cell(1)} .result-table`);
    assert.equal(await table.getAttribute('data-rows'), '10');
    assert.deepEqual(await table.locator('th').evaluateAll((ths) => ths.map((th) => th.firstChild.textContent)),
      ['Zone', 'hour', 'revenue', 'trips']);
    assert.ok(await page.locator('#file-list li[data-path="fhvhv_tripdata_2021-02.csv.gz"]').count());
    await page.screenshot({ path: join(ARTIFACTS, 'notebook.png'), fullPage: true });
    // A job run in the page has its operator graph too: the last cell's group-by of the fhvhv CSV.
    await page.click('#tab-operators');
    const names = await page.locator('#operator-graph .operator').evaluateAll((nodes) => nodes.map((n) => n.dataset.name));
    assert.ok(['Scan csv', 'HashAggregate', 'Exchange'].every((name) => names.includes(name)), names.join(', '));
    const scanned = await page.locator('#operator-graph .operator[data-name="Scan csv"]').getAttribute('data-rows');
    assert.ok(Number(scanned) > 0, 'the scan counted the rows it read');
  });
});

/** Runs the SQL cell 0, checks its rows are the CLI's, and opens the operator graph at 1280×800; its node names. */
async function sqlRowsAndOperators(page, expected) {
  await runCell(page, 0);
  assert.equal(await page.locator(`${cell(0)} .error`).count(), 0, 'the query ran');
  const rows = await page.locator(`${cell(0)} .result-table tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(rows, expected);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('#tab-operators');
  return page.locator('#operator-graph .operator').evaluateAll((nodes) => nodes.map((n) => n.dataset.name));
}

/** Opens the detail of the operator `name` in the graph; its `.what` / `.why` text must match `pattern`. */
async function assertOperatorExplained(page, name, part, pattern) {
  const node = await page.locator(`#operator-graph .operator[data-name="${name}"]`).first().getAttribute('data-node');
  await page.click(`#operator-graph .operator[data-node="${node}"]`);
  const detail = page.locator(`#operator-detail[data-node="${node}"]`);
  assert.match(await detail.locator(part).textContent(), pattern, `the ${name} operator says what it does and why`);
}

test('a window function in a SQL cell gives the CLI\'s rows and is drawn as Exchange, Sort and Window', async () => {
  const query = [
    'SELECT VendorID, lpep_pickup_datetime, total_amount,',
    '  rank() OVER (PARTITION BY VendorID ORDER BY total_amount DESC, lpep_pickup_datetime) AS place',
    "FROM parquet.`data/pq/green/2021/01` ORDER BY VendorID, place LIMIT 6",
  ].join('\n');
  const expected = cliSqlOutput(query).trim().split('\n').map((line) => line.split('\t'));
  await withApp({ cells: [sql(query)] }, async (page) => {
    const names = await sqlRowsAndOperators(page, expected);
    assert.ok(names.includes('Window') && names.includes('Sort') && names.includes('Exchange'), names.join(', '));
    const windowRows = await page.locator('#operator-graph .operator[data-name="Window"]').getAttribute('data-rows');
    assert.ok(Number(windowRows) > 0, 'the Window operator counted its rows');
    await assertNothingOverflows(page, 'the operator graph of a window query');
    await assertOperatorExplained(page, 'Window', '.what', /frame/);
    await page.screenshot({ path: join(ARTIFACTS, 'window-operators.png') });
  });
});

test('an aggregate that keeps text gives the CLI\'s rows and is drawn as Spark\'s SortAggregate', async () => {
  const query = [
    'SELECT VendorID, max(store_and_fwd_flag) AS flag, count(*) AS trips',
    "FROM parquet.`data/pq/green/2021/01` GROUP BY VendorID ORDER BY VendorID",
  ].join('\n');
  const expected = cliSqlOutput(query).trim().split('\n').map((line) => line.split('\t'));
  await withApp({ cells: [sql(query)] }, async (page) => {
    const names = await sqlRowsAndOperators(page, expected);
    assert.equal(names.filter((name) => name === 'SortAggregate').length, 2, names.join(', '));
    assert.ok(!names.includes('HashAggregate'), names.join(', '));
    await assertNothingOverflows(page, 'the operator graph of a SortAggregate');
    await assertOperatorExplained(page, 'SortAggregate', '.why', /text/);
    await page.screenshot({ path: join(ARTIFACTS, 'sort-aggregate-operators.png') });
  });
});

test('several DISTINCT aggregates give the CLI\'s rows and are drawn with Spark\'s Expand', async () => {
  const query = [
    'SELECT VendorID, count(DISTINCT PULocationID) AS pickup_zones, count(DISTINCT DOLocationID) AS dropoff_zones,',
    '  sum(total_amount) AS revenue',
    "FROM parquet.`data/pq/green/2021/01` GROUP BY VendorID ORDER BY VendorID",
  ].join('\n');
  const expected = cliSqlOutput(query).trim().split('\n').map((line) => line.split('\t'));
  await withApp({ cells: [sql(query)] }, async (page) => {
    const names = await sqlRowsAndOperators(page, expected);
    assert.ok(names.includes('Expand'), names.join(', '));
    assert.equal(names.filter((name) => name === 'HashAggregate').length, 4, names.join(', '));
    await assertNothingOverflows(page, 'the operator graph of several DISTINCT aggregates');
    await assertOperatorExplained(page, 'Expand', '.why', /DISTINCT/);
    await page.screenshot({ path: join(ARTIFACTS, 'distinct-aggregates-operators.png') });
  });
});

test('collect_set and explode give the CLI\'s rows and are drawn as ObjectHashAggregate and Generate', async () => {
  const query = [
    'SELECT VendorID, explode(types) AS type FROM (',
    '  SELECT VendorID, sort_array(collect_set(payment_type)) AS types',
    "  FROM parquet.`data/pq/green/2021/01` GROUP BY VendorID",
    ') ORDER BY VendorID, type',
  ].join('\n');
  const expected = cliSqlOutput(query).trim().split('\n').map((line) => line.split('\t'));
  await withApp({ cells: [sql(query)] }, async (page) => {
    const names = await sqlRowsAndOperators(page, expected);
    assert.ok(names.includes('Generate') && names.includes('ObjectHashAggregate'), names.join(', '));
    await assertNothingOverflows(page, 'the operator graph of an explode over collected arrays');
    await assertOperatorExplained(page, 'Generate', '.what', /element of an array/);
    await assertOperatorExplained(page, 'ObjectHashAggregate', '.why', /collect_list/);
    await page.screenshot({ path: join(ARTIFACTS, 'arrays-operators.png') });
  });
});

test('an error points at its line, and the session survives it', async () => {
  await withApp({ cells: [python(SETUP), python('n = df_green.count()\ndf_green.select("nope").show()\n'), python('print(n)\nprint(x))\n')] }, async (page) => {
    await runCell(page, 0);
    await runCell(page, 1);
    const error = page.locator(`${cell(1)} .error`);
    assert.equal(await error.getAttribute('data-line'), '2');
    assert.match(await error.textContent(), /AnalysisException: \[UNRESOLVED_COLUMN\.WITH_SUGGESTION\]/);
    assert.equal(await page.locator(`${cell(1)} .cm-error-line`).count(), 1, 'the editor marks the line');
    await runCell(page, 2);
    const syntax = page.locator(`${cell(2)} .error`);
    assert.equal(await syntax.getAttribute('data-line'), '2');
    assert.match(await syntax.textContent(), /SyntaxError/);
    await page.screenshot({ path: join(ARTIFACTS, 'error-cell.png'), fullPage: true });
  });
});

test('a cached DataFrame is listed in Storage with its kept partitions, and unpersist frees it', async () => {
  const program = [
    'by_zone = df_green.groupBy("PULocationID").count().cache()',
    'print(by_zone.count(), by_zone.is_cached, by_zone.storageLevel)',
    'print(by_zone.orderBy("PULocationID").first())',
    '',
  ].join('\n');
  const expected = cliOutput(SETUP + program);
  await withApp({ cells: [python(SETUP), python(program), python('by_zone.unpersist()\n')] }, async (page) => {
    await runCell(page, 0);
    assert.equal(await page.locator('#storage').getAttribute('data-cached'), '0');
    await runCell(page, 1);
    assert.equal(await stdoutOf(page, 1), expected);
    const row = page.locator('#storage tr[data-id]');
    assert.equal(await row.count(), 1);
    const [kept, partitions] = [await row.getAttribute('data-kept'), await row.getAttribute('data-partitions')];
    assert.ok(Number(partitions) > 0 && kept === partitions, `${kept} of ${partitions} partitions kept`);
    assert.match(await row.textContent(), /Disk Memory Deserialized 1x Replicated/);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('#storage').scrollIntoViewIfNeeded();
    await assertNothingOverflows(page, 'the Storage panel');
    const storageOverflow = await page.evaluate(() => {
      const panel = document.querySelector('#storage');
      return panel.querySelector('table').getBoundingClientRect().right - panel.getBoundingClientRect().right;
    });
    assert.ok(storageOverflow <= 0, `the Storage table sticks out of its panel by ${storageOverflow}px`);
    await page.screenshot({ path: join(ARTIFACTS, 'storage.png') });
    await runCell(page, 2);
    assert.equal(await page.locator('#storage').getAttribute('data-cached'), '0');
  });
});

test('an uploaded real TLC file becomes a path the code can read', async () => {
  const program = 'from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\n' +
    'df = spark.read.option("header", "true").csv("yellow_tripdata_sample_2020-04.csv")\nprint(df.count())\n';
  await withApp({ cells: [python(program)] }, async (page) => {
    await page.setInputFiles('#file-picker', REAL_TLC_CSV);
    await page.waitForSelector('#file-list li[data-path="yellow_tripdata_sample_2020-04.csv"]', { timeout: 30_000 });
    await runCell(page, 0);
    const expected = readFileSync(REAL_TLC_CSV, 'utf8').trim().split('\n').length - 1;
    assert.equal((await stdoutOf(page, 0)).trim(), String(expected));
  });
});

test('a dropped file and a downloaded URL become paths too', async () => {
  const program = 'from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\n' +
    'print(spark.read.option("header", "true").csv("dropped.csv").count())\n' +
    'print(spark.read.parquet("green-2021-01.parquet").count())\n';
  await withApp({ cells: [python(program)] }, async (page) => {
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['a,b\n1,2\n3,4\n5,6\n'], 'dropped.csv', { type: 'text/csv' }));
      return transfer;
    });
    await page.dispatchEvent('#files', 'drop', { dataTransfer });
    await page.waitForSelector('#file-list li[data-path="dropped.csv"]', { timeout: 30_000 });
    // A URL on this loopback server: one of the bundled samples under its download name.
    await page.fill('#file-url', new URL('samples/green-2021-01.parquet', page.url()).href);
    await page.click('#files button:has-text("Download")');
    await page.waitForSelector('#file-list li[data-path="green-2021-01.parquet"]', { timeout: 30_000 });
    await runCell(page, 0);
    const rows = cliOutput(`${SETUP}print(spark.read.parquet("data/pq/green/2021/01/").count())\n`).trim();
    assert.equal(await stdoutOf(page, 0), `3\n${rows}\n`);
  });
});

test('the job views draw a known job, and the knobs change it', async () => {
  const groupBy = 'df_green.groupBy("PULocationID").count().collect()\n';
  const zoneJoin = 'df_green.join(df_zones, df_green.PULocationID == df_zones.LocationID).count()\n';
  await withApp({ cells: [python(SETUP), python(groupBy), python(zoneJoin)] }, async (page) => {
    await page.fill('#knob-shuffle-partitions', '4');
    await page.press('#knob-shuffle-partitions', 'Tab');
    await page.uncheck('#knob-aqe');
    await runCell(page, 0);
    await runCell(page, 1);
    const executors = Number(await page.locator('#engine-status').getAttribute('data-executors'));

    // groupBy: scan + partial aggregate, then a shuffle into 4 reduce partitions.
    const dag = page.locator('#dag');
    assert.equal(await dag.getAttribute('data-stages'), '2');
    assert.equal(await page.locator('#dag .dag-stage').count(), 2);
    assert.equal(await page.locator('#dag .dag-edge[data-kind="shuffle"]').count(), 1);
    assert.equal(await page.locator('#dag .dag-stage[data-stage="1"]').getAttribute('data-tasks'), '4');
    assert.match(await page.locator('#plan-text').textContent(), /Exchange hashpartitioning\(PULocationID#\d+, 4\)/);
    await screenshotTab(page, 'dag', 'view-dag.png');

    await screenshotTab(page, 'partitions', 'view-partitions.png');
    assert.equal(await page.locator('.stage-partitions[data-stage="1"] .partition-bar').count(), 4);
    const groups = await page.locator('.stage-partitions[data-stage="1"] .partition-bar')
      .evaluateAll((bars) => bars.reduce((sum, bar) => sum + Number(bar.dataset.rows), 0));
    assert.equal(groups, Number(cliOutput(`${SETUP}print(df_green.select("PULocationID").distinct().count())\n`).trim()));

    await screenshotTab(page, 'shuffle', 'view-reshuffle.png');
    const exchange = page.locator('.exchange').first();
    assert.equal(await exchange.getAttribute('data-reduce-partitions'), '4');
    const key = await page.locator('.key-picker option').nth(1).getAttribute('value');
    await page.selectOption('.key-picker select', key);
    const route = page.locator('.key-route');
    await page.screenshot({ path: join(ARTIFACTS, 'view-reshuffle.png'), fullPage: true });
    const partition = Number(await route.getAttribute('data-partition'));
    // Spark's partition for the key: the one a repartition by the same column puts its rows in (the CLI).
    const expected = cliOutput(`${SETUP}sizes = df_green.filter(df_green.PULocationID == ${key}).repartition(4, "PULocationID").rdd.glom().map(len).collect()\nprint([i for i, n in enumerate(sizes) if n > 0][0])\n`);
    assert.equal(partition, Number(expected.trim()));

    await screenshotTab(page, 'timeline', 'view-timeline.png');
    assert.equal(await page.locator('.timeline .lane').count(), executors);
    assert.equal(await page.locator('.timeline .task').count(), Number(await page.locator('#job-view').getAttribute('data-tasks')));
    // local[1]: the same job on one executor.
    await page.selectOption('#knob-executors', '1');
    await page.waitForFunction(() => document.querySelectorAll('.timeline .lane').length === 1, null, { timeout: 90_000 });
    assert.deepEqual(await page.locator('.timeline .task').evaluateAll((tasks) => [...new Set(tasks.map((t) => t.closest('.lane').dataset.executor))]), ['0']);
    await page.selectOption('#knob-executors', String(executors));
    await page.waitForFunction((n) => document.querySelectorAll('.timeline .lane').length === n, executors, { timeout: 90_000 });

    // The zone lookup is far below the threshold: broadcast, one copy per executor.
    await runCell(page, 2);
    await screenshotTab(page, 'broadcast', 'view-broadcast.png');
    assert.equal(await page.locator('.join-strategy').getAttribute('data-strategy'), 'BroadcastHashJoin');
    assert.equal(await page.locator('.broadcast').getAttribute('data-copies'), String(executors));
    assert.equal(await page.locator('#dag .dag-edge[data-kind="broadcast"]').count(), 0, 'the DAG tab is not shown');
    await page.click('#tab-dag');
    assert.equal(await page.locator('#dag .dag-edge[data-kind="broadcast"]').count(), 1);

    // Knobs re-run the notebook up to the last cell: no broadcast below -1, a sort-merge join instead.
    await page.click('#tab-broadcast');
    await page.selectOption('#knob-broadcast', '-1');
    await page.waitForSelector('.join-strategy[data-strategy="SortMergeJoin"]', { timeout: 90_000 });
    assert.equal(await page.locator('.broadcast').count(), 0);
    // The view says broadcasting is off and offers the threshold that would broadcast the zones again.
    assert.match(await page.locator('.smj-note').textContent(), /Broadcast joins are off/);
    await page.screenshot({ path: join(ARTIFACTS, 'view-sort-merge-note.png'), fullPage: true });
    await page.click('#offer-threshold');
    await page.waitForSelector('.join-strategy[data-strategy="BroadcastHashJoin"]', { timeout: 90_000 });
    assert.notEqual(await page.locator('#knob-broadcast').inputValue(), '-1');
    await page.selectOption('#knob-broadcast', '-1');
    await page.waitForSelector('.join-strategy[data-strategy="SortMergeJoin"]', { timeout: 90_000 });
    // And 6 shuffle partitions give exchanges into 6 partitions.
    await page.click('#tab-dag');
    await page.fill('#knob-shuffle-partitions', '6');
    await page.press('#knob-shuffle-partitions', 'Tab');
    await page.waitForFunction(() => /hashpartitioning\(LocationID#\d+, 6\)/.test(document.querySelector('#plan-text')?.textContent), null, { timeout: 90_000 });
    // AQE on: the plan is an AdaptiveSparkPlan.
    assert.doesNotMatch(await page.locator('#plan-text').textContent(), /AdaptiveSparkPlan/);
    await page.check('#knob-aqe');
    await page.waitForFunction(() => /AdaptiveSparkPlan isFinalPlan=true/.test(document.querySelector('#plan-text')?.textContent), null, { timeout: 90_000 });
  });
});

test('a trace written by `kindling run --trace` opens in the page', async () => {
  const traceFile = join(samplesDir, 'trace.json');
  // The RDD's toDF runs a job to infer the schema; count() then skips the map stage that job wrote.
  const rddJob = 'pairs = df_green.rdd.map(lambda r: (r.PULocationID, 1)).reduceByKey(lambda a, b: a + b)\nprint(pairs.toDF(["zone", "n"]).count())\n';
  cliOutput(`${SETUP}df_green.groupBy("PULocationID").count().collect()\ndf_green.join(df_zones, df_green.PULocationID == df_zones.LocationID).count()\n${rddJob}`, ['--trace', traceFile]);
  const jobs = JSON.parse(readFileSync(traceFile, 'utf8'));
  assert.equal(jobs.length, 4);
  await withApp({}, async (page) => {
    await page.setInputFiles('#trace-picker', traceFile);
    await page.waitForSelector('#opened-trace', { timeout: 30_000 });
    assert.equal(await page.locator('#opened-trace').getAttribute('data-jobs'), '4');
    assert.equal(await page.locator('#dag').getAttribute('data-stages'), String(jobs[3].stages.length));
    const skipped = jobs[3].stages.filter((stage) => stage.skipped).map((stage) => String(stage.id));
    assert.equal(skipped.length, 1, 'the RDD shuffle is kept');
    assert.deepEqual(await page.locator('#dag .dag-stage.skipped').evaluateAll((stages) => stages.map((s) => s.dataset.stage)), skipped);
    assert.match(await page.locator('#dag .dag-stage.skipped .stage-title').textContent(), /skipped/);
    await page.screenshot({ path: join(ARTIFACTS, 'skipped-stage.png'), fullPage: true });
    await page.click('#opened-trace + .jobs .job-chip >> nth=1');
    assert.equal(await page.locator('#dag').getAttribute('data-stages'), String(jobs[1].stages.length));
    assert.equal(await page.locator('#dag .dag-edge[data-kind="broadcast"]').count(), jobs[1].broadcasts.length);
    await page.click('#opened-trace + .jobs .job-chip >> nth=0');
    assert.equal(await page.locator('#job-view').getAttribute('data-job'), '0');
    assert.equal(await page.locator('#dag').getAttribute('data-stages'), String(jobs[0].stages.length));
    await page.screenshot({ path: join(ARTIFACTS, 'opened-trace.png'), fullPage: true });

    // A trace written before the format had a version (1) still opens; the operator view says why it is empty.
    const old = jobs.map(({ version, plan_graph: _graph, ...rest }) => rest);
    const oldFile = join(samplesDir, 'trace-v1.json');
    writeFileSync(oldFile, JSON.stringify(old));
    await page.click('#opened-trace button');
    await page.setInputFiles('#trace-picker', oldFile);
    await page.waitForFunction(() => document.querySelector('#opened-trace span')?.textContent.includes('trace-v1.json'));
    await page.click('#opened-trace + .jobs .job-chip >> nth=0');
    await page.click('#tab-dag');
    assert.equal(await page.locator('#dag').getAttribute('data-stages'), String(jobs[0].stages.length));
    await page.click('#tab-operators');
    assert.match(await page.locator('#operators-missing').textContent(), /older Kindling \(trace format 1\)/);
  });
});

/** Fails if the page or the job view is wider than its box (views must scroll or wrap inside their own boxes). */
async function assertNothingOverflows(page, what) {
  const overflow = await page.evaluate(() => [document.documentElement, document.querySelector('.inspector')]
    .map((box) => box.scrollWidth - box.clientWidth));
  assert.deepEqual(overflow.map((px) => Math.max(px, 0)), [0, 0], `${what}: overflow of the page and of the job view, in px`);
}

/** The generated trips and the real zone lookup that tests/golden/sql_metrics.json was recorded on, in a new folder. */
function goldenMetricsFiles(golden) {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-metrics-'));
  for (const spec of golden.files) {
    const out = join(dir, `pq/${spec.kind}/${spec.year}/${String(spec.month).padStart(2, '0')}/part-0.parquet`);
    execFileSync(CLI, ['gen', spec.kind, '--year', String(spec.year), '--month', String(spec.month), '--rows', String(spec.rows),
      '--seed', String(spec.seed), '--out', out]);
  }
  copyFileSync(join(ROOT, '../shared/data/taxi_zone_lookup.csv'), join(dir, 'zones.csv'));
  return dir;
}

test('the operator graph draws each job\'s plan with the metrics of its trace and the row counts Spark reported', async () => {
  const golden = JSON.parse(readFileSync(join(ROOT, 'tests/golden/sql_metrics.json'), 'utf8'));
  const dir = goldenMetricsFiles(golden);
  try {
    for (const [program, spark] of Object.entries(golden.programs)) {
      const traceFile = join(dir, `${program}.trace.json`);
      execFileSync(CLI, ['run', join(ROOT, 'tests/metrics', program), '--master', 'local[2]', '--trace', traceFile], { cwd: dir });
      const jobs = JSON.parse(readFileSync(traceFile, 'utf8'));
      const graph = jobs[jobs.length - 1].plan_graph;
      await withApp({}, async (page) => {
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.setInputFiles('#trace-picker', traceFile);
        await page.waitForSelector('#opened-trace', { timeout: 30_000 });
        await page.click(`#opened-trace + .jobs .job-chip >> nth=${jobs.length - 1}`);
        await page.click('#tab-operators');
        await page.waitForSelector('#operator-graph');
        // Every operator of the trace's plan, in the trace's order, with its rows.
        const drawn = await page.locator('#operator-graph .operator').evaluateAll((nodes) =>
          nodes.map((n) => ({ name: n.dataset.name, rows: n.dataset.rows })));
        assert.deepEqual(drawn.map((n) => n.name), graph.nodes.map((n) => n.name), program);
        const total = (metric) => metric.values.reduce((sum, v) => sum + v.value, 0);
        graph.nodes.forEach((node, i) => {
          const rows = node.metrics.find((m) => m.name === 'number of output rows');
          assert.equal(drawn[i].rows, rows ? String(total(rows)) : undefined, `${program}: ${node.name}`);
        });
        // The row counts Spark's SQL tab showed for the same program on the same files (an RDD's DataFrame is one
        // 'Scan ExistingRDD' there, whose rows are those of Kindling's topmost RDD step).
        const sparkRows = spark.nodes.filter((n) => n.metrics['number of output rows'] !== undefined);
        for (const sparkNode of sparkRows) {
          const name = sparkNode.name === 'Scan ExistingRDD' ? 'PythonRDD' : sparkNode.name;
          const expected = sparkNode.metrics['number of output rows'].replaceAll(',', '');
          assert.ok(drawn.some((n) => n.name.startsWith(name) && n.rows === expected), `${program}: ${sparkNode.name} with ${expected} rows`);
        }
        // Clicking an operator opens its metrics, as Spark writes them, and what it does.
        const exchange = graph.nodes.findIndex((n) => n.name === 'Exchange');
        await page.click(`#operator-graph .operator[data-node="${exchange}"]`);
        const detail = page.locator(`#operator-detail[data-node="${exchange}"]`);
        assert.match(await detail.locator('.what').textContent(), /shuffle/i);
        const metricNames = await detail.locator('tr').evaluateAll((rows) => rows.map((r) => r.dataset.metric));
        for (const name of ['data size', 'shuffle records written', 'shuffle bytes written', 'records read', 'number of partitions']) {
          assert.ok(metricNames.includes(name), `${program}: Exchange shows ${name}`);
        }
        // Over several map tasks, as Spark writes it; an RDD shuffle written by an earlier job has no task here.
        const job = jobs[jobs.length - 1];
        const mapStage = job.exchanges[0].map_stage;
        const written = job.stages.find((stage) => stage.id === mapStage).skipped
          ? /^total \(min, med, max\)\n[\d.]+ KiB \([\d.]+ KiB, [\d.]+ KiB, [\d.]+ KiB\)$/
          : new RegExp(`^total \\(min, med, max \\(stageId: taskId\\)\\)\\n.* \\(stage ${mapStage}\\.0: task \\d+\\)\\)$`);
        assert.match(await detail.locator('tr[data-metric="data size"] pre').textContent(), written, program);
        // Nothing overflows at 1280×800: the graph scrolls inside its box, the panel wraps.
        await assertNothingOverflows(page, `${program}: operators`);
        await page.screenshot({ path: join(ARTIFACTS, `view-operators-${program.replace('.py', '')}.png`) });

        // The stage page: one summary per stage; the map side's shuffle writes as the matrix has them.
        await page.click('#tab-stages');
        assert.equal(await page.locator('.stage-summary').count(), job.stages.length);
        const writer = job.stages.find((stage) => stage.id === mapStage);
        if (!writer.skipped) {
          const card = page.locator(`.stage-summary[data-stage="${mapStage}"]`);
          assert.equal(await card.getAttribute('data-tasks'), String(job.tasks.filter((t) => t.stage === mapStage).length));
          const perMapTask = job.exchanges[0].matrix.rows.map((row) => row.reduce((a, b) => a + b, 0));
          const cells = await card.locator('tr[data-metric="Shuffle write rows"] td').allTextContents();
          assert.equal(cells[0], Math.min(...perMapTask).toLocaleString('en-US'), `${program}: fewest rows a map task wrote`);
          assert.equal(cells[4], Math.max(...perMapTask).toLocaleString('en-US'), `${program}: most rows a map task wrote`);
        }
        await assertNothingOverflows(page, `${program}: stages`);
        await page.screenshot({ path: join(ARTIFACTS, `view-stages-${program.replace('.py', '')}.png`) });

        // What adaptive execution changed: one line per exchange, the plans side by side with its additions marked.
        await page.click('#tab-aqe');
        const changes = await page.locator('.aqe-changes li').allTextContents();
        for (const exchange of job.exchanges) {
          const change = changes.find((c) => c.startsWith(`Exchange ${exchange.id} (`));
          assert.ok(change, `${program}: exchange ${exchange.id} is told`);
          const coalesced = exchange.coalesced && exchange.coalesced.groups.length < exchange.coalesced.before;
          assert.equal(/AQEShuffleRead coalesced/.test(change), Boolean(coalesced), change);
        }
        if (job.exchanges.some((e) => e.coalesced && e.coalesced.groups.length < e.coalesced.before)) {
          assert.ok(await page.locator('#final-plan .plan-line.added', { hasText: 'AQEShuffleRead coalesced' }).count() > 0);
          assert.equal(await page.locator('#initial-plan .plan-line', { hasText: 'AQEShuffleRead' }).count(), 0);
        }
        await assertNothingOverflows(page, `${program}: adaptive`);
        await page.screenshot({ path: join(ARTIFACTS, `view-aqe-${program.replace('.py', '')}.png`) });
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a job replays from its trace: every event in order and back, each view at that moment', async () => {
  const golden = JSON.parse(readFileSync(join(ROOT, 'tests/golden/sql_metrics.json'), 'utf8'));
  const dir = goldenMetricsFiles(golden);
  try {
    const traceFile = join(dir, 'zone_join.trace.json');
    execFileSync(CLI, ['run', join(ROOT, 'tests/metrics/zone_join.py'), '--master', 'local[2]', '--trace', traceFile], { cwd: dir });
    const job = JSON.parse(readFileSync(traceFile, 'utf8')).at(-1);
    const written = (stage) => job.exchanges.filter((e) => e.map_stage === stage).length;
    const read = (stage) => job.exchanges.filter((e) => job.stages.find((s) => s.id === stage).parents.includes(e.map_stage)).length;
    // Job start and end; each stage submitted and done; each task started and ended, with its shuffle reads and
    // writes; each broadcast built and copied to every executor.
    const expected = 2 + 2 * job.stages.filter((s) => !s.skipped).length
      + job.tasks.reduce((n, t) => n + 2 + written(t.stage) + read(t.stage), 0)
      + job.broadcasts.reduce((n, b) => n + 1 + b.copies, 0);
    await withApp({}, async (page) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.setInputFiles('#trace-picker', traceFile);
      await page.waitForSelector('#opened-trace', { timeout: 30_000 });
      await page.click('#tab-timeline');
      await page.click('#replay-start');
      await page.click('#replay-play');
      await page.waitForSelector('#replay[data-playing="false"]');
      assert.equal(Number(await page.locator('#replay').getAttribute('data-steps')), expected);
      await page.locator('#replay-scrub').fill('0');
      assert.equal(await page.locator('.timeline .task').count(), 0, 'nothing has run at the job start');
      assert.match(await page.locator('#replay-caption').textContent(), /The job starts \(collect\)/);
      // Forward through every step with the keyboard: time never goes back, every step says something new.
      await page.focus('#job-view');
      const times = [];
      const captions = new Set();
      for (let step = 0; step < expected; step++) {
        assert.equal(await page.locator('#replay').getAttribute('data-step'), String(step));
        const caption = await page.locator('#replay-caption').textContent();
        times.push(Number(caption.match(/· ([\d.]+) ms/)[1]));
        captions.add(caption);
        if (step + 1 < expected) await page.keyboard.press('ArrowRight');
      }
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      assert.ok(captions.size >= expected - job.broadcasts.length, 'captions tell the steps apart');
      assert.match([...captions].at(-1), /The job ends after/);
      assert.equal(await page.locator('.timeline .task').count(), job.tasks.length, 'every task ran by the end');
      // And back to the start.
      for (let step = expected - 1; step > 0; step--) await page.keyboard.press('ArrowLeft');
      assert.equal(await page.locator('#replay').getAttribute('data-step'), '0');
      // The operators' counts grow as tasks end: none at the start, the trace's totals at the end.
      await page.click('#tab-operators');
      const scanRows = () => page.locator('#operator-graph .operator[data-name="Scan parquet"]').getAttribute('data-rows');
      assert.equal(await scanRows(), '0');
      await page.locator('#replay-scrub').fill(String(expected - 1));
      const scan = job.plan_graph.nodes.find((n) => n.name === 'Scan parquet');
      const total = scan.metrics.find((m) => m.name === 'number of output rows').values.reduce((n, v) => n + v.value, 0);
      assert.equal(await scanRows(), String(total));

      // The moment a map task writes, its row of the reshuffle fills; the broadcast's copies arrive one by one.
      await page.click('#tab-shuffle');
      const frames = [];
      for (let step = 0; step < expected; step++) {
        await page.locator('#replay-scrub').fill(String(step));
        const caption = await page.locator('#replay-caption').textContent();
        const rows = await page.locator('.exchange .map-row').evaluateAll((r) => r.map((g) => g.dataset.written));
        frames.push({ caption, rows });
      }
      const firstWrite = frames.findIndex((f) => /writes its \d+ rows into the 200 buckets/.test(f.caption));
      assert.ok(firstWrite > 0);
      assert.ok(frames[firstWrite - 1].rows.every((w) => w === 'false'));
      assert.equal(frames[firstWrite].rows.filter((w) => w === 'true').length, 1);
      assert.ok(frames.at(-1).rows.every((w) => w === 'true'));
      // The step a task ends, its partition's bar fills and is marked.
      await page.click('#tab-partitions');
      const taskEnd = frames.findIndex((f) => /Task \d+ of stage \d+ on executor \d+ read/.test(f.caption));
      await page.locator('#replay-scrub').fill(String(taskEnd));
      assert.equal(await page.locator('.partition-bar.now').count(), 1);
      await page.click('#tab-broadcast');
      const copied = frames.findIndex((f) => /Executor 0 gets its copy of broadcast 0/.test(f.caption));
      await page.locator('#replay-scrub').fill(String(copied - 1));
      assert.equal(await page.locator('.broadcast-travel .copy.not-yet').count(), job.broadcasts[0].copies);
      await page.locator('#replay-scrub').fill(String(copied));
      assert.equal(await page.locator('.broadcast-travel .copy.not-yet').count(), job.broadcasts[0].copies - 1);
      await page.screenshot({ path: join(ARTIFACTS, 'replay-broadcast.png') });

      // A sequence for the README: the same job at four moments, on four views.
      const moments = [['dag', frames.findIndex((f) => /Stage 0 is done/.test(f.caption))], ['timeline', firstWrite],
        ['shuffle', frames.findIndex((f) => /fetches reduce partitions/.test(f.caption))], ['operators', expected - 1]];
      for (const [index, [tab, step]] of moments.entries()) {
        await page.click(`#tab-${tab}`);
        await page.locator('#replay-scrub').fill(String(step));
        await page.locator('#job-view').screenshot({ path: join(ARTIFACTS, `replay-${index + 1}-${tab}.png`) });
      }

      // Every view holds at 1280×800 in the middle of the replay.
      await page.locator('#replay-scrub').fill(String(Math.floor(expected / 2)));
      for (const tab of ['dag', 'operators', 'stages', 'partitions', 'shuffle', 'broadcast', 'timeline', 'aqe']) {
        await page.click(`#tab-${tab}`);
        await assertNothingOverflows(page, `replay, ${tab}`);
      }

      // Space plays (one step after another) and pauses.
      await page.locator('#replay-scrub').fill('0');
      await page.focus('#job-view');
      await page.keyboard.press('Space');
      await page.waitForFunction(() => Number(document.querySelector('#replay').dataset.step) >= 2, null, { timeout: 10_000 });
      await page.keyboard.press('Space');
      assert.equal(await page.locator('#replay').getAttribute('data-playing'), 'false');
      await assertNothingOverflows(page, 'replay');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a skewed stage is named on the stage page and its keys are shown in the reshuffle', async () => {
  // 19 rows in 20 have the key 0: after repartition(8, "k") one reduce task gets nearly all the UDF's work.
  const skewed = 'from pyspark.sql import types\nslow = F.udf(lambda v: sum(range(200)), types.LongType())\n' +
    'df = spark.range(60000).withColumn("k", F.when(F.col("id") % 20 == 0, F.col("id") % 7 + 1).otherwise(F.lit(0)))\n' +
    'print(len(df.repartition(8, "k").select(slow("k")).collect()))\n';
  const traceFile = join(samplesDir, 'skew.json');
  cliOutput(`${SETUP}${skewed}`, ['--trace', traceFile]);
  const exchange = JSON.parse(readFileSync(traceFile, 'utf8')).at(-1).exchanges[0];
  const hot = exchange.sample_keys.findIndex((keys) => keys.includes('0'));
  await withApp({ cells: [python(SETUP + skewed)] }, async (page) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await runCell(page, 0);
    await page.click('#tab-stages');
    const note = page.locator('.skew-note');
    assert.equal(await note.getAttribute('data-partition'), String(hot));
    assert.match(await note.textContent(), new RegExp(`partition ${hot}\\) took .*× the 75th percentile`));
    await page.screenshot({ path: join(ARTIFACTS, 'view-stages-skew.png') });
    await page.click('#skew-to-reshuffle');
    await page.waitForSelector('#tab-shuffle.active');
    assert.match(await page.locator('.focus-note').textContent(), new RegExp(`The slow reduce task ${hot} read partition ${hot}: .* Keys seen there include .*\\b0\\b`));
    await assertNothingOverflows(page, 'skew');
  });
});

/** The steps of a lesson file: each `## ` section's cell, if it has one (the format `crates/web/src/lesson.rs` reads). */
function lessonSteps(name) {
  const text = readFileSync(join(ROOT, 'www/lessons', name), 'utf8');
  const block = (section, fence) => section.match(new RegExp(`^\`\`\`${fence}\\n([\\s\\S]*?)^\`\`\``, 'm'))?.[1] ?? null;
  return text.split(/^## /m).slice(1).map((section) => ({
    code: block(section, '(?:python|sql)'),
    exercise: section.includes('<!-- exercise -->'),
    wrong: block(section, 'wrong'),
    advice: section.match(/<!-- wrong: (.*) -->/)?.[1],
    predict: section.match(/<!-- predict: (.*) \| (.*) \| (.*) -->/)?.slice(2).map((part) => part.trim()),
    look: section.match(/<!-- look: (\S+)(?: (.*?))? -->/)?.slice(1),
    engine: section.match(/<!-- engine: (\S+) -->/)?.[1],
  }));
}

test('every lesson step runs from its link and prints what the CLI prints; progress and edits survive a reload', async () => {
  const names = JSON.parse(readFileSync(join(ROOT, 'www/lessons/lessons.json'), 'utf8'));
  await withApp({}, async (page) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const name of names) {
      const id = name.replace(/\.md$/, '');
      const steps = lessonSteps(name);
      let before = '';
      for (const [index, { code, exercise, wrong, advice, predict, look, engine }] of steps.entries()) {
        await page.goto(`${page.url().split('#')[0]}#/lessons/${id}/${index + 1}`);
        await page.waitForSelector(`#lesson-step[data-lesson="${id}"][data-step="${index + 1}"]`);
        if (engine) {
          // The module the step points at opens with the comment its source starts with.
          await page.click('.engine-note summary');
          await page.waitForSelector('.engine-note .module-comment');
          const comment = readFileSync(join(ROOT, engine), 'utf8').split('\n').filter((line, i, lines) => lines.slice(0, i + 1).every((l) => l.startsWith('//!')))
            .map((line) => line.replace(/^\/\/! ?/, '')).join('\n');
          assert.equal(await page.locator('.engine-note .module-comment').textContent(), comment, `${id} step ${index + 1}: ${engine}`);
        }
        if (exercise) {
          // A plausible wrong answer is refused with the exercise's advice; the reference solution is accepted.
          await page.click('.lesson-cell .cm-content');
          await page.keyboard.press('Control+A');
          await page.keyboard.type(wrong);
          await page.click('#run-step');
          await page.waitForSelector('#exercise-result', { timeout: 90_000 });
          assert.equal(await page.locator('#exercise-result').getAttribute('data-passed'), 'false', `${id} step ${index + 1}`);
          const message = await page.locator('#exercise-result').textContent();
          // What differs (a number too high or low, a count of rows), then the exercise's own advice.
          assert.match(message, /^(You printed \d+(\.\d+)?; that is not the expected answer \(yours is too (high|low)\)|\d+ rows; the expected result has \d+|The right number of rows, but not the expected values|Your output is not the expected one)\. /, message);
          assert.ok(message.endsWith(advice), message);
          await page.screenshot({ path: join(ARTIFACTS, `lesson-exercise-${id}.png`) });
          await page.click('.exercise-solution summary');
          await page.click('#use-solution');
          await page.click('#run-step');
          await page.waitForSelector('#exercise-result[data-passed="true"]', { timeout: 90_000 });
          await page.waitForSelector('#lesson-step[data-done="true"]');
          continue;
        }
        if (code === null) continue;
        if (predict) {
          // The step waits for a prediction; the answer then comes from the step's job, as the CLI's trace has it.
          const [fact, choices] = predict;
          assert.ok(await page.locator('#run-step').isDisabled(), 'predict before running');
          const choice = choices.split(',').at(-1).trim();
          await page.click(`#prediction .choice[data-choice="${choice}"]`);
          await page.waitForSelector('#prediction-answer', { timeout: 90_000 });
          const traceFile = join(samplesDir, 'lesson-trace.json');
          cliOutput(before + code, ['--trace', traceFile]);
          const job = JSON.parse(readFileSync(traceFile, 'utf8')).at(-1);
          const answer = fact === 'join' ? job.joins[0].strategy : String(job.stages.find((s) => s.id === Number(fact.split(' ')[1])).partitions);
          assert.equal(await page.locator('#prediction-answer').getAttribute('data-answer'), answer, `${id} step ${index + 1}`);
          assert.equal(await page.locator('#prediction-answer').getAttribute('data-right'), String(choice === answer));
          await page.screenshot({ path: join(ARTIFACTS, `lesson-prediction-${id}.png`) });
        }
        await page.waitForSelector('#step-output', { timeout: 90_000 });
        assert.equal(await page.locator('#step-output').getAttribute('data-failed'), 'false', `${id} step ${index + 1}`);
        if (await page.locator('#exported-script').count()) {
          // The program so far, exported in the page as `kindling export` exports it.
          writeFileSync(join(samplesDir, `${id}.py`), before + code);
          const exported = execFileSync(CLI, ['export', join(samplesDir, `${id}.py`)], { encoding: 'utf8' });
          assert.equal(await page.locator('#exported-script').textContent(), exported);
          await page.screenshot({ path: join(ARTIFACTS, `lesson-export-${id}.png`) });
        }
        // The step runs after the steps before it: its output is what the CLI prints after theirs.
        const program = before + code;
        const expected = cliOutput(program).slice(cliOutput(before || 'pass\n').length);
        const printed = (await page.locator('#step-output .stdout').count()) ? await page.locator('#step-output .stdout').textContent() : '';
        // Expression ids (`trip_distance#8`) count up over a session's life: the page's has run more than the CLI's.
        const ids = (text) => text.replace(/#\d+/g, '#x');
        assert.equal(ids(printed), ids(expected), `${id} step ${index + 1}`);
        await page.waitForSelector(`#lesson-step[data-done="true"]`);
        if (look) {
          // The view the step points at is open, and the operator it names is selected in the graph.
          const [view, target] = look;
          await page.waitForSelector(`#tab-${view}.active`, { timeout: 5_000 }).catch(() => assert.fail(`${id} step ${index + 1}: no ${view} view open`));
          const replayStep = target?.match(/^at step (\d+)$/)?.[1];
          const key = target?.match(/^key (.+)$/)?.[1];
          const stage = target?.match(/^stage (\d+)$/)?.[1];
          if (stage) {
            assert.equal(await page.locator('.stage-summary.marked').getAttribute('data-stage'), stage);
          } else if (key) {
            // The reshuffle follows the key: its hash and partition are told.
            assert.match(await page.locator('.key-route').first().textContent(), new RegExp(`hash\\(${key}\\) = -?\\d+, and pmod`));
          } else if (replayStep) {
            // The job's replay opens at the moment the lesson names.
            assert.equal(await page.locator('#replay').getAttribute('data-step'), String(Number(replayStep) - 1));
          } else if (target) {
            assert.equal(await page.locator('#operator-detail h3').textContent(), target, `${id} step ${index + 1}`);
          }
        }
        before = program;
      }
    }
    await page.locator('#job-view').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'lesson-step.png') });

    // The list shows each lesson's progress; an edit is kept over a reload, and "Reset code" restores the lesson's.
    const [first] = names.map((n) => n.replace(/\.md$/, ''));
    await page.goto(`${page.url().split('#')[0]}#/lessons/${first}/1`);
    await page.waitForSelector('#step-output', { timeout: 90_000 });
    await page.click('.lesson-cell .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('print("mine")\n');
    // Live re-run: once the typing pauses, the step runs again without pressing Run.
    await page.waitForFunction(() => /mine/.test(document.querySelector('#step-output .stdout')?.textContent ?? ''), null, { timeout: 30_000 });
    await page.reload();
    await page.waitForSelector('#step-output', { timeout: 90_000 });
    assert.match(await page.locator('.lesson-cell .cm-content').textContent(), /print\("mine"\)/);
    assert.match(await page.locator('#step-output .stdout').textContent(), /mine/);
    await page.click('#reset-code');
    assert.doesNotMatch(await page.locator('.lesson-cell .cm-content').textContent(), /mine/);
    await page.click('#mode-lessons');
    await page.waitForSelector('#lesson-list');
    for (const name of names) {
      const entry = page.locator(`.lesson-entry[data-lesson="${name.replace(/\.md$/, '')}"]`);
      assert.equal(await entry.getAttribute('data-done'), await entry.getAttribute('data-steps'), `${name}: every step done`);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'lesson-list.png') });
    // The notebook is untouched by the lessons: its cells are still there.
    await page.click('#mode-notebook');
    await page.waitForSelector('.cell[data-cell="0"]');
  });
});

test('a reload keeps the cells and their text', async () => {
  await withApp({}, async (page) => {
    await page.click('#add-sql');
    await page.click(`${cell(3)} .cm-content`);
    await page.keyboard.type('SELECT 1 AS one');
    await page.reload();
    await page.waitForSelector('#engine-status[data-executors]', { timeout: 90_000 });
    assert.equal(await page.locator('.cell').count(), 4);
    assert.equal(await page.locator(cell(3)).getAttribute('data-language'), 'Sql');
    assert.match(await page.locator(`${cell(3)} .cm-content`).textContent(), /SELECT 1 AS one/);
    // Ctrl+Enter in the editor runs the cell.
    await page.click(`${cell(3)} .cm-content`);
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector(`${cell(3)} .result-table`, { timeout: 90_000 });
    assert.equal(await page.locator(`${cell(3)} .result-table td`).textContent(), '1');
  });
});

test('a long run shows its progress and can be cancelled', async () => {
  const slow = 'from pyspark.sql import types\nslow = F.udf(lambda v: sum(range(20000)), types.LongType())\n' +
    'df_green.select(slow("VendorID")).collect()\n';
  await withApp({ cells: [python(SETUP + slow)] }, async (page) => {
    await page.click(`${cell(0)} .run-cell`);
    await page.waitForFunction(() => Number(document.querySelector('#progress')?.dataset.total) > 0, null, { timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'progress.png'), fullPage: true });
    await page.click('#cancel');
    await page.waitForSelector(`${cell(0)} .output .error`, { timeout: 60_000 });
    assert.match(await page.locator(`${cell(0)} .error`).textContent(), /KeyboardInterrupt/);
    assert.equal(await page.locator('#run-all').isEnabled(), true, 'the notebook is ready again');
  });
});

test('not isolated: the app says so and runs on one executor', async () => {
  await withApp({ isolated: false, cells: [python(`${SETUP}df_green.groupBy("VendorID").count().orderBy("VendorID").show()\n`)] }, async (page) => {
    assert.equal(await page.locator('#engine-status').getAttribute('data-isolated'), 'false');
    assert.equal(await page.locator('#engine-status').getAttribute('data-executors'), '1');
    await runCell(page, 0);
    assert.equal(await stdoutOf(page, 0), cliOutput(`${SETUP}df_green.groupBy("VendorID").count().orderBy("VendorID").show()\n`));
  });
});

test('static host without headers: coi-serviceworker makes the page isolated', async () => {
  await withApp({ isolated: false, serviceWorkers: 'allow' }, async (page) => {
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.ok(Number(await page.locator('#engine-status').getAttribute('data-executors')) >= 2);
  });
});
