import type Dockerode from "dockerode";
import { PassThrough } from "node:stream";
import type { ExecOptions, ExecResult } from "./lab-api.js";

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
