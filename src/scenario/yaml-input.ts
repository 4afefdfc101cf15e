/**
 * The input side of loading a scenario, before the schema sees it: reading the file safely
 * (regular files only, a size limit, UTF-8), text that YAML would take but a scenario must not
 * hold (control characters), a nesting limit checked while the parser builds its token tree
 * (the `yaml` parser and composer both recurse and run out of stack on deep input), and YAML
 * features that would turn into something other than what was written (`__proto__` keys, `<<`
 * merge keys, tags, aliases without an anchor or inside their own anchor's value or nesting it
 * too deep, keys that are not scalars).
 * Every problem has a line and column; none of these functions recurse on the input.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { type Alias, Composer, type CST, type Document, isAlias, isMap, isPair, isScalar, isSeq, Lexer, type LineCounter, type Node, Parser, Scalar, visit, YAMLParseError } from "yaml";

/** Largest scenario file read (bytes). The largest shipped scenario is a few kB. */
export const MAX_INPUT_BYTES = 1024 * 1024;
/** Deepest nesting of mappings and lists; a scenario needs fewer than 10 levels. */
export const MAX_DEPTH = 64;
/** Problems reported per file; the rest are counted. */
export const MAX_ISSUES = 50;

/** A problem found at a character offset of the text (or at none: offset -1). */
export interface InputProblem {
  offset: number;
  message: string;
  /** Line and column, when the problem was found before there was text to count them in. */
  at?: { line: number; column: number };
}

export class InputError extends Error {
  override name = "InputError";
  constructor(readonly problem: InputProblem) {
    super(problem.message);
  }
}

/**
 * Read a scenario file as UTF-8 text. Throws InputError (offset -1 unless it points into the
 * text) when it is not a regular file, is larger than MAX_INPUT_BYTES or is not UTF-8.
 */
export async function readScenarioText(file: string): Promise<string> {
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : code === "ELOOP" ? "too many levels of symbolic links" : code === "ENXIO" ? "is a socket or a device; a scenario is a regular file" : (e as Error).message;
    throw new InputError({ offset: -1, message: `cannot read: ${why}` });
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new InputError({ offset: -1, message: "cannot read: is a directory" });
    if (!st.isFile()) {
      const kind = st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : "not a regular file";
      throw new InputError({ offset: -1, message: `cannot read: is ${kind}; a scenario is a regular file` });
    }
    // Read at most one byte past the limit: the size in stat may be wrong (/proc) or change.
    const buf = Buffer.alloc(MAX_INPUT_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > MAX_INPUT_BYTES) throw new InputError({ offset: -1, message: `the file is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, the limit for a scenario file` });
    return decodeUtf8(buf.subarray(0, n));
  } finally {
    await fh.close();
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Point at the first byte that is not UTF-8: decode the valid prefix to get its offset.
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder("utf-8").decode(bytes.subarray(0, bad));
    const lines = before.split("\n");
    const at = { line: lines.length, column: lines[lines.length - 1].length + 1 };
    throw new InputError({ offset: before.length, at, message: `not UTF-8 text: invalid byte 0x${bytes[bad].toString(16).padStart(2, "0")}; a scenario file is UTF-8 text` });
  }
}

/** Byte index of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    if (len > 1 && new TextDecoder("utf-8", { fatal: false }).decode(b.subarray(i, i + len)).includes("\uFFFD")) return i; // overlong or surrogate
    i += len;
  }
  return Math.max(0, b.length - 1);
}

/** Characters YAML does not allow in a stream (C0/C1 controls other than tab, LF, CR, NEL; U+FFFE/U+FFFF). */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/g;

