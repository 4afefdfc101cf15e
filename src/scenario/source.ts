/**
 * Maps paths in the parsed YAML (`["steps", 2, "fault"]`) to line:column positions in the
 * source text, using the `yaml` package's Document nodes and a LineCounter.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";

export type Path = (string | number)[];

export interface Located {
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /**
   * The path as far as it exists in the source. Parsing normalises some shorthands (a single
   * target becomes a list, a single condition becomes a list), so a path computed on parsed
   * data may go deeper than the YAML does; it is cut where the YAML stops.
   */
  path: Path;
}

/** `key`: the position of the last key (for unknown keys); `value`: the value's position. */
export type Anchor = "key" | "value";

export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  pos(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  private nodePos(node: Node | Pair | null | undefined): { line: number; column: number } | undefined {
    const range = (node as Node | null | undefined)?.range;
    return range ? this.pos(range[0]) : undefined;
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** Position of the node at `path`, or of the deepest existing node on the way. */
  locate(path: Path, at: Anchor = "value"): Located {
    let node: unknown = this.deref(this.doc.contents);
    let best = this.nodePos(node as Node) ?? { line: 1, column: 1 };
    // Inside an alias, a problem is reported at the alias (where the value is used), not at
    // its anchor (which may be used in many places, or be fine where it is written).
    let viaAlias: { line: number; column: number } | undefined;
    const result = (r: Located): Located => (viaAlias ? { ...r, line: viaAlias.line, column: viaAlias.column } : r);
    const enter = (raw: unknown) => {
      if (!viaAlias && isAlias(raw)) viaAlias = this.nodePos(raw);
    };
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(seg));
        if (!pair) return result({ ...best, path });
        const keyPos = this.nodePos(pair.key as Node);
        const last = i === path.length - 1;
        if (last && at === "key") return result({ ...(keyPos ?? best), path });
        enter(pair.value);
        const value = this.deref(pair.value);
        const valuePos = this.nodePos(value as Node);
        // `key:` with nothing after it: point at the key.
        const isEmpty = value === null || value === undefined || (isScalar(value) && value.value === null && valuePos === undefined);
        best = (isEmpty ? keyPos : valuePos) ?? keyPos ?? best;
        node = value;
      } else if (isSeq(node) && typeof seg === "number") {
        enter(node.items[seg]);
        const item = this.deref(node.items[seg]);
        if (item === undefined) return result({ ...best, path });
        best = this.nodePos(item as Node) ?? best;
        node = item;
      } else {
        // A scalar, or a mapping indexed by number: the YAML stops here.
        return result({ ...best, path: path.slice(0, i) });
      }
    }
    return result({ ...best, path });
  }

  /** Whether a mapping at `path` has the key (in the source). */
  hasKey(path: Path, key: string): boolean {
    const node = this.nodeAt(path);
    return isMap(node) && node.items.some((p) => keyText(p.key) === key);
  }

  nodeAt(path: Path): unknown {
    let node: unknown = this.deref(this.doc.contents);
    for (const seg of path) {
      if (isMap(node)) node = this.deref(node.items.find((p) => keyText(p.key) === String(seg))?.value);
      else if (isSeq(node) && typeof seg === "number") node = this.deref(node.items[seg]);
      else return undefined;
    }
    return node;
  }

  /**
   * Paths of the scalars in value position under `root` for which `pred` holds. Used to find
   * where a parsed value (e.g. a NodeRef) was written when parsing moved it.
   */
  findScalars(root: Path, pred: (value: unknown, path: Path) => boolean): Path[] {
    const out: Path[] = [];
    const walk = (node: unknown, path: Path): void => {
      if (isMap(node)) {
        for (const p of node.items) walk(p.value, [...path, keyText(p.key)]);
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => walk(item, [...path, i]));
      } else if (isScalar(node)) {
        if (pred(node.value, path)) out.push(path);
      }
    };
    walk(this.nodeAt(root), root);
    return out;
  }
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}
