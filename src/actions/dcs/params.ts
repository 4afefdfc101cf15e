/**
 * The `dcs` action's parameters and the checks a single zod shape cannot make (which of
 * `delete` / `put` is given, and what each needs).
 */
import { z } from "zod";
import { nodeRef } from "../../scenario/primitives.js";

/**
 * Keys below /<namespace>/<scope>/ as Patroni names them (patroni/dcs/__init__.py): `member`
 * stands for members/<member>.
 */
export const DCS_KEY_NAMES = ["leader", "config", "failsafe", "sync", "status", "initialize", "history", "failover", "member"] as const;
export type DcsKeyName = (typeof DCS_KEY_NAMES)[number];

const keyName = (verb: string) =>
  z.enum(DCS_KEY_NAMES).describe(`Key to ${verb}: ${DCS_KEY_NAMES.join(", ")} (member: members/<member>, with \`member\`).`);

export const DCS_ACTION = {
  description:
    "Change a key in the DCS the way an operator does by hand with etcdctl: delete the leader key or a member key, put a (bad) config. " +
    "Deleting the leader key is conditional on the holder read just before (never removes a newer leader's key).",
  params: {
    delete: keyName("delete").optional(),
    put: keyName("put").optional(),
    member: nodeRef(["patroni"], "The member whose key is meant when the key is `member`.").optional(),
    value: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .describe("With put: the value, a mapping (written as JSON) or a string written as is (e.g. JSON that does not parse)."),
  },
};

type DcsParams = { delete?: DcsKeyName; put?: DcsKeyName; member?: unknown; value?: unknown };

/** What the step must say beyond its shape; paths are relative to the step. */
export function dcsStepProblems(p: DcsParams): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  if ((p.delete === undefined) === (p.put === undefined)) {
    out.push({ path: p.put !== undefined ? ["put"] : [], message: "a dcs action has exactly one of delete: <key> or put: <key>" });
    return out;
  }
  const key = p.delete ?? p.put;
  if (key === "member" && p.member === undefined) out.push({ path: [p.delete ? "delete" : "put"], message: "key member needs member: <patroni node> (whose members/ key)" });
  if (key !== "member" && p.member !== undefined) out.push({ path: ["member"], message: `member only goes with the key member, not ${key}` });
  if (p.put !== undefined && p.value === undefined) out.push({ path: ["put"], message: "put needs value: a mapping (written as JSON) or a string" });
  if (p.delete !== undefined && p.value !== undefined) out.push({ path: ["value"], message: "value only goes with put" });
  return out;
}

/** The key's path below the cluster's prefix. */
export function dcsKeyPath(key: DcsKeyName, member?: string): string {
  return key === "member" ? `members/${member}` : key;
}