/** Problems of the raw text: its size (for text not read from a file) and forbidden characters. */
export function textProblems(text: string): InputProblem[] {
  if (text.length > MAX_INPUT_BYTES || Buffer.byteLength(text, "utf8") > MAX_INPUT_BYTES) {
    return [{ offset: -1, message: `the scenario is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, the limit for a scenario file` }];
  }
  const out: InputProblem[] = [];
  for (const m of text.matchAll(FORBIDDEN_CHAR)) {
    const code = m[0].charCodeAt(0);
    const name = code === 0 ? "NUL byte (U+0000)" : `control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    out.push({ offset: m.index, message: `${name}: a scenario file is text; only tab, newline and carriage return are allowed as control characters` });
    if (out.length > MAX_ISSUES) break;
  }
  return out;
}

/**
 * Parse YAML text in two stages, as `yaml`'s parseDocument does, with depth checks before
 * anything recurses. The parser is fed one lexeme at a time and its stack (the collections
 * open at that point) is measured after each: the parser unwinds a dedent recursively, one
 * level per open collection, so `- - - ... x` 10 000 deep followed by a key at column 0
 * overflows the stack inside the parser, before any token tree exists. Then the finished token
 * tree is checked too, and only then does the composer, which recurses, turn it into a
 * Document. Returns the tokens and, when the depth is fine, the first document (a second one
 * is an error in it).
 */
export function parseYaml(
  text: string,
  lineCounter: LineCounter,
  options: ConstructorParameters<typeof Composer>[0],
): { tokens: CST.Token[]; tooDeep?: InputProblem; doc?: Document.Parsed } {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0); // Parser.parse does this; next() does not
  const tokens: CST.Token[] = [];
  for (const lexeme of new Lexer().lex(text, false)) {
    for (const t of parser.next(lexeme)) tokens.push(t);
    // The stack holds the document, the open collections and at most a scalar or two: while
    // it is no longer than MAX_DEPTH + 1, the nesting is fine and counting is not needed.
    if (parser.stack.length > MAX_DEPTH + 1) {
      const tooDeep = openTooDeep(parser.stack);
      if (tooDeep) return { tokens, tooDeep };
    }
  }
  for (const t of parser.end()) tokens.push(t);
  const tooDeep = depthProblem(tokens);
  if (tooDeep) return { tokens, tooDeep };
  let doc: Document.Parsed | undefined;
  for (const d of new Composer(options).compose(tokens, true, text.length)) {
    if (!doc) doc = d;
    else {
      doc.errors.push(new YAMLParseError([d.range[0], d.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents"));
      break;
    }
  }
  return { tokens, doc };
}

function tooDeepAt(offset: number): InputProblem {
  return {
    offset,
    message: `mappings and lists are nested more than ${MAX_DEPTH} levels deep here, the most a scenario file may have (a scenario needs fewer than 10)`,
  };
}

/**
 * The collection opened more than MAX_DEPTH levels deep on the parser's stack, once the stack
 * holds at least two more. The topmost collection may be one the parser has just opened on a
 * guess and drops again (`- ` inside `[...]`), so it is not trusted; a collection below it
 * has another inside it and is real. Nesting of exactly MAX_DEPTH + 1 is left to the check of
 * the finished tree.
 */
function openTooDeep(stack: readonly CST.Token[]): InputProblem | undefined {
  let depth = 0;
  let first: CST.Token | undefined;
  for (const t of stack) {
    if (t.type === "block-map" || t.type === "block-seq" || t.type === "flow-collection") {
      if (++depth === MAX_DEPTH + 1) first = t;
    }
  }
  return first && depth > MAX_DEPTH + 1 ? tooDeepAt(first.offset) : undefined;
}

/** The first place where mappings and lists nest deeper than MAX_DEPTH in a token tree. */
function depthProblem(tokens: CST.Token[]): InputProblem | undefined {
  const stack: [CST.Token | null | undefined, number][] = tokens.map((t) => [t, 0]);
  while (stack.length) {
    const [t, depth] = stack.pop()!;
    if (!t) continue;
    switch (t.type) {
      case "document":
        stack.push([t.value, depth]);
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection": {
        const d = depth + 1;
        if (d > MAX_DEPTH) return tooDeepAt(t.offset);
        for (const item of t.items) {
          stack.push(["key" in item ? item.key : undefined, d]);
          stack.push([item.value, d]);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/**
 * Openings of double- or single-quoted scalars and flow collections that never close, by offset.
 * The `yaml` parser reports these where it gives up (often the end of the file); the author
 * needs the place where the quote or bracket opens.
 */
export function unclosedOpenings(tokens: CST.Token[]): { offset: number; what: string }[] {
  const out: { offset: number; what: string }[] = [];
  const stack: (CST.Token | null | undefined)[] = [...tokens];
  while (stack.length) {
    const t = stack.pop();
    if (!t) continue;
    switch (t.type) {
      case "document":
        stack.push(t.value);
        break;
      case "block-map":
      case "block-seq":
        for (const item of t.items) stack.push("key" in item ? item.key : undefined, item.value);
        break;
      case "flow-collection": {
        const close = t.start.source === "{" ? "}" : "]";
        if (!t.end.some((e) => e.source === close)) out.push({ offset: t.offset, what: `'${t.start.source}' opened here is never closed with '${close}'` });
        for (const item of t.items) stack.push(item.key, item.value);
        break;
      }
      case "double-quoted-scalar":
        if (!/^"(?:[^"\\]|\\[^])*"$/.test(t.source)) out.push({ offset: t.offset, what: "the double quote opened here is never closed" });
        break;
      case "single-quoted-scalar":
        if (!/^'(?:[^']|'')*'$/.test(t.source)) out.push({ offset: t.offset, what: "the single quote opened here is never closed" });
        break;
      default:
        break;
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** An indentation mistake found in the token tree, and where the `yaml` composer reports it. */
export interface IndentProblem extends InputProblem {
  /** Where the composer's error for it points: there, or after only blanks and comments before it. */
  reportedAt: number;
}

/** Codes of the composer's errors that an IndentProblem replaces (with its position and words). */
export const INDENT_ERRORS: ReadonlySet<string> = new Set(["BAD_INDENT", "MISSING_CHAR", "MULTILINE_IMPLICIT_KEY", "BLOCK_AS_IMPLICIT_KEY"]);

/**
 * Whether a composer error is the one `p` explains: an indentation error pointing at p's
 * reportedAt or at the blank lines, indentation and comments just before it. The composer
 * points at the line before the mistake, or at the start of its line, not at the key.
 */
export function explainedBy(error: { code: string; pos: [number, number] }, p: IndentProblem, text: string): boolean {
  if (!INDENT_ERRORS.has(error.code) || error.pos[0] > p.reportedAt) return false;
  return /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*$/.test(text.slice(error.pos[0], p.reportedAt));
}

/**
 * Keys indented differently from the keys of their mapping, where the `yaml` composer's error
 * points elsewhere (the line before, or column 1) and says nothing of columns:
 * - a key indented more than the key before it, after a plain value: YAML reads the key as
 *   more of that value (`name: x` / ` description: d` is the key "x description" on line 1);
 * - a key of a mapping that is not in line with the mapping's first key;
 * - a line inside a list, more indented than its `-`, that does not start with `- `.
 * Each is reported at the key, with the column it should be in.
 */
export function indentationProblems(tokens: CST.Token[], linePos: (offset: number) => { line: number; col: number }): IndentProblem[] {
  const out: IndentProblem[] = [];
  const shown = (t: CST.Token) => ("source" in t && typeof t.source === "string" && !t.source.includes("\n") ? `'${t.source}'` : "this key");
  /** [token, the key whose value it is (a scalar of a block mapping), if any] */
  const stack: [CST.Token | null | undefined, CST.Token | undefined][] = tokens.map((t) => [t, undefined]);
  while (stack.length && out.length <= MAX_ISSUES) {
    const [t, owner] = stack.pop()!;
    if (!t) continue;
    switch (t.type) {
      case "document":
        stack.push([t.value, undefined]);
        break;
      case "block-map": {
        const first = t.items[0]?.key;
        for (const item of t.items) {
          const key = item.key;
          const explicit = item.start.some((st) => st.type === "explicit-key-ind");
          const o = owner ? linePos(owner.offset) : undefined;
          const lastLine = key?.type === "scalar" ? key.source.slice(key.source.lastIndexOf("\n") + 1) : "";
          const continued = key?.type === "scalar" ? key.offset + key.source.length - lastLine.trimStart().length : -1;
          // A plain value of `owner` continued by a more indented line that holds a key. (The
          // parser's recovery after an unclosed bracket builds such keys less indented: those
          // are not this mistake, and the composer's error stays.)
          if (key && !explicit && key.type === "scalar" && key.source.includes("\n") && owner && "source" in owner && o && linePos(continued).col > o.col) {
            const name = `'${lastLine.trim()}'`;
            out.push({
              offset: continued,
              reportedAt: key.offset,
              message: `${name} is indented more than '${owner.source}' on line ${o.line}, so YAML reads it as more of the value of '${owner.source}', not as a key; keys of one mapping start in the same column: put ${name} in column ${o.col}, in line with '${owner.source}'`,
            });
          } else if (key && !explicit && first && key !== first && "indent" in key && "indent" in first && key.indent !== t.indent && key.offset > first.offset) {
            const k = linePos(key.offset);
            const f = linePos(first.offset);
            out.push({
              offset: key.offset,
              reportedAt: key.offset,
              message: `${shown(key)} starts in column ${k.col}, but the keys of its mapping start in column ${f.col} (${shown(first)} on line ${f.line}); keys of one mapping start in the same column`,
            });
          }
          stack.push([key, undefined]);
          stack.push([item.value, key && (key.type === "scalar" || key.type === "single-quoted-scalar" || key.type === "double-quoted-scalar") ? key : undefined]);
        }
        break;
      }
      case "block-seq": {
        let previous: CST.Token | undefined;
        for (const item of t.items) {
          const dash = item.start.some((st) => st.type === "seq-item-ind");
          const value = item.value;
          if (!dash && value && value.type !== "block-seq") {
            const at = linePos(value.offset);
            const what = value.type === "block-map" && value.items[0]?.key ? shown(value.items[0].key) : "this line";
            const dashCol = linePos(t.offset).col;
            const firstKey = previous?.type === "block-map" ? previous.items[0]?.key : undefined;
            const inItem = firstKey ? `; a key of the item above starts in column ${linePos(firstKey.offset).col}, in line with ${shown(firstKey)} on line ${linePos(firstKey.offset).line}` : "";
            out.push({
              offset: value.offset,
              reportedAt: value.offset,
              message: `${what} starts in column ${at.col}, inside the list whose '-' is in column ${dashCol}, but without '- ': a new item starts with '- ' in column ${dashCol}${inItem}`,
            });
          }
          if (value) previous = value;
          stack.push([value, undefined]);
        }
        break;
      }
      case "flow-collection":
        for (const item of t.items) stack.push([item.key, undefined], [item.value, undefined]);
        break;
      default:
        break;
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** YAML error messages that mean a quote or a flow collection did not close. */
export const UNCLOSED_ERROR = /closing .*quote|end with an? [\]}]|flow (?:sequence|map|collection).*(?:end|indented)|Expected .* to end/i;

/** Tags of the YAML core schema; anything else would be taken as a plain string or rejected late. */
const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * Problems of a parsed document (without syntax errors) that the conversion to plain data
 * would hide: `__proto__` keys (dropped), merge keys `<<` (taken as an unknown key), tags
 * (ignored), aliases without an anchor, aliases inside the value of their own anchor (a cycle,
 * which no plain data can hold), aliases that nest their anchor's value deeper than MAX_DEPTH
 * levels (chains of anchors), and keys that are mappings or lists.
 * Time linear in the document: each alias is resolved from a map of the anchors seen so far
 * (Alias.resolve walks the whole document for every alias: minutes for a chain of 10 000).
 */
export function documentProblems(doc: Document, text: string): InputProblem[] {
  const out: InputProblem[] = [];
  const at = (node: { range?: [number, number, number] | null } | null | undefined) => node?.range?.[0] ?? -1;
  // As Alias.resolve: the last node with the anchor before the alias, in the visit's order.
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isScalar(key)) {
        if (key.value === "__proto__") {
          out.push({ offset: at(key), message: "the key '__proto__' is not allowed: it names an object's prototype and would be dropped, not read" });
        } else if (key.value === "<<" && key.type === Scalar.PLAIN) {
          out.push({
            offset: at(key),
            message: "YAML merge keys ('<<: *anchor') are not supported: write the keys out, or reuse a whole value with an alias (key: *anchor)",
          });
        }
      } else if (isMap(key) || isSeq(key) || isAlias(key)) {
        out.push({ offset: at(key as never), message: "a key must be a plain string, not a mapping, a list or an alias" });
      }
      if (out.length > MAX_ISSUES) return visit.BREAK;
    },
    Node(_, node, path) {
      if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
        const shown = node.tag.startsWith("tag:yaml.org,2002:") ? `!!${node.tag.slice("tag:yaml.org,2002:".length)}` : node.tag;
        out.push({ offset: tagOffset(text, at(node)), message: `unsupported YAML tag '${shown}': a scenario holds plain values (strings, numbers, booleans, mappings, lists) without tags` });
      }
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target === undefined) {
          out.push({ offset: at(node), message: `alias '*${node.source}' refers to no anchor: define '&${node.source}' before this alias` });
        } else if (path.includes(target)) {
          out.push({ offset: at(node), message: `alias '*${node.source}' is inside the value of its own anchor '&${node.source}': a value cannot contain itself` });
        } else {
          targets.set(node, target);
        }
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
      if (out.length > MAX_ISSUES) return visit.BREAK;
    },
  });
  if (!out.length && targets.size) {
    const tooDeep = aliasDepthProblem(doc, targets);
    if (tooDeep) out.push(tooDeep);
  }
  return out;
}

/**
 * Where an alias nests its anchor's value so deep that the value reached through it is deeper
 * than MAX_DEPTH: each anchor of a chain (`- &a2 [[*a1]]`) adds its own levels to the one
 * before it, so a file within the nesting limit can hold values thousands of levels deep.
 * `targets`: every alias's anchor node; none is inside its own anchor's value. Computes the
 * nesting under each node, aliases counted as their anchor's, without recursion: in post-order
 * an anchor's value is finished before any alias to it (which comes after it and is not inside
 * it). Reports the first alias in the text whose value is too deep where it stands.
 */
function aliasDepthProblem(doc: Document, targets: ReadonlyMap<Alias, Node>): InputProblem | undefined {
  const root = doc.contents as Node | null;
  if (!root) return undefined;
  const children = (n: Node): Node[] => {
    if (isMap(n)) return n.items.flatMap((p) => (isPair(p) ? [p.key, p.value] : []).filter((x): x is Node => x !== null && typeof x === "object"));
    if (isSeq(n)) return n.items.filter((x): x is Node => x !== null && typeof x === "object");
    return [];
  };
  const height = new Map<Node, number>();
  const stack: [Node, boolean][] = [[root, false]];
  while (stack.length) {
    const [n, done] = stack.pop()!;
    if (done) {
      if (isAlias(n)) height.set(n, height.get(targets.get(n)!) ?? 0);
      else if (isMap(n) || isSeq(n)) {
        let h = 0;
        for (const c of children(n)) h = Math.max(h, height.get(c) ?? 0); // no spread: lists may have 100 000s of items
        height.set(n, 1 + h);
      }
      else height.set(n, 0);
      continue;
    }
    stack.push([n, true]);
    const cs = children(n);
    for (let i = cs.length - 1; i >= 0; i--) stack.push([cs[i], false]);
  }
  if ((height.get(root) ?? 0) <= MAX_DEPTH) return undefined;
  // The first alias, in the order of the text, whose value is too deep where it stands.
  const walk: [Node, number][] = [[root, 0]];
  while (walk.length) {
    const [n, level] = walk.pop()!;
    if (isAlias(n)) {
      const deep = height.get(n) ?? 0;
      if (level + deep > MAX_DEPTH) {
        return {
          offset: n.range?.[0] ?? -1,
          message: `alias '*${n.source}' puts the ${deep} levels of its anchor's value ${level} levels deep: mappings and lists nested more than ${MAX_DEPTH} levels deep, the most a scenario file may have (a scenario needs fewer than 10)`,
        };
      }
      continue;
    }
    const cs = children(n);
    for (let i = cs.length - 1; i >= 0; i--) walk.push([cs[i], level + 1]);
  }
  return undefined;
}

/** Where the tag of a node whose value starts at `valueAt` begins: the `!` before it on its line. */
function tagOffset(text: string, valueAt: number): number {
  const lineStart = text.lastIndexOf("\n", valueAt - 1) + 1;
  let i = text.lastIndexOf("!", valueAt);
  if (i < lineStart) return valueAt;
  while (i > lineStart && text[i - 1] === "!") i--;
  return i;
}

/** Whether any alias exists (to place a resource-exhaustion error on the first one). */
export function firstAliasOffset(doc: Document): number {
  let offset = -1;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? -1;
      return visit.BREAK;
    },
  });
  return offset;
}
