#!/usr/bin/env node
import { readFileSync } from "node:fs";
import path from "node:path";
import { UserFacingError, errorText } from "../util/errors.js";
import { InterruptedError, runCleanup } from "../util/cleanup.js";
import { packageRoot } from "../util/paths.js";
import { closest } from "../scenario/suggest.js";
import { commandHelp, parseCommandArgs, type CommandIO, type CommandSpec } from "./command.js";
import { COMMANDS } from "./specs/index.js";

const out = (s: string) => process.stdout.write(s + "\n");
const err = (s: string) => process.stderr.write(s + "\n");
const io: CommandIO = { out, err };

function version(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

function overview(): string {
  const listed = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...listed.map((c) => c.name.length));
  return [
    "pgchaos — fault injection for Patroni + etcd + PostgreSQL clusters",
    "",
    "Usage: pgchaos COMMAND [options] [arguments]",
    "",
    "Commands:",
    ...listed.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "`pgchaos COMMAND --help` shows a command's options; `pgchaos --version` the version.",
    "Exit codes: 0 ok, 1 a scenario failed (doctor: findings), 2 bad input or infrastructure, 130 interrupted.",
  ].join("\n");
}

function findCommand(name: string): CommandSpec {
  const c = COMMANDS.find((x) => x.name === name);
  if (c) return c;
  const names = COMMANDS.filter((x) => !x.hidden).map((x) => x.name);
  const guess = closest(name, names);
  throw new UserFacingError(`unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ""} Commands: ${names.join(", ")} (see pgchaos --help)`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") {
    out(overview());
    return command ? 0 : 2;
  }
  if (command === "--version" || command === "-V") {
    out(version());
    return 0;
  }
  if (command === "help") {
    out(rest[0] ? commandHelp(findCommand(rest[0])) : overview());
    return 0;
  }
  const spec = findCommand(command);
  const parsed = parseCommandArgs(spec, rest);
  if (parsed.help) {
    out(commandHelp(spec));
    return 0;
  }
  return spec.run(parsed.values, parsed.positionals, io);
}

/**
 * The one way out of the process: every path ends here with its exit code.
 * Exit once everything written to stdout and stderr has reached them: a pipe takes 64 KiB at a
 * time, and process.exit() would drop what is still queued (cutting long error lists mid-line).
 * An empty write's callback runs after the writes queued before it.
 */
function exit(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

main(process.argv.slice(2))
  .then(async (code) => {
    await runCleanup();
    exit(code);
  })
  .catch(async (e: unknown) => {
    await runCleanup();
    if (e instanceof InterruptedError) {
      err(`pgchaos: ${e.message}; faults healed and lab removed`);
      return exit(130);
    }
    if (e instanceof UserFacingError || (e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      err(`pgchaos: ${errorText(e)}`);
      return exit(2);
    }
    err(`pgchaos: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    exit(2);
  });
