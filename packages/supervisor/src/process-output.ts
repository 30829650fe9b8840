/** Which of a process's outputs a line came from. */
export type OutputStream = 'stdout' | 'stderr';

/** Receives each line a process prints. */
export type LineListener = (line: string, stream: OutputStream) => void;

/** Keeps at most this many characters of a process's output; beyond it the oldest lines go. */
export const MAX_KEPT_CHARS = 64_000_000;

/**
 * What a process printed, line by line (stdout and stderr interleaved as they arrive): kept for `output()`
 * and error messages, handed to line listeners, searched by `waitForLine`. Line numbers are absolute, so a
 * `mark()` stays valid when old lines are dropped.
 */
export class ProcessOutput {
  private readonly lines: string[] = [];
  private dropped = 0;
  private chars = 0;
  private readonly listeners = new Set<LineListener>();

  /** Records one line (without its newline) and hands it to the listeners. */
  push(line: string, stream: OutputStream): void {
    this.lines.push(line);
    this.chars += line.length + 1;
    while (this.chars > MAX_KEPT_CHARS && this.lines.length > 1) {
      this.chars -= this.lines.shift()!.length + 1;
      this.dropped += 1;
    }
    for (const listener of this.listeners) listener(line, stream);
  }

  /** The number of the next line: pass it to {@link since} or `waitForLine` to read only what comes after. */
  mark(): number {
    return this.dropped + this.lines.length;
  }

  /** The kept lines from line `mark` on, each ending in a newline. */
  since(mark = 0): string {
    const from = Math.max(0, mark - this.dropped);
    return this.lines.slice(from).map((line) => `${line}\n`).join('');
  }

  /** The first kept line from line `from` on that matches `pattern`. */
  find(pattern: RegExp, from = 0): RegExpMatchArray | undefined {
    for (let i = Math.max(0, from - this.dropped); i < this.lines.length; i += 1) {
      const match = this.lines[i]!.match(pattern);
      if (match) return match;
    }
    return undefined;
  }

  /** Calls `listener` with each line from now on; returns the function that stops it. */
  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
