/**
 * Hostile input: every file of test/fixtures/scenarios/hostile/ and cases generated here
 * (NUL bytes, control characters, BOM, binary garbage, FIFOs, sockets, links to /dev/zero,
 * oversized, deeply nested, huge and error-laden files). Each must give a ScenarioError with
 * the expected line:column, no stack trace, no "internal error", within a generous time bound.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateCommand } from "../cli/commands/validate.js";
import { ScenarioError, loadScenario, parseScenario } from "./load.js";
import { MAX_DEPTH, MAX_INPUT_BYTES, MAX_ISSUES } from "./yaml-input.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const HOSTILE = path.join(ROOT, "test/fixtures/scenarios/hostile");

/** File -> where the first matching problem must be reported, and a part of its message. */
const CORPUS: Record<string, [string, string]> = {
  "duration-too-long.yaml": ["4:12", "longer than 24h"],
  "duration-too-long-seconds.yaml": ["5:13", "longer than 24h"],
  "huge-duration-number.yaml": ["4:12", "expected a duration"],
  "workload-timeout-zero.yaml": ["3:22", "must be more than 0 (node-postgres reads 0 as no timeout"],
  "dcs-lag-since-unknown.yaml": ["5:56", "unknown step id 'nowhere'"],
  "proxy-fault-without-proxy.yaml": ["5:12", "topology.dcs_proxy is false"],
  "security-with-dcs-proxy.yaml": ["5:14", "topology.dcs_proxy cannot be combined with topology.security"],
  "security-auth-with-etcd-rebuild.yaml": ["6:12", "etcd-rebuild starts an empty etcd cluster"],
  "haproxy-condition-without-haproxy.yaml": ["6:9", "needs an haproxy node"],
  "write-availability-haproxy-without-haproxy.yaml": ["4:32", "via: haproxy needs an haproxy node"],
  "clock-skew-faketime.yaml": ["7:13", "libfaketime does not reach Go programs (etcd) and breaks Patroni on Python 3.11"],
  "clock-skew-etcd-on-patroni.yaml": ["5:19", "processes: etcd runs on etcd members"],
  "clock-skew-patroni-on-etcd.yaml": ["5:14", "processes: postgres runs on Patroni nodes"],
  "timing-bootstrap-dcs.yaml": ["8:16", "loop_wait + 2*retry_timeout = 2 + 2*4 = 10 > ttl 5"],
  "timing-top-level-config.yaml": ["6:18", "10 + 2*4 = 18 > ttl 10"],
  "proto-key.yaml": ["6:7", "'__proto__' is not allowed"],
  "merge-key.yaml": ["5:5", "merge keys"],
  "tag-python.yaml": ["4:12", "unsupported YAML tag '!!python/object:os.system'"],
  "tag-custom.yaml": ["4:5", "unsupported YAML tag '!foo'"],
  "unclosed-double-quote.yaml": ["5:11", "double quote opened here is never closed"],
  "unclosed-single-quote.yaml": ["5:11", "single quote opened here is never closed"],
  "unclosed-flow-seq.yaml": ["3:8", "'[' opened here is never closed"],
  "unclosed-flow-map.yaml": ["4:13", "'{' opened here is never closed"],
  "undefined-alias.yaml": ["5:12", "alias '*later' refers to no anchor"],
  "alias-problem.yaml": ["6:12", "invalid duration 'soon'"],
  "alias-bomb.yaml": ["4:8", "aliases expand to too many nodes"],
  "huge-number.yaml": ["3:19", "got number Infinity"],
  "negative-count.yaml": ["4:38", "must be at least 0"],
  "negative-topology.yaml": ["3:22", "must be at least 1"],
  "wrong-type-steps.yaml": ["3:8", "expected a list"],
  "wrong-type-nested.yaml": ["5:14", "expected a string or a list, got a mapping"],
  "duplicate-key.yaml": ["5:5", "duplicate key 'sleep'"],
  "tab-indent.yaml": ["4:1", "Tabs are not allowed"],
  "multiple-documents.yaml": ["5:1", "holds one YAML document"],
  "empty.yaml": ["1:1", "the file is empty"],
  "only-comments.yaml": ["1:1", "the file is empty"],
  "crlf.yaml": ["5:12", "invalid duration 'soon'"],
  "non-scalar-key.yaml": ["4:7", "a key must be a plain string"],
};

