/**
 * Files that appear under their final name only when complete: written to `<name>.partial`, flushed to
 * disk, then renamed (atomic on one file system). A crash or an abort never leaves a file that looks
 * finished; a retry removes the leftovers with removeOutputs().
 */
import fs from 'node:fs';

export const PARTIAL_SUFFIX = '.partial';

export function partialPath(finalPath: string): string {
  return `${finalPath}${PARTIAL_SUFFIX}`;
}

/** Buffers text and writes it in large chunks, so many small frames cost few system calls. */
const FLUSH_BYTES = 1 << 20;

export class AtomicFileWriter {
  private pending: string[] = [];
  private pendingLength = 0;
  private written = 0;

  private constructor(
    readonly finalPath: string,
    private readonly handle: fs.promises.FileHandle,
  ) {}

  static async create(finalPath: string): Promise<AtomicFileWriter> {
    const handle = await fs.promises.open(partialPath(finalPath), 'w');
    return new AtomicFileWriter(finalPath, handle);
  }

  /** Bytes handed to the file system so far (flushed chunks only). */
  get bytesWritten(): number {
    return this.written;
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    await this.handle.write(chunk);
    this.written += chunk.length;
  }

  /** Flushes, syncs and renames to the final name; returns the file's size in bytes. */
  async commit(): Promise<number> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    await fs.promises.rename(partialPath(this.finalPath), this.finalPath);
    return this.written;
  }

  /** Closes and deletes the partial file; safe to call after a failed write. */
  async abort(): Promise<void> {
    this.pending = [];
    await this.handle.close().catch(() => undefined);
    await fs.promises.rm(partialPath(this.finalPath), { force: true });
  }
}

/** Removes the given outputs and their partial files (a retried attempt starts clean). */
export async function removeOutputs(finalPaths: string[]): Promise<void> {
  for (const p of finalPaths) {
    await fs.promises.rm(p, { force: true });
    await fs.promises.rm(partialPath(p), { force: true });
  }
}

/** Writes a small text file atomically (temp name, fsync, rename). */
export async function writeFileAtomically(finalPath: string, text: string): Promise<number> {
  const writer = await AtomicFileWriter.create(finalPath);
  try {
    await writer.write(text);
    return await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
