import tar from "tar-stream";

/** A file put into a container before it starts (configuration, certificates). */
export interface ContainerFile {
  content: string;
  /** Absolute path in the container. */
  target: string;
  mode: number;
}

/** The files as one tar archive for the engine's archive upload (extracted at /). */
export async function containerFilesArchive(files: readonly ContainerFile[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const f of files) pack.entry({ name: f.target.replace(/^\/+/, ""), mode: f.mode, mtime: new Date() }, f.content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
