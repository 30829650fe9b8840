import { deadlineGuard, remainingTime } from 'discovery-client';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Cart } from './cart.js';
import { addToCart, CART_COOKIE, cartFromCookieHeader, cartToCookieValue, cartTotals } from './cart.js';
import { escapeHtml, layout } from './html.js';
import type { Log } from './log.js';
import { silentLog } from './log.js';
import { renderMarketPage } from './page.js';
import type { RatingsSource, StatusReport } from './ratings-source.js';
import { renderStatusPage } from './status-page.js';
import { THINGS, thingById } from './things.js';

/** Options of {@link createMarketApp}. */
export interface MarketAppOptions {
  /** Where ratings come from; absent in monolith mode. @default undefined */
  ratings?: RatingsSource;
  /** The Prometheus registry `/metrics` serves; the market adds its own metrics to it. */
  registry: Registry;
  /** @default silent */
  log?: Log;
}

/** A cart cookie lives this long (30 days). */
const CART_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/**
 * The market as an express 5 app: the shop page (`/`), cart and checkout, `/status`, `/status.json`,
 * `/metrics`, `/health`.
 */
export function createMarketApp(options: MarketAppOptions): Express {
  const { ratings, registry } = options;
  const log = options.log ?? silentLog;
  const mode = ratings ? 'ratings' : 'monolith';
  const pages = new Counter({ name: 'market_page_renders_total', help: 'Shop pages rendered', registers: [registry] });
  const pageSeconds = new Histogram({
    name: 'market_page_render_seconds', help: 'Time to render the shop page, ratings included',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 5], registers: [registry],
  });
  const shown = new Counter({
    name: 'market_ratings_shown_total', help: 'Ratings shown on pages, by kind (fresh, stale, none)',
    labelNames: ['kind'] as const, registers: [registry],
  });
  const checkouts = new Counter({ name: 'market_checkouts_total', help: 'Carts checked out', registers: [registry] });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  // deadline propagation: a caller that says how long it waits (x-request-timeout-ms) gets a 504 once that is 0,
  // a 503 when it left before the page was started, and the page's ratings calls wait no longer than it does
  app.use(deadlineGuard());

  app.get('/', async (req, res) => {
    const stop = pageSeconds.startTimer();
    const views = ratings ? await ratings.ratingsFor(THINGS.map((thing) => thing.id), remainingTime(req)) : undefined;
    for (const view of views?.values() ?? []) shown.inc({ kind: view.kind });
    const ordered = typeof req.query.ordered === 'string' ? Number(req.query.ordered) : NaN;
    const notice = Number.isInteger(ordered) && ordered > 0
      ? `Thank you! ${ordered} ${ordered === 1 ? 'item is' : 'items are'} on the way.` : undefined;
    res.set('Cache-Control', 'no-store').type('html').send(renderMarketPage({
      things: THINGS, ratings: views, cart: cartFromCookieHeader(req.headers.cookie), notice,
    }));
    pages.inc();
    stop();
  });

  app.post('/cart', (req, res) => {
    const id = typeof req.body?.thing === 'string' ? req.body.thing : '';
    if (!thingById(id)) {
      sendError(req, res, 400, 'unknown_thing', id ? `the market does not sell "${id}"` : 'say which thing to add: thing=<id>');
      return;
    }
    setCart(res, addToCart(cartFromCookieHeader(req.headers.cookie), id));
    res.redirect(303, '/');
  });

  app.post('/checkout', (req, res) => {
    const { count } = cartTotals(cartFromCookieHeader(req.headers.cookie));
    if (count > 0) {
      checkouts.inc();
      log.info(`CHECKOUT ${count} item${count === 1 ? '' : 's'}`);
    }
    res.clearCookie(CART_COOKIE, { path: '/' });
    res.redirect(303, count > 0 ? `/?ordered=${count}` : '/');
  });

  const statusReport = async (): Promise<StatusReport> => ratings
    ? ratings.status()
    : { service: 'ratings', mode, instances: [], lastRatings: {}, updatedAt: new Date().toISOString() };

  app.get('/status', async (_req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(renderStatusPage(await statusReport()));
  });

  app.get('/status.json', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await statusReport());
  });

  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', mode });
  });

  app.use((req, res) => {
    sendError(req, res, 404, 'not_found', `no page at ${req.method} ${req.path}`);
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(error);
    if (status >= 500) log.error(`ERROR ${req.method} ${req.path}: ${error instanceof Error ? error.message : String(error)}`);
    sendError(req, res, status, status >= 500 ? 'internal' : 'bad_request',
      status >= 500 ? 'the market could not answer this request' : 'the request could not be understood');
  });

  return app;
}

function setCart(res: Response, cart: Cart): void {
  res.cookie(CART_COOKIE, cartToCookieValue(cart), { path: '/', httpOnly: true, sameSite: 'lax', maxAge: CART_MAX_AGE_MS, encode: String });
}

/** JSON errors for programs, a small page for browsers; never a stack trace. */
function sendError(req: Request, res: Response, status: number, error: string, message: string): void {
  res.status(status);
  if (req.accepts(['json', 'html']) === 'html') {
    res.type('html').send(layout(`Market: ${status}`, `<h1>${status}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to the shop</a></p>`));
  } else {
    res.json({ error, message });
  }
}

function statusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const status = (error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 600) return status;
  }
  return 500;
}
