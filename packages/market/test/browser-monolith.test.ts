import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser.js';
import { killAll, MARKET_MAIN, startListening } from './helpers/process.js';

const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

describe('the market monolith in a real browser', () => {
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const { port } = await startListening('market', MARKET_MAIN, ['--monolith'], {});
    url = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await killAll();
  });

  it('shows four Things with prices, fills the cart and checks out', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(url);
    const things = page.locator('article.thing');
    await expect(things.count()).resolves.toBe(4);
    await expect(things.locator('h2').allTextContents()).resolves.toEqual(['Camera', 'Bicycle', 'Guitar', 'Telescope']);
    for (const price of await things.locator('[data-testid=price]').allTextContents()) {
      expect(price).toMatch(/^\$\d+\.\d{2}$/);
    }
    // the monolith knows nothing of ratings
    await expect(page.locator('[data-testid=rating]').count()).resolves.toBe(0);
    await expect(page.getByTestId('cart-count').textContent()).resolves.toBe('0');

    await page.locator('article[data-thing=camera] button').click();
    await page.waitForURL(url);
    await page.locator('article[data-thing=guitar] button').click();
    await page.waitForURL(url);
    await expect(page.getByTestId('cart-count').textContent()).resolves.toBe('2');
    await expect(page.getByTestId('cart-total').textContent()).resolves.toBe('$428.00');
    await page.screenshot({ path: `${OUTPUT}monolith-cart.png`, fullPage: true });

    await page.getByRole('button', { name: 'Check out' }).click();
    await page.getByText('Thank you! 2 items are on the way.').waitFor();
    await expect(page.getByTestId('cart-count').textContent()).resolves.toBe('0');
    await expect(page.getByTestId('cart-empty').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Check out' }).isDisabled()).resolves.toBe(true);
    await page.close();
  });

  it('keeps one cart per browser', async () => {
    const alice = await browser.newContext();
    const bob = await browser.newContext();
    const a = await alice.newPage();
    const b = await bob.newPage();
    await a.goto(url);
    await b.goto(url);
    await a.locator('article[data-thing=bicycle] button').click();
    await a.waitForURL(url);
    await a.locator('article[data-thing=bicycle] button').click();
    await a.waitForURL(url);
    await b.locator('article[data-thing=telescope] button').click();
    await b.waitForURL(url);
    await a.reload();
    await b.reload();
    await expect(a.getByTestId('cart-count').textContent()).resolves.toBe('2');
    await expect(a.getByTestId('cart-total').textContent()).resolves.toBe('$798.00');
    await expect(b.getByTestId('cart-count').textContent()).resolves.toBe('1');
    await expect(b.getByTestId('cart-total').textContent()).resolves.toBe('$329.00');
    await alice.close();
    await bob.close();
  });
});
