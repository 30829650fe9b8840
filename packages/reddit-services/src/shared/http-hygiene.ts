import { maxHeaderSize } from 'node:http';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'express';

/**
 * Statuses for requests Node's HTTP parser refuses (llhttp error codes): a header section over the
 * limit is 431 (RFC 6585), a request that did not arrive in time 408, any other malformed message
 * (folded header, bad chunk size, two Content-Length headers, Content-Length with
 * Transfer-Encoding, ...) 400.
 */
function parserErrorStatus(code: string | undefined): { status: number; text: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, text: 'Request Header Fields Too Large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return { status: 408, text: 'Request Timeout' };
  return { status: 400, text: 'Bad Request' };
}

/**
 * Answers requests the HTTP parser refuses with a JSON error and closes the connection, instead of
 * Node's bare `400` with no body: every answer of the API is JSON. Mirrors Node's own rule for when
 * an answer can still be written (the socket is writable and no response has started on it).
 */
export function answerClientErrorsWithJson(server: Server): void {
  server.on('clientError', (error: Error & { code?: string; reason?: string }, socket: Duplex) => {
    const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, text } = parserErrorStatus(error.code);
    const body = JSON.stringify(
      status === 431
        ? { error: 'request header fields too large', details: { limitBytes: maxHeaderSize } }
        : status === 408
          ? { error: 'request timed out before it was complete' }
          : { error: 'malformed HTTP request', details: { reason: error.reason ?? error.message } },
    );
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * The first middleware of every app:
 * - an HTTP/1.1 request without `Host` is a 400 (RFC 9112 §3.2), answered in JSON (the server is
 *   created with Node's own bare check turned off);
 * - a request target in absolute form (`GET http://host/posts HTTP/1.1`, which servers must accept,
 *   RFC 9112 §3.2.2) is rewritten to origin form (`/posts`), so routing and forwarding see a path;
 *   the asterisk form and anything else that is not a path is a 400.
 */
export const normalizeRequestTarget: RequestHandler = (req, res, next) => {
  if (req.httpVersion === '1.1' && (req.headers.host === undefined || req.headers.host === '')) {
    res.status(400).set('Connection', 'close').json({ error: 'HTTP/1.1 request without a Host header' });
    return;
  }
  if (!req.url.startsWith('/')) {
    let target: URL | undefined;
    try {
      target = /^https?:\/\//i.test(req.url) ? new URL(req.url) : undefined;
    } catch {
      target = undefined;
    }
    if (!target) {
      res.status(400).json({ error: 'the request target must be a path such as /posts' });
      return;
    }
    req.url = `${target.pathname}${target.search}`;
    req.originalUrl = req.url;
  }
  next();
};

