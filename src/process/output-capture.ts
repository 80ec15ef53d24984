/**
 * What the runner keeps of a child's output whatever it prints: a rolling tail of bytes (for error
 * messages) and its lines, each cut to a bounded length.
 */
import { StringDecoder } from 'node:string_decoder';

/** A child that prints without newlines must not grow a line buffer without bound (the default maxLineChars). */
export const MAX_LINE_CHARS = 64 * 1024;

/** Keeps the last `limit` bytes written to it, in chunks, never more than one chunk beyond the limit. */
export class ByteTail {
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0) return;
    if (chunk.length >= this.limit) {
      this.chunks = [chunk.subarray(chunk.length - this.limit)];
      this.length = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.length - this.chunks[0]!.length >= this.limit) this.length -= this.chunks.shift()!.length;
  }

  /** The kept bytes as text; a character cut in two at the start is dropped. */
  text(): string {
    const all = Buffer.concat(this.chunks, this.length);
    let start = Math.max(0, all.length - this.limit);
    // UTF-8 continuation bytes are 10xxxxxx: skip to the first byte that starts a character.
    while (start < all.length && (all[start]! & 0xc0) === 0x80) start++;
    return all.subarray(start).toString('utf8');
  }
}

/** Splits a byte stream into lines (\n or \r\n), decoding UTF-8 across chunk boundaries. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** The current line was cut at maxLineChars: drop the rest of it. */
  private overlong = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }

  end(): void {
    this.feed(this.decoder.end());
    if (this.pending !== '' && !this.overlong) this.onLine(this.pending);
    this.pending = '';
  }

  private feed(text: string): void {
    let from = 0;
    for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
      const line = this.pending + text.slice(from, nl);
      this.pending = '';
      from = nl + 1;
      if (this.overlong) this.overlong = false;
      else this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (this.overlong) return;
    this.pending += text.slice(from);
    if (this.pending.length > this.maxLineChars) {
      this.onLine(this.pending.slice(0, this.maxLineChars));
      this.pending = '';
      this.overlong = true;
    }
  }
}
