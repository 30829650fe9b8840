import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevConsul } from 'dev-consul';
import type { Browser } from 'playwright-core';
import { waitFor } from 'process-supervisor';
import { launchChromium } from './helpers/browser.js';
import type { Running } from './helpers/process.js';
import { killAll, MARKET_MAIN, RATINGS_MAIN, startListening } from './helpers/process.js';
import { loadPage } from './helpers/page.js';
import type { StatusReport } from '../src/ratings-source.js';

const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

describe('the market with ratings in a real browser', () => {
  let consul: Awaited<ReturnType<typeof startDevConsul>>;
  let browser: Browser;
  let base: string;
  const instances: Running[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    consul = await startDevConsul({ port: 0 });
    const env = { CONSUL_HTTP_ADDR: `127.0.0.1:${consul.port}`, RATINGS_TTL: '2s', RATINGS_HEARTBEAT: '400ms' };
    for (const n of [1, 2]) {
      const { running } = await startListening(`ratings-${n}`, RATINGS_MAIN, ['--instance', String(n)], env);
      await running.waitFor(/registered ratings-/);
      instances.push(running);
    }
    const { port } = await startListening('market', MARKET_MAIN, [], { ...env, RATINGS_TIMEOUT_MS: '300', RATINGS_RESET_MS: '2000' });
    base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await loadPage(base)).things.every((t) => t.kind === 'fresh'), { timeoutMs: 10_000, what: 'fresh ratings' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await killAll();
    await consul?.close();
  });

  it('shows four Things with prices and star ratings, fills the cart and checks out', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${base}/`);
    const things = page.locator('article.thing');
    await expect(things.count()).resolves.toBe(4);
    await expect(things.locator('[data-testid=price]').allTextContents()).resolves.toEqual(['$249.00', '$399.00', '$179.00', '$329.00']);
    await expect(things.locator('.stars').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-stars'))))
      .resolves.toEqual(['4', '5', '3', '4']);
    await expect(page.locator('.stars').first().getAttribute('aria-label')).resolves.toBe('4 out of 5 stars');

    await page.locator('article[data-thing=bicycle] button').click();
    await page.waitForURL(`${base}/`);
    await page.locator('article[data-thing=telescope] button').click();
    await page.waitForURL(`${base}/`);
    await expect(page.getByTestId('cart-count').textContent()).resolves.toBe('2');
    await expect(page.getByTestId('cart-total').textContent()).resolves.toBe('$728.00');
    await page.screenshot({ path: `${OUTPUT}market-with-ratings.png`, fullPage: true });

    await page.getByRole('button', { name: 'Check out' }).click();
    await page.getByText('Thank you! 2 items are on the way.').waitFor();
    await expect(page.getByTestId('cart-count').textContent()).resolves.toBe('0');
    await expect(page.getByTestId('cart-empty').isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('shows every ratings instance on /status with its color, health and breaker, the active color, and updates live', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    await page.goto(`${base}/status`);
    const rows = page.locator('tr[data-instance]');
    await expect(rows.count()).resolves.toBe(2);
    const first = await rows.first().textContent();
    expect(first).toMatch(/ratings-1.*http:\/\/127\.0\.0\.1:\d+.*1\.0.*blue.*passing.*CLOSED.*calls [1-9]/);
    await expect(page.getByTestId('active-color').textContent()).resolves
      .toBe('Active color: none: every passing instance gets calls (Consul KV discovery/ratings/active)');
    const before = await rows.first().textContent();
    await loadPage(base); // more calls: the page picks them up on its own within a second or two
    await page.waitForFunction(`document.querySelector('tr[data-instance="ratings-1"]')?.textContent !== ${JSON.stringify(before)}`, undefined, { timeout: 5000 });
    await page.screenshot({ path: `${OUTPUT}status.png`, fullPage: true });

    // a key left over from a cut-over to green while only blue runs: the page says why nothing gets calls
    const key = `${consul.url}/v1/kv/discovery/ratings/active`;
    expect((await fetch(key, { method: 'PUT', body: 'green' })).ok).toBe(true);
    try {
      await page.getByTestId('active-color-unmatched').waitFor({ timeout: 5000 });
      await expect(page.getByTestId('active-color').textContent()).resolves
        .toBe('Active color: green: only green instances get calls (Consul KV discovery/ratings/active)');
      await expect(page.getByTestId('active-color-unmatched').textContent()).resolves.toContain('make cutover SERVICE=ratings COLOR=blue');
      await expect(rows.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-routed')))).resolves.toEqual(['false', 'false']);
      const report = await (await fetch(`${base}/status.json`)).json() as StatusReport;
      expect(report.activeColor).toEqual({ key: 'discovery/ratings/active', color: 'green' });
      expect(report.instances.map((i) => [i.id, i.color, i.health])).toEqual([['ratings-1', 'blue', 'passing'], ['ratings-2', 'blue', 'passing']]);
      await page.screenshot({ path: `${OUTPUT}status-active-color-unmatched.png`, fullPage: true });
    } finally {
      expect((await fetch(key, { method: 'DELETE' })).ok).toBe(true);
    }
    await page.getByTestId('active-color').filter({ hasText: 'Active color: none' }).waitFor({ timeout: 5000 });
    await expect(page.getByTestId('active-color-unmatched').count()).resolves.toBe(0);
    await expect(rows.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-routed')))).resolves.toEqual(['true', 'true']);
    await page.close();
  });

  it('shows an open breaker on /status while an instance is paused, and a page still complete', async () => {
    const paused = instances[1]!;
    paused.child.kill('SIGSTOP');
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(`${base}/`);
      await expect(page.locator('.stars').count()).resolves.toBe(4);
      await expect(page.locator('[data-kind=fresh]').count()).resolves.toBe(4);
      await page.goto(`${base}/status`);
      await page.locator('tr[data-instance="ratings-2"] .pill.bad', { hasText: 'OPEN' }).waitFor({ timeout: 5000 });
      await page.screenshot({ path: `${OUTPUT}status-breaker-open.png`, fullPage: true });
      await page.close();
    } finally {
      paused.child.kill('SIGCONT');
    }
  });

  it('exports the discovery metrics beside its own on /metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^market_ratings_shown_total\{kind="fresh"\} [1-9]/m);
    expect(text).toMatch(/ratings/);
    expect(text.split('\n').filter((line) => /^discovery_\w+/.test(line)).length).toBeGreaterThan(0);
  });
});
