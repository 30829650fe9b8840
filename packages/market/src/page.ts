import type { Cart } from './cart.js';
import { cartTotals } from './cart.js';
import { escapeHtml, layout } from './html.js';
import type { RatingView } from './ratings-source.js';
import type { Thing } from './things.js';
import { formatPrice, thingById } from './things.js';

/** What the shop page shows. */
export interface MarketPageModel {
  things: readonly Thing[];
  /** `undefined` in monolith mode: the market knows nothing of ratings. */
  ratings?: ReadonlyMap<string, RatingView>;
  cart: Cart;
  /** A one-line message at the top, e.g. after checkout. */
  notice?: string;
}

/** The shop: four Things with prices (and ratings when there are any), a cart, a checkout button. */
export function renderMarketPage(model: MarketPageModel): string {
  const { count, totalCents } = cartTotals(model.cart);
  const allDown = model.ratings !== undefined && [...model.ratings.values()].every((view) => view.kind !== 'fresh');
  const anyStale = model.ratings !== undefined && [...model.ratings.values()].some((view) => view.kind === 'stale');
  const cards = model.things.map((thing) => renderThing(thing, model.ratings?.get(thing.id), model.ratings !== undefined)).join('\n');
  const lines = [...model.cart].map(([id, quantity]) => {
    const thing = thingById(id);
    return thing ? `<li><span>${quantity} × ${escapeHtml(thing.name)}</span><span>${formatPrice(quantity * thing.priceCents)}</span></li>` : '';
  }).join('');
  const body = `
<h1>Things worth having</h1>
<p class="sub">${model.ratings === undefined ? 'Four fine Things, one simple shop.' : 'Four fine Things, rated by the ratings service.'}</p>
${model.notice ? `<div class="notice" role="status">${escapeHtml(model.notice)}</div>` : ''}
${allDown ? `<div class="warn" role="status">Ratings are unavailable right now${anyStale ? ': showing the last ratings we had' : ''}.</div>` : ''}
<div class="layout">
  <section class="things" aria-label="Things">
${cards}
  </section>
  <aside class="cart" aria-label="Cart" data-testid="cart">
    <h2>Cart</h2>
    <p><span data-testid="cart-count">${count}</span> ${count === 1 ? 'item' : 'items'}</p>
    ${count === 0 ? '<p class="muted" data-testid="cart-empty">Your cart is empty.</p>' : `<ul>${lines}</ul>`}
    <div class="total"><span>Total</span><span data-testid="cart-total">${formatPrice(totalCents)}</span></div>
    <form method="post" action="/checkout"><button class="checkout" type="submit"${count === 0 ? ' disabled' : ''}>Check out</button></form>
  </aside>
</div>`;
  return layout('Market', body);
}

function renderThing(thing: Thing, view: RatingView | undefined, withRatings: boolean): string {
  return `    <article class="thing" data-thing="${escapeHtml(thing.id)}">
      <div class="icon">${thing.icon}</div>
      <h2>${escapeHtml(thing.name)}</h2>
      <p>${escapeHtml(thing.blurb)}</p>
      <div class="price" data-testid="price">${formatPrice(thing.priceCents)}</div>
      ${withRatings ? `<div class="rating" data-testid="rating" data-kind="${view?.kind ?? 'none'}">${renderRating(view)}</div>` : ''}
      <form method="post" action="/cart"><input type="hidden" name="thing" value="${escapeHtml(thing.id)}"><button class="add" type="submit">Add to cart</button></form>
    </article>`;
}

function renderRating(view: RatingView | undefined): string {
  if (view === undefined || view.kind === 'none') return '<span class="muted">No rating yet</span>';
  const stars = `<span class="stars" aria-label="${view.stars} out of 5 stars" data-stars="${view.stars}">${'★'.repeat(view.stars)}<span class="off">${'★'.repeat(Math.max(0, 5 - view.stars))}</span></span>`;
  if (view.kind === 'stale') {
    return `${stars} <span class="stale" title="ratings could not answer: ${escapeHtml(view.reason)}">last known, may be stale</span>`;
  }
  return `${stars} <span class="muted">${view.instance === undefined ? '' : `from ratings-${view.instance}`}</span>`;
}
