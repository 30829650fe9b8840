// The repository's convention for a process started with `PORT=0`: once it listens it prints
// `listening on port <n>`. The one place that line is parsed.

/** Matches the line a process prints once it listens; the port is the first group. */
export const LISTENING_ON_PORT = /listening on port (\d+)/;

/** The port in `text`'s first `listening on port <n>` line, or `undefined` when it has none. */
export function listeningPort(text: string): number | undefined {
  const match = LISTENING_ON_PORT.exec(text);
  return match ? Number(match[1]) : undefined;
}
