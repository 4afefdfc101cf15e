#!/usr/bin/env node
import { parseArgs } from "node:util";
import { UserFacingError, errorText } from "../util/errors.js";
import { InterruptedError, runCleanup } from "../util/cleanup.js";

const HELP = `pgchaos — fault injection for Patroni + etcd + PostgreSQL clusters

Usage:
  pgchaos run [paths...]       run scenario files or directories (default: scenarios/)
        --reports DIR          where reports go (default: reports/)
        --time-scale X         stretch every time budget by X (also PGCHAOS_TIME_SCALE)
        --shard I/N            run only the I-th of N deterministic shares of the scenarios
        --stack NAME           the lab's stack: bookworm (default), trixie, sid (pgchaos image --stack)
        --image REF            your own lab image instead (checked against docs/image-contract.md)
        --patroni-config FILE  your patroni.yml, merged into every node (pgchaos keeps addresses, names, credentials, paths)
  pgchaos validate <paths...>  check scenario files without Docker (--stack NAME: also what that stack cannot do)
  pgchaos up                   start a lab cluster and keep it until Ctrl-C
        --etcd N --patroni N   members (default 3 and 3)
        --scenario FILE        take topology and Patroni settings from a scenario
        --show-secrets         print the generated superuser password
        --stack NAME | --image REF   the lab's stack (default bookworm) or your own image
  pgchaos image [--force]      build the lab image (done automatically on first use)
        --stack NAME           bookworm (default: Patroni 3.0, PostgreSQL 15, etcd 3.4), trixie, sid
  pgchaos image check REF      what an image of your own lacks of docs/image-contract.md
  pgchaos gc [--all]           remove containers and networks of dead runs (--all: of every run)
  pgchaos doctor               read-only checks of a live Patroni cluster (no containers needed)
        --etcd URL[,URL...]    etcd endpoints (http://host:2379)
        --scope NAME           Patroni scope (default: the only cluster under the namespace)
        --namespace NS         DCS namespace (default /service/)
        --patroni URL[,URL]    extra Patroni REST APIs to examine (http://host:8008)
        --resolve NAME:PORT=HOST:PORT | NAME=HOST   reach an advertised address elsewhere (repeatable)
        --lab [RUN_ID]         a pgchaos lab (etcd endpoints and addresses found by its labels)
        --timeout D            per request (default 2s); --json [--snapshot]; --replay FILE
  pgchaos compare A B [--out D] two game days' reports side by side (outcomes, figures, differing steps)
  pgchaos --help

Exit codes: 0 ok, 1 a scenario failed, 2 bad input or infrastructure.`;

const out = (s: string) => process.stdout.write(s + "\n");
const err = (s: string) => process.stderr.write(s + "\n");

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    out(HELP);
    return command ? 0 : 2;
  }
  switch (command) {
    case "image": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { force: { type: "boolean", default: false }, stack: { type: "string" } },
      });
      if (positionals[0] === "check") {
        if (positionals.length !== 2) throw new UserFacingError("usage: pgchaos image check IMAGE_REF");
        const { imageCheckCommand } = await import("./commands/image.js");
        return imageCheckCommand(positionals[1], out);
      }
      if (positionals.length) throw new UserFacingError(`pgchaos image: unexpected '${positionals[0]}'; usage: pgchaos image [--stack NAME] [--force] | pgchaos image check IMAGE_REF`);
      const { imageCommand } = await import("./commands/image.js");
      return imageCommand({ force: values.force!, stack: values.stack }, out);
    }
    case "up": {
      const { values } = parseArgs({
        args: rest,
        options: {
          etcd: { type: "string", default: "3" },
          patroni: { type: "string", default: "3" },
          reports: { type: "string", default: "reports" },
          "show-secrets": { type: "boolean", default: false },
          scenario: { type: "string" },
          stack: { type: "string" },
          image: { type: "string" },
        },
      });
      const etcd = intArg("--etcd", values.etcd!, 1, 7);
      const patroni = intArg("--patroni", values.patroni!, 1, 5);
      const { upCommand } = await import("./commands/up.js");
      return upCommand(
        { etcd, patroni, scenario: values.scenario, reportsDir: values.reports!, showSecrets: values["show-secrets"]!, stack: values.stack, image: values.image },
        out,
      );
    }
    case "gc": {
      const { values } = parseArgs({ args: rest, options: { all: { type: "boolean", default: false } } });
      const { gcCommand } = await import("./commands/gc.js");
      return gcCommand({ all: values.all! }, out);
    }
    case "validate": {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { stack: { type: "string" } } });
      if (!positionals.length) throw new UserFacingError("pgchaos validate: name at least one scenario file or directory");
      const { validateCommand } = await import("./commands/validate.js");
      const { stackByName } = await import("../stacks/stacks.js");
      return validateCommand(positionals, { stdout: out, stderr: err }, values.stack === undefined ? {} : { stack: stackByName(values.stack) });
    }
    case "run": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          reports: { type: "string", default: "reports" },
          "time-scale": { type: "string" },
          shard: { type: "string" },
          stack: { type: "string" },
          image: { type: "string" },
          "patroni-config": { type: "string" },
        },
      });
      const { runCommand } = await import("./commands/run.js");
      return runCommand(
        {
          paths: positionals.length ? positionals : ["scenarios"],
          reportsDir: values.reports!,
          timeScale: values["time-scale"],
          shard: values.shard,
          stack: values.stack,
          image: values.image,
          patroniConfigFile: values["patroni-config"],
        },
        out,
      );
    }
    case "doctor": {
      // `--lab` may stand alone (the only lab running): give it an empty value.
      const args = rest.map((a, i) => (a === "--lab" && (i + 1 >= rest.length || rest[i + 1].startsWith("-")) ? "--lab=" : a));
      const { values } = parseArgs({
        args,
        options: {
          etcd: { type: "string" },
          scope: { type: "string" },
          namespace: { type: "string" },
          patroni: { type: "string" },
          resolve: { type: "string", multiple: true, default: [] },
          json: { type: "boolean", default: false },
          snapshot: { type: "boolean", default: false },
          lab: { type: "string" },
          timeout: { type: "string" },
          replay: { type: "string" },
        },
      });
      const { doctorCommand } = await import("./commands/doctor.js");
      return doctorCommand({ ...values, resolve: values.resolve ?? [], json: !!values.json, snapshot: !!values.snapshot }, out);
    }
    case "compare": {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: "string" } } });
      if (positionals.length < 2) throw new UserFacingError("usage: pgchaos compare DIR_A DIR_B [--out DIR] (two game days' report directories)");
      const { compareCommand } = await import("./commands/compare.js");
      return compareCommand(positionals, { out: values.out }, out);
    }
    default:
      throw new UserFacingError(`unknown command '${command}'; commands: run, validate, up, image, gc, doctor, compare (see pgchaos --help)`);
  }
}

function intArg(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserFacingError(`${name} must be a whole number from ${min} to ${max}, not '${v}'`);
  return n;
}

main(process.argv.slice(2))
  .then(async (code) => {
    await runCleanup();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    await runCleanup();
    if (e instanceof InterruptedError) {
      err(`pgchaos: ${e.message}; faults healed and lab removed`);
      process.exit(130);
    }
    if (e instanceof UserFacingError || (e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      err(`pgchaos: ${errorText(e)}`);
      process.exit(2);
    }
    err(`pgchaos: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(2);
  });
