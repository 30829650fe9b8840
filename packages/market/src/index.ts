export { createMarketApp } from './app.js';
export type { MarketAppOptions } from './app.js';
export { addToCart, cartFromCookieHeader, cartToCookieValue, cartTotals, CART_COOKIE } from './cart.js';
export type { Cart } from './cart.js';
export { marketConfig, MarketConfigError, DEFAULT_PORT } from './config.js';
export type { MarketConfig } from './config.js';
export type { InstanceStatus, RatingsSource, RatingView, StatusReport } from './ratings-source.js';
export { formatPrice, THINGS, thingById } from './things.js';
export type { Thing } from './things.js';