/** Load `file`, expecting a clean ScenarioError; returns its message and the time taken. */
async function reject(file: string): Promise<{ message: string; ms: number }> {
  const t0 = performance.now();
  let error: unknown;
  try {
    await loadScenario(file);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  expect(error, `${file} was accepted`).toBeInstanceOf(ScenarioError);
  const message = (error as ScenarioError).message;
  expect(message).not.toMatch(/internal error|Maximum call stack|\n\s+at /);
  return { message, ms };
}

describe("hostile corpus (test/fixtures/scenarios/hostile)", () => {
  it.each(Object.entries(CORPUS))("%s", async (name, [at, text]) => {
    const file = path.join(HOSTILE, name);
    const { message, ms } = await reject(file);
    const line = message.split("\n").find((l) => l.includes(text));
    expect(line, message).toBeDefined();
    expect(line!.startsWith(`${file}:${at}: `), message).toBe(true);
    expect(ms).toBeLessThan(5_000);
  });

  it("the table covers every file of the corpus", async () => {
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(HOSTILE).sort()).toEqual(Object.keys(CORPUS).sort());
  });

  it("an alias problem is reported at the alias, not at its anchor", async () => {
    const { message } = await reject(path.join(HOSTILE, "alias-problem.yaml"));
    expect(message).not.toMatch(/:3:\d+: .*invalid duration/);
  });
});

