import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/events.js";
import { History } from "../history/history.js";
import { Journal, parseJournal, readJournal } from "./journal.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tempDir = tempDirs();
const tmp = () => tempDir("pgchaos-journal-");
const note = (t: number, text: string): HistoryEvent => ({ kind: "note", t, text });
const header = { runId: "run-1", wall: "2024-05-01T12:00:00.000Z", scenario: "s" };
const open: Journal[] = [];
afterEach(() => {
  for (const j of open.splice(0)) j.close();
});

describe("Journal", () => {
  it("writes a header line then one line per appended event, as they happen", async () => {
    const dir = tmp();
    const h = new History();
    h.append(note(0, "before attach"));
    const j = Journal.forRun(dir, header, { flushIntervalMs: 50 });
    open.push(j);
    expect(j.path).toBe(join(dir, "run-1", "journal.jsonl"));
    j.attach(h);
    h.append(note(20, "b"));
    h.append(note(10, "late sample")); // appended late, earlier t
    // Header is on disk at once; the events within the flush interval, before close().
    expect(readFileSync(j.path, "utf8").split("\n")[0]).toBe(
      '{"kind":"header","schemaVersion":1,"runId":"run-1","wall":"2024-05-01T12:00:00.000Z","scenario":"s"}',
    );
    await new Promise((r) => setTimeout(r, 200));
    const lines = readFileSync(j.path, "utf8").trimEnd().split("\n");
    expect(lines.slice(1).map((l) => JSON.parse(l).text)).toEqual(["before attach", "b", "late sample"]);
    const back = readJournal(j.path);
    expect(back.torn).toBe(false);
    expect(back.header).toMatchObject({ kind: "header", runId: "run-1", wall: header.wall });
    expect(back.events.map((e) => e.t)).toEqual([0, 10, 20]); // sorted by t
  });

  it("flushes at least every 500 ms even when asked for less often", async () => {
    const j = new Journal(join(tmp(), "j.jsonl"), header, { flushIntervalMs: 60_000 });
    open.push(j);
    j.append(note(1, "x"));
    expect(readJournal(j.path).events).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 650));
    expect(readJournal(j.path).events).toHaveLength(1);
  });

  it("flushes on close, stops following the history, and close is idempotent", () => {
    const h = new History();
    const j = new Journal(join(tmp(), "j.jsonl"), header);
    j.attach(h);
    h.append(note(1, "x"));
    j.close();
    j.close();
    h.append(note(2, "after close"));
    expect(j.closed).toBe(true);
    expect(readJournal(j.path).events.map((e) => e.t)).toEqual([1]);
  });

  it("redacts secrets on every line", () => {
    const j = new Journal(join(tmp(), "j.jsonl"), { ...header, meta: { dsn: "postgres://u:hunter22@pg1/db" } }, { secrets: ["hunter22"] });
    j.append({ kind: "log", t: 1, node: "pg1", line: 'password "hunter22" rejected' });
    j.close();
    const text = readFileSync(j.path, "utf8");
    expect(text).not.toContain("hunter22");
    expect(readJournal(j.path).events[0]).toMatchObject({ line: 'password "[REDACTED]" rejected' });
    expect(readJournal(j.path).header!.meta).toEqual({ dsn: "postgres://u:[REDACTED]@pg1/db" });
  });

  it("never throws into the history when writing fails", () => {
    const errors: Error[] = [];
    const h = new History();
    const j = new Journal(join(tmp(), "j.jsonl"), header, { onError: (e) => errors.push(e) });
    j.attach(h);
    const circular: Record<string, unknown> = { kind: "note", t: 1 };
    circular.self = circular;
    expect(() => h.append(circular as unknown as HistoryEvent)).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(j.error).toBe(errors[0]);
    j.close();
  });
});

describe("readJournal", () => {
  it("tolerates a torn last line (the writer died mid-write)", () => {
    const p = join(tmp(), "j.jsonl");
    const j = new Journal(p, header);
    j.append(note(5, "a"));
    j.append(note(6, "b"));
    j.close();
    appendFileSync(p, '{"kind":"node","t":7,"node":"pg1","restUp":tr');
    const r = readJournal(p);
    expect(r.torn).toBe(true);
    expect(r.events.map((e) => e.t)).toEqual([5, 6]);
    expect(r.header?.runId).toBe("run-1");
  });

  it("accepts a complete last line without a newline", () => {
    const r = parseJournal('{"kind":"header","schemaVersion":1,"runId":"r","wall":"w"}\n{"kind":"note","t":1,"text":"x"}');
    expect(r).toMatchObject({ torn: false, events: [{ t: 1 }] });
  });

  it("survives a journal torn inside its header", () => {
    const p = join(tmp(), "j.jsonl");
    writeFileSync(p, '{"kind":"header","schemaVe');
    expect(readJournal(p)).toEqual({ header: undefined, events: [], torn: true });
  });

  it("rejects corruption that is not at the end", () => {
    expect(() => parseJournal('{"kind":"note","t":1,"text":"x"}\nGARBAGE\n{"kind":"note","t":2,"text":"y"}\n', "j")).toThrow(
      "j:2: not a JSON line",
    );
    expect(() => parseJournal('{"kind":"note","text":"no t"}\n', "j")).toThrow(/not a history event/);
  });
});
