import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Write a file so that readers (and a crash) see either the old content or the new, never a
 * partial one: write a temporary file in the same directory, fsync it, rename it over the
 * target, then fsync the directory so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  const tmp = tmpName(path);
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await open(tmp, "wx", opts.mode ?? 0o644);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dirname(path));
}

/** Synchronous variant of writeFileAtomic (for exit handlers). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): void {
  const tmp = tmpName(path);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx", opts.mode ?? 0o644);
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  fsyncDirSync(dirname(path));
}

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (e) {
    // Some filesystems / platforms cannot fsync a directory; the rename has happened anyway.
    if (!isIgnorableDirSyncError(e)) throw e;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (e) {
    if (!isIgnorableDirSyncError(e)) throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function isIgnorableDirSyncError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === "EINVAL" || code === "EISDIR" || code === "EPERM" || code === "ENOTSUP" || code === "EBADF";
}
