/**
 * Conditions of `expect` steps. In YAML a condition is a mapping with exactly one key, the
 * condition type: `{ leader: none }`, `{ role: { node: pg1, is: replica } }`.
 *
 * This registry maps each type to a description and the zod schema of the key's value. Each
 * schema's *output* is the condition's normalised fields; after parsing a condition is the flat
 * object `{ type: <key>, ...fields }` (see `Condition` in schema.ts). Adding a condition type is
 * one entry here.
 */
import { z } from "zod";
import { type NodeRef, STEP_ID_PATTERN, nodeRef, show, size } from "./primitives.js";

export const ROLES = ["primary", "replica", "demoted", "down", "unknown"] as const;
export type ExpectedRole = (typeof ROLES)[number];

const patroniNode = (d = "The Patroni node.") => nodeRef(["patroni"], d);
const nodeOrAll = (d: string) => z.union([z.literal("all"), patroniNode()]).describe(d);

/** Exactly one of `keys` must be present. */
function exactlyOne(keys: readonly string[], what: string) {
  return (v: object, ctx: z.core.$RefinementCtx<object>) => {
    const present = keys.filter((k) => k in v);
    if (present.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          present.length === 0
            ? `${what} needs one of ${keys.join(", ")}`
            : `${what} takes only one of ${keys.join(", ")}; found ${present.join(" and ")}`,
        path: present.length > 1 ? [present[1]] : [],
        input: v,
      });
    }
  };
}

const leader = z
  .union([
    z.enum(["exists", "none"]),
    z
      .strictObject({
        is: patroniNode("The leader must be this node.").optional(),
        not: patroniNode("The leader must not be this node (no leader also satisfies it).").optional(),
      })
      .superRefine(exactlyOne(["is", "not"], "leader")),
  ])
  .transform((v): { exists?: boolean; is?: NodeRef; not?: NodeRef } =>
    v === "exists" ? { exists: true } : v === "none" ? { exists: false } : v,
  );

const role = z
  .strictObject({
    node: patroniNode(),
    is: z.enum(ROLES).optional().describe("The node has this role."),
    not: z.enum(ROLES).optional().describe("The node does not have this role."),
  })
  .superRefine(exactlyOne(["is", "not"], "role"));

const validRegex = z
  .string()
  .min(1)
  .superRefine((s, ctx) => {
    try {
      new RegExp(s);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `invalid regular expression ${show(s)}: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`, input: s });
    }
  })
  .describe("JavaScript regular expression (no flags) matched against each log line.");

