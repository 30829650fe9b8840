import { thingById } from './things.js';

/** A cart: how many of each Thing, by Thing id. Kept in the browser's `cart` cookie, so each browser has its own. */
export type Cart = ReadonlyMap<string, number>;

export const CART_COOKIE = 'cart';
/** More of one Thing than this in a cart is surely a mistake. */
export const MAX_QUANTITY = 99;

/** Reads the cart from a `Cookie` header. Unknown Things and garbage are dropped, never an error. */
export function cartFromCookieHeader(header: string | undefined): Cart {
  const cart = new Map<string, number>();
  const raw = header?.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${CART_COOKIE}=`));
  if (!raw) return cart;
  for (const entry of raw.slice(CART_COOKIE.length + 1).split('.')) {
    const [id, count] = entry.split(':');
    const quantity = Number(count);
    if (id && thingById(id) && Number.isInteger(quantity) && quantity > 0) {
      cart.set(id, Math.min(quantity, MAX_QUANTITY));
    }
  }
  return cart;
}

/** The cookie value for `cart`: `camera:2.guitar:1`. */
export function cartToCookieValue(cart: Cart): string {
  return [...cart].map(([id, quantity]) => `${id}:${quantity}`).join('.');
}

/** A new cart with one more `id`. */
export function addToCart(cart: Cart, id: string): Cart {
  const next = new Map(cart);
  next.set(id, Math.min((cart.get(id) ?? 0) + 1, MAX_QUANTITY));
  return next;
}

/** Number of items and total price in cents. */
export function cartTotals(cart: Cart): { count: number; totalCents: number } {
  let count = 0;
  let totalCents = 0;
  for (const [id, quantity] of cart) {
    count += quantity;
    totalCents += quantity * (thingById(id)?.priceCents ?? 0);
  }
  return { count, totalCents };
}
