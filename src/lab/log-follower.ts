import { createWriteStream, type WriteStream } from "node:fs";
import type Dockerode from "dockerode";
import { PassThrough } from "node:stream";

export type LogListener = (node: string, line: string) => void;

/**
 * Follows one container's stdout+stderr into a file (kept for the report) and hands each line
 * to listeners (the recorder looks for patterns). Re-attach after the container restarts.
 */
export class LogFollower {
  private out: WriteStream;
  private current?: NodeJS.ReadableStream;
  private partial = "";

  constructor(
    private readonly docker: Dockerode,
    private readonly containerId: string,
    private readonly node: string,
    file: string,
    private readonly onLine: LogListener,
  ) {
    this.out = createWriteStream(file, { flags: "a" });
  }

  async attach(sinceSec = 0): Promise<void> {
    this.detach();
    const c = this.docker.getContainer(this.containerId);
    const raw = (await c.logs({ follow: true, stdout: true, stderr: true, since: sinceSec })) as unknown as NodeJS.ReadableStream;
    const sink = new PassThrough();
    this.docker.modem.demuxStream(raw, sink, sink);
    sink.on("data", (d: Buffer) => this.onData(d.toString("utf8")));
    raw.on("error", () => {});
    this.current = raw;
  }

  private onData(text: string) {
    this.out.write(text);
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    for (const l of lines) if (l) this.onLine(this.node, l);
  }

  detach(): void {
    const s = this.current as unknown as { destroy?: () => void } | undefined;
    s?.destroy?.();
    this.current = undefined;
  }

  async close(): Promise<void> {
    this.detach();
    if (this.partial) this.onLine(this.node, this.partial);
    await new Promise<void>((r) => this.out.end(r));
  }
}
