import tar from "tar-stream";

/** A file put into a container before it starts (configuration, certificates). */
export interface ContainerFile {
  content: string;
  /** Absolute path in the container. */
  target: string;
  mode: number;
}

/**
 * The files as one tar archive for the engine's archive upload (extracted at /). `directories`
 * are archived first, mode 0755, for containers whose user is not root to read them.
 */
export async function containerFilesArchive(files: readonly ContainerFile[], directories: readonly string[] = []): Promise<Buffer> {
  const pack = tar.pack();
  const mtime = new Date();
  for (const d of directories) pack.entry({ name: `${d.replace(/^\/+/, "")}/`, type: "directory", mode: 0o755, mtime });
  for (const f of files) pack.entry({ name: f.target.replace(/^\/+/, ""), mode: f.mode, mtime }, f.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
