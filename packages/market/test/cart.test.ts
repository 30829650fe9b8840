import { describe, expect, it } from '@jest/globals';
import { addToCart, cartFromCookieHeader, cartToCookieValue, cartTotals } from '../src/cart.js';

describe('the cart cookie', () => {
  it('round-trips a cart through its cookie value', () => {
    const cart = addToCart(addToCart(addToCart(new Map(), 'camera'), 'guitar'), 'camera');
    const header = `theme=dark; cart=${cartToCookieValue(cart)}; other=1`;
    expect([...cartFromCookieHeader(header)]).toEqual([['camera', 2], ['guitar', 1]]);
    expect(cartTotals(cart)).toEqual({ count: 3, totalCents: 2 * 24_900 + 17_900 });
  });

  it('drops unknown Things and garbage instead of failing', () => {
    const cart = cartFromCookieHeader('cart=camera:1.widget:4.guitar:-2.bicycle:x.telescope:1e9x..:');
    expect([...cart]).toEqual([['camera', 1]]);
    expect(cartFromCookieHeader(undefined).size).toBe(0);
    expect(cartFromCookieHeader('cart=').size).toBe(0);
  });

  it('caps the quantity of one Thing', () => {
    expect(cartFromCookieHeader('cart=camera:100000').get('camera')).toBe(99);
  });
});
