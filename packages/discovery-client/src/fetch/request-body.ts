import type { Dispatcher } from 'undici';

type DispatchBody = Dispatcher.DispatchOptions['body'];

/**
 * The whole body of a dispatched request, read before the first attempt so every attempt (a retry, a
 * hedge) can send it again: fetch hands a string or bytes for a string, `URLSearchParams` or buffer body,
 * and an async iterable for a stream (a `ReadableStream`, `FormData`, a `Blob`).
 */
export async function readRequestBody(body: DispatchBody): Promise<string | Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    return Buffer.concat(chunks);
  }
  throw new TypeError(`Expected a request body undici dispatches (a string, bytes or an async iterable), got ${typeof body}`);
}
