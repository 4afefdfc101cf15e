import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserFacingError } from "../util/errors.js";
import { closest } from "../scenario/suggest.js";

/**
 * One command of the CLI, declared in one module under src/cli/specs/: its name, a one-line
 * summary, its arguments and options (types, defaults, help) and what it runs. main.ts parses,
 * prints help and dispatches from these declarations alone, so adding an option is one entry in
 * `options` plus its use in `run`, and adding a command is one module plus one line in
 * specs/index.ts.
 */

interface OptionBase {
  /** One line for --help. */
  help: string;
  /** A one-letter alias (`-j`). */
  short?: string;
}
export interface BooleanOption extends OptionBase {
  type: "boolean";
}
export interface StringOption extends OptionBase {
  type: "string";
  /** The value's placeholder in --help: DIR, N, RE. */
  value: string;
  default?: string;
  /** Repeatable: the values are collected in order. */
  multiple?: boolean;
  /** May stand alone (`--lab` without a value means ""). */
  optionalValue?: boolean;
}
export type OptionSpec = BooleanOption | StringOption;
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends BooleanOption
  ? boolean
  : S extends { multiple: true }
    ? string[]
    : S extends { default: string }
      ? string
      : string | undefined;
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface CommandIO {
  /** A line to stdout (results). */
  out: (line: string) => void;
  /** A line to stderr (problems). */
  err: (line: string) => void;
}

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line, shown in `pgchaos --help`. */
  summary: string;
  /** Internal: left out of `pgchaos --help` and of suggestions. */
  hidden?: boolean;
  /** Positional arguments, e.g. "[PATHS...]"; absent: the command takes none. */
  args?: { usage: string; min?: number };
  /** More help after the summary: defaults, exit codes, examples. */
  details?: string;
  options: O;
  run(values: OptionValues<O>, positionals: string[], io: CommandIO): Promise<number>;
}

/** Declares a command; `run` receives the option values typed from the declaration. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

const HELP_FLAGS = new Set(["--help", "-h"]);

function flag(name: string, o: OptionSpec): string {
  const long = o.type === "string" ? `--${name} ${o.optionalValue ? `[${o.value}]` : o.value}` : `--${name}`;
  return o.short ? `-${o.short}, ${long}` : long;
}

function optionList(spec: CommandSpec): string {
  return Object.entries(spec.options)
    .map(([n, o]) => flag(n, o))
    .concat("--help")
    .join(", ");
}

/** The command's --help text: usage, summary, details and every option with its default. */
export function commandHelp(spec: CommandSpec): string {
  const usage = `Usage: pgchaos ${spec.name}${Object.keys(spec.options).length ? " [options]" : ""}${spec.args ? ` ${spec.args.usage}` : ""}`;
  const rows = Object.entries(spec.options).map(([n, o]) => {
    const dflt = o.type === "string" && o.default !== undefined ? ` (default: ${o.default})` : "";
    const rep = o.type === "string" && o.multiple ? " (repeatable)" : "";
    return [flag(n, o), `${o.help}${dflt}${rep}`];
  });
  rows.push(["-h, --help", "show this help"]);
  const width = Math.min(30, Math.max(...rows.map(([f]) => f.length)));
  const lines = rows.map(([f, h]) => (f.length > width ? `  ${f}\n  ${"".padEnd(width)}  ${h}` : `  ${f.padEnd(width)}  ${h}`));
  return [usage, "", spec.summary, ...(spec.details ? ["", spec.details] : []), "", "Options:", ...lines].join("\n");
}

export type ParsedArgs<O extends OptionSpecs> = { help: true } | { help: false; values: OptionValues<O>; positionals: string[] };

/**
 * Parses a command's arguments against its declaration. `--help`/`-h` anywhere before `--` asks
 * for help; an unknown option, a missing value or a value given to a switch is a UserFacingError
 * naming the command's options (with a did-you-mean).
 */
export function parseCommandArgs<O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): ParsedArgs<O> {
  const end = argv.indexOf("--");
  const before = end < 0 ? argv : argv.slice(0, end);
  if (before.some((a) => HELP_FLAGS.has(a))) return { help: true };
  const options = spec.options as OptionSpecs;
  // An option that may stand alone gets an explicit empty value, so the next option is not taken as its value.
  const args = argv.map((a, i) => {
    const o = a.startsWith("--") ? options[a.slice(2)] : undefined;
    const standsAlone = i >= argv.length - 1 || argv[i + 1].startsWith("-");
    return o?.type === "string" && o.optionalValue && (end < 0 || i < end) && standsAlone ? `${a}=` : a;
  });
  const config: ParseArgsConfig["options"] = {};
  for (const [n, o] of Object.entries(options)) {
    const short = o.short ? { short: o.short } : {};
    config[n] =
      o.type === "boolean"
        ? { type: "boolean", ...short, default: false }
        : { type: "string", ...short, ...(o.multiple ? { multiple: true, default: [] } : o.default !== undefined ? { default: o.default } : {}) };
  }
  const where = spec.name;
  const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  const names = Object.keys(options);
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const o = options[t.name];
    if (!o) {
      const guess = closest(t.name, names);
      throw new UserFacingError(
        `${where}: unknown option '${t.rawName}'${guess ? `; did you mean '--${guess}'?` : ""} Options of ${spec.name}: ${optionList(spec)}`,
      );
    }
    if (o.type === "string" && t.value === undefined) throw new UserFacingError(`${where}: ${t.rawName} needs a value (${t.rawName} ${o.value})`);
    if (o.type === "boolean" && t.inlineValue) throw new UserFacingError(`${where}: ${t.rawName} is a switch and takes no value (got '${t.rawName}=${t.value}')`);
  }
  const { values, positionals } = parseArgs({ args, options: config, strict: true, allowPositionals: true });
  if (!spec.args && positionals.length) {
    throw new UserFacingError(`${where} takes no arguments, got '${positionals[0]}' (see pgchaos ${spec.name} --help)`);
  }
  const min = spec.args?.min ?? 0;
  if (positionals.length < min) throw new UserFacingError(`${where}: give ${spec.args!.usage} (see pgchaos ${spec.name} --help)`);
  return { help: false, values: values as OptionValues<O>, positionals };
}
