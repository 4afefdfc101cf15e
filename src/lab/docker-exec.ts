import type Dockerode from "dockerode";
import { PassThrough } from "node:stream";
import type { ExecOptions, ExecResult, ExecSession } from "./lab-api.js";

export class ExecError extends Error {
  constructor(
    readonly node: string,
    readonly cmd: string[],
    readonly result: ExecResult,
  ) {
    super(`${node}: '${cmd.join(" ").slice(0, 120)}' exited ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 300)}`);
  }
}

/** `docker exec` with a user, a timeout and separate stdout/stderr (dockerode; testcontainers has no timeout). */
export async function dockerExec(
  docker: Dockerode,
  containerId: string,
  node: string,
  cmd: string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const c = docker.getContainer(containerId);
  const exec = await c.exec({ Cmd: cmd, User: opts.user ?? "root", AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on("data", (d: Buffer) => o.push(d));
  err.on("data", (d: Buffer) => e.push(d));
  docker.modem.demuxStream(stream, out, err);
  const timeoutMs = (opts.timeoutSec ?? 30) * 1000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
        stream.on("error", reject);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${node}: '${cmd.join(" ").slice(0, 80)}' timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
  const info = await exec.inspect();
  const result: ExecResult = {
    exitCode: info.ExitCode ?? -1,
    stdout: Buffer.concat(o).toString("utf8"),
    stderr: Buffer.concat(e).toString("utf8"),
  };
  if ((opts.check ?? true) && result.exitCode !== 0) throw new ExecError(node, cmd, result);
  return result;
}

/**
 * `docker exec` with stdin open, kept for many questions: each `ask` writes a line and waits for
 * the next stdout line. One exec for a whole run costs the engine one process start, where a
 * sampler asking twice a second with a fresh exec (or a host-side `nsenter`) would cost two
 * (process starts are this harness's dearest operation: 8-30 ms of CPU each on a 2-core machine).
 */
export async function dockerExecSession(docker: Dockerode, containerId: string, node: string, cmd: string[]): Promise<ExecSession> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, User: "root", AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: true });
  return new DockerExecSession(docker, stream, node, cmd);
}

class DockerExecSession implements ExecSession {
  private lines: string[] = [];
  private partial = "";
  private stderr = "";
  private ended?: Error;
  private waiter?: { resolve: (line: string) => void; reject: (e: Error) => void };

  constructor(
    docker: Dockerode,
    private readonly stream: NodeJS.ReadWriteStream,
    private readonly node: string,
    private readonly cmd: string[],
  ) {
    const out = new PassThrough();
    const err = new PassThrough();
    out.on("data", (d: Buffer) => this.onStdout(d.toString("utf8")));
    err.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString("utf8")).slice(-400)));
    docker.modem.demuxStream(stream, out, err);
    const end = () => this.end(new Error(`${node}: '${cmd[0]}' ended${this.stderr.trim() ? `: ${this.stderr.trim().slice(-200)}` : ""}`));
    stream.on("end", end);
    stream.on("close", end);
    stream.on("error", (e: Error) => this.end(new Error(`${node}: '${cmd[0]}': ${e.message}`)));
  }

  private onStdout(text: string) {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts);
    this.deliver();
  }

  private deliver() {
    if (!this.waiter) return;
    const w = this.waiter;
    if (this.lines.length) {
      this.waiter = undefined;
      w.resolve(this.lines.shift()!);
    } else if (this.ended) {
      this.waiter = undefined;
      w.reject(this.ended);
    }
  }

  private end(e: Error) {
    this.ended ??= e;
    this.deliver();
  }

  ask(input: string, timeoutMs: number): Promise<string> {
    if (this.waiter) return Promise.reject(new Error(`${this.node}: '${this.cmd[0]}' is still answering the previous question`));
    if (this.ended) return Promise.reject(this.ended);
    // A line left over from a question that timed out would answer this one: drop it.
    this.lines = [];
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`${this.node}: '${this.cmd[0]}' did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.waiter = {
        resolve: (l) => (clearTimeout(timer), resolve(l)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.stream.write(input + "\n");
    });
  }

  close(): void {
    this.end(new Error(`${this.node}: '${this.cmd[0]}' closed`));
    // Closing stdin ends the process; the socket goes a moment later either way.
    this.stream.end();
    const s = this.stream as unknown as { destroy?: () => void };
    setTimeout(() => s.destroy?.(), 1000).unref();
  }
}