describe("generated hostile input", () => {
  let dir: string;
  const F = "gen.yaml";
  const HEAD = "name: gen\ndescription: generated\nsteps:\n";
  const lines = (text: string) => {
    try {
      parseScenario(text, F);
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      const m = (e as ScenarioError).message;
      expect(m).not.toMatch(/internal error|Maximum call stack|\n\s+at /);
      return m.split("\n");
    }
    throw new Error("accepted");
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pgchaos-hostile-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("NUL bytes and other control characters, at their position", () => {
    expect(lines(`${HEAD}  - sleep: 1s\n    note: a\u0000b\n`)[0]).toBe(`${F}:5:12: NUL byte (U+0000): a scenario file is text; only tab, newline and carriage return are allowed as control characters`);
    expect(lines(`${HEAD}  - sleep: 1s\u001b[0m\n`)[0]).toMatch(/^gen\.yaml:4:14: control character U\+001B/);
    expect(lines(`${HEAD}  - sleep: 1s\u0085x\u009b\n`)[0]).toMatch(/^gen\.yaml:4:16: control character U\+009B/);
  });

  it("a BOM is read as nothing; positions stay right", async () => {
    const file = path.join(dir, "bom.yaml");
    await writeFile(file, `\uFEFF${HEAD}  - sleep: soon\n`);
    const { message } = await reject(file);
    expect(message).toMatch(/bom\.yaml:4:12: steps\[0\]\.sleep: invalid duration 'soon'/);
  });

  it("binary garbage (not UTF-8): the first bad byte's position", async () => {
    const file = path.join(dir, "garbage.yaml");
    await writeFile(file, Buffer.concat([Buffer.from("name: x\ndesc"), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3])]));
    const { message } = await reject(file);
    expect(message).toBe(`${file}:2:5: not UTF-8 text: invalid byte 0xff; a scenario file is UTF-8 text`);
    const random = path.join(dir, "random.yaml");
    await writeFile(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    await reject(random);
  });

  it("a FIFO named directly is rejected, one in a directory is skipped; neither hangs", async () => {
    const fifos = path.join(dir, "fifos");
    await mkdir(fifos);
    const fifo = path.join(fifos, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    const { message, ms } = await reject(fifo);
    expect(message).toBe(`${fifo}: cannot read: is a FIFO; a scenario is a regular file`);
    expect(ms).toBeLessThan(2_000);
    await writeFile(path.join(fifos, "ok.yaml"), `name: ok\ndescription: d\nsteps:\n  - sleep: 1s\n`);
    const err: string[] = [];
    const out: string[] = [];
    const code = await validateCommand([fifos], { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([`ok  ${path.join(fifos, "ok.yaml")}`]);
  });

  it("a socket and a character device are not read", async () => {
    const sock = path.join(dir, "s.yaml");
    const server = createServer();
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const { message } = await reject(sock);
      expect(message).toBe(`${sock}: cannot read: is a socket or a device; a scenario is a regular file`);
    } finally {
      server.close();
    }
    const link = path.join(dir, "zero.yaml");
    await symlink("/dev/zero", link);
    const { message, ms } = await reject(link);
    expect(message).toBe(`${link}: cannot read: is a character device; a scenario is a regular file`);
    expect(ms).toBeLessThan(2_000);
  });

  it("a file larger than the limit is refused after reading at most limit+1 bytes", async () => {
    const file = path.join(dir, "big.yaml");
    await writeFile(file, HEAD + "  - sleep: 1s\n".repeat(Math.ceil(MAX_INPUT_BYTES / 14) + 10));
    const { message, ms } = await reject(file);
    expect(message).toBe(`${file}: the file is larger than 1 MiB, the limit for a scenario file`);
    expect(ms).toBeLessThan(2_000);
    expect(lines("#".repeat(MAX_INPUT_BYTES + 1))[0]).toMatch(/larger than 1 MiB/);
  });

  const TOO_DEEP = `mappings and lists are nested more than ${MAX_DEPTH} levels deep here, the most a scenario file may have (a scenario needs fewer than 10)`;

  it("deep nesting: a positioned error, not a stack overflow", () => {
    const flow = lines(`${HEAD}  - note: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    expect(flow).toEqual([`${F}:4:${11 + MAX_DEPTH - 3}: ${TOO_DEEP}`]);
    const map = lines(`${HEAD}  - note: ${"{a: ".repeat(20_000)}1${"}".repeat(20_000)}\n`);
    expect(map[0]).toMatch(/^gen\.yaml:4:\d+: mappings and lists are nested more than 64 levels/);
    const block = lines(HEAD + Array.from({ length: 200 }, (_, i) => `${" ".repeat(i + 2)}- `).join("\n") + "x\n");
    expect(block[0]).toMatch(/^gen\.yaml:\d+:\d+: mappings and lists are nested more than 64 levels/);
    expect(lines(`${HEAD}  - sleep: 1s\n    note: ${"[".repeat(60)}${"]".repeat(60)}\n`)[0]).toBe(`${F}:5:11: steps[0].note: expected a string, got a list`);
  }, 60_000); // 200k brackets: ~1 s idle, past vitest's 5 s default at load 20+

  it("10 000 nested block sequences followed by less indented text: a positioned error, not a stack overflow in the parser", () => {
    // The yaml parser closes the open collections one recursive call per level when the
    // indentation drops; 10 000 levels overflowed the stack before any depth check ran
    // ("internal error while validating: Maximum call stack size exceeded").
    const col = 3 + 2 * (MAX_DEPTH - 1); // steps: is level 1, the 64th '- ' is level 65
    expect(lines(`name: gen\ndescription: d\nsteps:\n  ${"- ".repeat(10_000)}x\nnotes: y\n`)).toEqual([`${F}:4:${col}: ${TOO_DEEP}`]);
    expect(lines(`${"- ".repeat(10_000)}x\n- y\n`)).toEqual([`${F}:1:${2 * MAX_DEPTH + 1}: ${TOO_DEEP}`]);
    expect(lines(`${"? ".repeat(10_000)}x\nname: y\n`)).toEqual([`${F}:1:${2 * MAX_DEPTH + 1}: ${TOO_DEEP}`]);
    // One level per line, as an editor indents them (as deep as 1 MiB allows), then a key.
    const stairs = Array.from({ length: 1_400 }, (_, i) => `${" ".repeat(i)}-`).join("\n");
    expect(lines(`${stairs}\nname: y\n`)).toEqual([`${F}:${MAX_DEPTH + 1}:${MAX_DEPTH + 1}: ${TOO_DEEP}`]);
  }, 60_000);

  it("10 000 nested flow lists followed by more keys: a positioned error", () => {
    expect(lines(`name: gen\ndescription: d\nsteps: ${"[".repeat(10_000)}${"]".repeat(10_000)}\nnotes: y\n`)).toEqual([`${F}:3:${7 + MAX_DEPTH}: ${TOO_DEEP}`]);
    expect(lines(`steps:\n  - note: ${"{a: [".repeat(5_000)}${"]}".repeat(5_000)}\n  - sleep: 1s\n`)).toEqual([`${F}:2:${11 + 5 * 30 + 4}: ${TOO_DEEP}`]); // steps, the list, its item: 3 levels; then '{' and '['
  }, 60_000);

  it("a chain of 10 000 anchors, each nesting the one before: the first alias too deep, in linear time", () => {
    // Within the nesting limit as written, 10 000 levels deep as read. Each alias was resolved
    // by walking the whole document: about a minute before the error.
    let text = `name: gen\ndescription: d\nsteps:\n  - sleep: 1s\npatroni_config:\n  x:\n    - &a0 1\n`;
    for (let i = 1; i < 10_000; i++) text += `    - &a${i} [*a${i - 1}]\n`;
    const t0 = performance.now();
    const out = lines(text);
    expect(performance.now() - t0).toBeLessThan(15_000);
    // Line 69, in &a62's value: level 4 (patroni_config, x, the list, the flow list) + the 61 levels of &a61's.
    expect(out).toEqual([`${F}:69:13: alias '*a61' puts the 61 levels of its anchor's value 4 levels deep: mappings and lists nested more than ${MAX_DEPTH} levels deep, the most a scenario file may have (a scenario needs fewer than 10)`]);
  }, 120_000);

  it("an alias inside its own anchor's value (a value that contains itself) is refused at the alias", () => {
    // Accepted before: patroni_config held a circular object, which no run can write out.
    expect(lines(`${HEAD}  - sleep: 1s\npatroni_config:\n  x: &c [1, *c]\n`)).toEqual([`${F}:6:13: alias '*c' is inside the value of its own anchor '&c': a value cannot contain itself`]);
    expect(lines(`${HEAD}  - sleep: 1s\npatroni_config: &m\n  x: { y: *m }\n`)).toEqual([`${F}:6:11: alias '*m' is inside the value of its own anchor '&m': a value cannot contain itself`]);
    // An alias to an earlier, finished value is fine, as before.
    expect(parseScenario(`${HEAD}  - sleep: 1s\npatroni_config:\n  a: &v { b: 1 }\n  c: *v\n`, F).patroni_config).toEqual({ a: { b: 1 }, c: { b: 1 } });
  });

  it("a 1 MiB file of valid steps loads in linear time", () => {
    let text = HEAD;
    for (let i = 0; text.length < MAX_INPUT_BYTES - 300; i++) {
      text += `  - { id: f${i}, fault: container-pause, targets: leader@start }\n  - heal: f${i}\n  - expect: { log: { node: pg1, matches: x, since: f${i} } }\n`;
    }
    const t0 = performance.now();
    const s = parseScenario(text, F);
    expect(s.steps.length).toBeGreaterThan(15_000);
    expect(performance.now() - t0).toBeLessThan(60_000); // 277 s before; a few seconds on an idle machine
  }, 120_000);

  it("thousands of errors: at most 50 reported, the rest counted, in bounded time", () => {
    let text = HEAD;
    for (let i = 0; text.length < MAX_INPUT_BYTES - 300; i++) text += `  - sleep: soon${i}\n  - heal: nope${i}\n`;
    const t0 = performance.now();
    const out = lines(text);
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(out.length).toBe(MAX_ISSUES + 1);
    expect(out[MAX_ISSUES]).toMatch(/^gen\.yaml:\d+:5: steps\[\d+\]: this and the \d+ step\(s\) after it were not checked: more than 50 steps have problems$/);
    // Semantic problems (bad references) only: capped too.
    let refs = HEAD;
    for (let i = 0; refs.length < MAX_INPUT_BYTES / 4; i++) refs += `  - { id: s${i}, sleep: 1s }\n  - heal: nope${i}\n`;
    const r = lines(refs);
    expect(r.length).toBe(MAX_ISSUES + 1);
    expect(r[MAX_ISSUES]).toMatch(/^gen\.yaml: \d+ more problem\(s\) not shown \(only the first 50 are listed\)$/);
  }, 120_000);

  it("thousands of syntax errors are capped too", () => {
    const out = lines(HEAD + "  - sleep: 1s\n  x: [\n".repeat(5000));
    expect(out.length).toBeLessThanOrEqual(MAX_ISSUES + 1);
  }, 60_000);

  it("durations: 24h is the longest, signed ones too; 2^31 ms never reaches a timer", () => {
    expect(parseScenario(`${HEAD}  - sleep: 24h\n`, F).steps[0]).toMatchObject({ sleep: 86_400_000 });
    expect(lines(`${HEAD}  - sleep: 1441m\n`)[0]).toMatch(/gen\.yaml:4:12: .*longer than 24h/);
    expect(lines(`${HEAD}  - sleep: 2147484\n`)[0]).toMatch(/longer than 24h/);
    expect(lines(`${HEAD}  - fault: clock-skew\n    targets: pg1\n    offset: -25h\n`)[0]).toMatch(/gen\.yaml:6:13: .*longer than 24h/);
    expect(lines(`workload: { timeout: 0 }\n${HEAD}  - sleep: 1s\n`)[0]).toMatch(/gen\.yaml:1:22: workload\.timeout: invalid duration 0: must be more than 0/);
  });

  it("__proto__ anywhere, quoted or not, and constructor-like keys stay visible", () => {
    expect(lines(`${HEAD}  - sleep: 1s\n    "__proto__": x\n`)[0]).toMatch(/gen\.yaml:5:5: the key '__proto__' is not allowed/);
    expect(lines(`nodes: { pg1: { patroni_config: { a: { __proto__: 1 } } } }\n${HEAD}  - sleep: 1s\n`)[0]).toMatch(/gen\.yaml:1:40: the key '__proto__'/);
    expect(lines(`${HEAD}  - sleep: 1s\n    constructor: x\n`)[0]).toMatch(/unknown key 'constructor'/);
  });
});
