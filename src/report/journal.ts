import * as fs from "node:fs";
import { dirname, join } from "node:path";
import type { HistoryEvent } from "../history/events.js";
import type { History } from "../history/history.js";
import { redactDeep } from "./redact.js";

export const JOURNAL_SCHEMA_VERSION = 1 as const;
export const JOURNAL_FILE = "journal.jsonl";

/** First line of a journal. */
export interface JournalHeader {
  kind: "header";
  schemaVersion: typeof JOURNAL_SCHEMA_VERSION;
  runId: string;
  /** Wall-clock time (ISO 8601) of the history's origin, t = 0. */
  wall: string;
  scenario?: string;
  scenarioFile?: string;
  /** Anything else worth keeping with the journal (versions, topology, ...). */
  meta?: Record<string, unknown>;
}

export interface JournalOptions {
  /** Flush the buffer at least this often, ms. Default (and maximum) 500. */
  flushIntervalMs?: number;
  /** Strings never to write (the run's generated passwords). */
  secrets?: readonly string[];
  /** Called once per write error; the journal then stops writing (the run goes on). */
  onError?: (e: Error) => void;
}

/**
 * Streams a run's history to `journal.jsonl` as it happens: a header line, then one JSON line
 * per HistoryEvent in the order they were appended (not necessarily by `t`: readJournal sorts).
 * Lines are buffered and flushed at least every 500 ms, on `flush()`, on `close()` and when the
 * process exits, so a crash leaves a usable journal that at most lacks the last half second.
 * All I/O is synchronous and never throws into the history's append path.
 */
export class Journal {
  readonly path: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly secrets: readonly string[];
  private readonly onError?: (e: Error) => void;
  private readonly exitHandler = () => this.close();
  private readonly detachers: (() => void)[] = [];
  private failed: Error | undefined;

  constructor(path: string, header: Omit<JournalHeader, "kind" | "schemaVersion">, opts: JournalOptions = {}) {
    this.path = path;
    this.secrets = opts.secrets ?? [];
    this.onError = opts.onError;
    fs.mkdirSync(dirname(path), { recursive: true });
    this.fd = fs.openSync(path, "w", 0o644);
    const h: JournalHeader = { kind: "header", schemaVersion: JOURNAL_SCHEMA_VERSION, ...header };
    this.buffer.push(this.line(h));
    this.flush();
    const every = Math.min(Math.max(opts.flushIntervalMs ?? 500, 10), 500);
    this.timer = setInterval(() => this.flush(), every);
    this.timer.unref();
    process.on("exit", this.exitHandler);
  }

  /** A journal at `<reportsDir>/<runId>/journal.jsonl`. */
  static forRun(reportsDir: string, header: Omit<JournalHeader, "kind" | "schemaVersion">, opts?: JournalOptions): Journal {
    return new Journal(join(reportsDir, header.runId, JOURNAL_FILE), header, opts);
  }

  /**
   * Journal every event appended to `history` from now on; with `replay` (default) also the
   * events it already holds. Returns a function that stops following it.
   */
  attach(history: History, opts: { replay?: boolean } = {}): () => void {
    if (opts.replay ?? true) for (const e of history.all()) this.append(e);
    const off = history.onAppend((e) => this.append(e));
    const detach = () => void off();
    this.detachers.push(detach);
    return detach;
  }

  append(e: HistoryEvent): void {
    if (this.fd === undefined || this.failed) return;
    try {
      this.buffer.push(this.line(e));
    } catch (err) {
      this.fail(err);
    }
  }

  /** Write buffered lines now. */
  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0 || this.failed) return;
    const data = this.buffer.join("");
    this.buffer = [];
    try {
      fs.writeSync(this.fd, data);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Flush, fsync and close. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    for (const d of this.detachers.splice(0)) d();
    clearInterval(this.timer);
    process.off("exit", this.exitHandler);
    this.flush();
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.fsyncSync(fd);
    } catch {
      /* best effort */
    }
    fs.closeSync(fd);
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  /** The first write error, if any (the journal stopped writing then). */
  get error(): Error | undefined {
    return this.failed;
  }

  private line(x: object): string {
    return `${JSON.stringify(this.secrets.length ? redactDeep(x, this.secrets) : x)}\n`;
  }

  private fail(err: unknown): void {
    this.failed = err instanceof Error ? err : new Error(String(err));
    this.buffer = [];
    this.onError?.(this.failed);
  }
}

export interface JournalContents {
  /** Undefined when the header line itself is missing or torn. */
  header: JournalHeader | undefined;
  /** Events sorted by t (stable: append order among equal t). */
  events: HistoryEvent[];
  /** The last line was incomplete (the writer died mid-line) and was ignored. */
  torn: boolean;
}

/**
 * Read a journal. A torn (unparseable) last line is ignored and reported as `torn`; any other
 * unparseable line is an error.
 */
export function readJournal(path: string): JournalContents {
  return parseJournal(fs.readFileSync(path, "utf8"), path);
}

export function parseJournal(text: string, name = "journal"): JournalContents {
  const lines = text.split("\n");
  // A well-formed journal ends with "\n": the final element is then "".
  if (lines[lines.length - 1] === "") lines.pop();
  let torn = false;
  const parsed: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    try {
      parsed.push(JSON.parse(lines[i]));
    } catch {
      if (i === lines.length - 1) {
        torn = true;
        break;
      }
      throw new Error(`${name}:${i + 1}: not a JSON line`);
    }
  }
  let header: JournalHeader | undefined;
  const first = parsed[0] as { kind?: unknown } | undefined;
  if (first && first.kind === "header") {
    header = first as JournalHeader;
    parsed.shift();
  }
  const events = parsed.map((p, i) => {
    const e = p as Partial<HistoryEvent> | null;
    if (!e || typeof e !== "object" || typeof e.kind !== "string" || typeof e.t !== "number")
      throw new Error(`${name}: entry ${i + 1} is not a history event`);
    return e as HistoryEvent;
  });
  events.sort((a, b) => a.t - b.t); // Array.prototype.sort is stable
  return { header, events, torn };
}