export const CONDITION_PARAMS = {
  leader: {
    description: "The DCS leader key: `exists`, `none`, `{ is: <node> }` or `{ not: <node> }`.",
    schema: leader,
  },
  role: {
    description: "A node's role as its REST API reports it (down = REST API not answering): `{ node, is }` or `{ node, not }`.",
    schema: role,
  },
  writable: {
    description: "Whether a node's PostgreSQL accepts writes.",
    schema: z.strictObject({ node: patroniNode(), is: z.boolean().describe("true: accepts writes; false: does not.") }),
  },
  no_leader_change: {
    description: "The leader key keeps the same holder (use with `for:`).",
    schema: z
      .literal(true)
      .transform(() => ({}))
      .describe("Always `true`."),
  },
  member: {
    description: "Whether a node's member key is present in the DCS.",
    schema: z.strictObject({ node: patroniNode(), in_dcs: z.boolean().describe("true: member key present; false: absent.") }),
  },
  member_missing_while_writable: {
    description: "The node's member key is absent from the DCS while its PostgreSQL is writable (incident 1's symptom).",
    schema: z.strictObject({ node: patroniNode() }),
  },
  streaming: {
    description: "A replica (or every replica, `all`) streams WAL from the primary (pg_stat_wal_receiver status = streaming).",
    schema: z.strictObject({ node: nodeOrAll("A Patroni node, or `all` for every replica.") }),
  },
  lag: {
    description: "A replica's (or every replica's, `all`) replay lag behind the primary is below a size.",
    schema: z.strictObject({
      node: nodeOrAll("A Patroni node, or `all` for every replica."),
      below: size("Lag must be strictly below this."),
    }),
  },
  dcs_lag: {
    description:
      "The lag column as patronictl shows it, from member keys in the DCS (the leader's xlog_location minus the member's, up to loop_wait old), is below (or above) a size for a replica (or every replica, `all`): in the newest DCS sample, or with `since` in every DCS sample since that step began.",
    schema: z
      .strictObject({
        node: nodeOrAll("A Patroni node, or `all` for every replica."),
        below: size("The DCS lag column must be strictly below this.").optional(),
        above: size("The DCS lag column must be strictly above this.").optional(),
        since: z
          .string()
          .regex(STEP_ID_PATTERN, { error: (iss) => `invalid step id ${show(iss.input)}: use an earlier step's id or start` })
          .optional()
          .describe("Judge every DCS sample since this earlier step began (`start` = the first step), not only the newest (optional)."),
      })
      .superRefine(exactlyOne(["below", "above"], "dcs_lag")),
  },
  dcs_endpoint: {
    description:
      "The etcd member a Patroni node currently talks to (its most recently active connection to port 2379): `{ node, is: <etcd member> }` or `{ node, not: <etcd member> }`.",
    schema: z
      .strictObject({
        node: patroniNode(),
        is: nodeRef(["etcd"], "The node's current etcd member is this one.").optional(),
        not: nodeRef(["etcd"], "The node's current etcd member is not this one (no connection also satisfies it).").optional(),
      })
      .superRefine(exactlyOne(["is", "not"], "dcs_endpoint")),
  },
  haproxy: {
    description:
      "Which servers HAProxy routes to (needs topology.haproxy): `{ primary: <node> | none }` = exactly that server (no server) is UP on the primary port; `{ replica: <node> }` = that server is UP on the replicas port; `{ replica: none }` = none is.",
    schema: z
      .strictObject({
        primary: z
          .union([z.literal("none"), patroniNode("The one server UP on the primary port.")])
          .optional()
          .describe("The one Patroni node UP on HAProxy's primary port (5000), or none."),
        replica: z
          .union([z.literal("none"), patroniNode("A server UP on the replicas port.")])
          .optional()
          .describe("A Patroni node UP on HAProxy's replicas port (5001), or none (no server UP there)."),
      })
      .superRefine(exactlyOne(["primary", "replica"], "haproxy")),
  },
  rest: {
    description: "A field of a node's Patroni REST API answer: exactly one of `equals`, `not`, `exists`.",
    schema: z
      .strictObject({
        node: patroniNode(),
        path: z
          .string()
          .regex(/^\//, { error: (iss) => `invalid REST path ${show(iss.input)}: must start with /` })
          .default("/patroni")
          .describe("REST path to GET (default /patroni)."),
        field: z.string().min(1).describe("Dotted path into the JSON answer, e.g. failsafe_mode_is_active or xlog.location."),
        equals: z.unknown().optional().describe("The field equals this value (JSON equality)."),
        not: z.unknown().optional().describe("The field does not equal this value."),
        exists: z.boolean().optional().describe("The field is present (true) or absent (false)."),
      })
      .superRefine(exactlyOne(["equals", "not", "exists"], "rest")),
  },
  log: {
    description: "A container log line of a node matches a regular expression.",
    schema: z.strictObject({
      node: nodeRef(["patroni", "etcd", "haproxy"], "Node whose container log is searched (any node, e.g. e1 for etcd warnings)."),
      matches: validRegex,
      since: z
        .string()
        .regex(STEP_ID_PATTERN, { error: (iss) => `invalid step id ${show(iss.input)}: use an earlier step's id or start` })
        .optional()
        .describe("Only lines logged since this earlier step began (`start` = the first step). Default: since the cluster was ready."),
    }),
  },
  sql: {
    description: "A query on a node returns a value (first column of the first row, compared as text when a string is given).",
    schema: z.strictObject({
      node: patroniNode(),
      query: z.string().min(1).describe("SQL text."),
      equals: z.union([z.string(), z.number(), z.boolean()]).describe("Expected value."),
    }),
  },
  etcd_healthy: {
    description: "How many etcd members answer /health with health=true: `{ count: <n> }` (at least n) or `all`.",
    schema: z
      .union([z.literal("all"), z.strictObject({ count: z.number().int().min(0).describe("At least this many healthy members.") })])
      .transform((v): { count: number | "all" } => (v === "all" ? { count: "all" } : v)),
  },
} as const;

export type ConditionType = keyof typeof CONDITION_PARAMS;
export const CONDITION_TYPES = Object.keys(CONDITION_PARAMS) as ConditionType[];

/** A parsed condition: `{ type, ...fields }` where fields is the output of the key's schema. */
export type Condition = {
  [K in ConditionType]: { type: K } & z.output<(typeof CONDITION_PARAMS)[K]["schema"]>;
}[ConditionType];
