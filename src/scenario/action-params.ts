/**
 * Action types and their parameters: action type -> description + zod shape of its own params.
 * An action step is `{ action: <type>, id?, note?, ...params }`, strict per type.
 * Adding an action type is one entry here.
 *
 * `expect_status` (on every action that goes through Patroni's REST API) is normalised to a
 * list of HTTP status codes; absent means "the action must succeed (2xx)".
 */
import { z } from "zod";
import { nodeRef } from "./primitives.js";
import { FINDING_CODES } from "../doctor/model.js";
import { DCS_ACTION } from "../actions/dcs-params.js";

const status = z.number().int().min(100).max(599);

/** Expected HTTP status(es) of a REST action; normalised to a list. */
export const expectStatus = () =>
  z
    .union([status, z.array(status).min(1)])
    .transform((v): number[] => (Array.isArray(v) ? v : [v]))
    .optional()
    .describe("Expected HTTP status, or a list of acceptable ones (e.g. 503 for a switchover that must be refused). Absent: the action must succeed (2xx).");

export interface ActionSpec {
  description: string;
  params: z.ZodRawShape;
}

export const ACTION_PARAMS = {
  switchover: {
    description: "Planned switchover through the REST API (POST /switchover).",
    params: {
      leader: nodeRef(["patroni"], "Current leader to switch over from (optional; default: the current leader).").optional(),
      candidate: nodeRef(["patroni"], "Node to switch over to (optional; default: Patroni picks).").optional(),
      expect_status: expectStatus(),
    },
  },
  failover: {
    description: "Manual failover to a candidate through the REST API (POST /failover).",
    params: {
      candidate: nodeRef(["patroni"], "Node to fail over to (required)."),
      expect_status: expectStatus(),
    },
  },
  restart: {
    description: "Restart PostgreSQL on a node through Patroni (POST /restart).",
    params: { node: nodeRef(["patroni"], "Node whose PostgreSQL restarts (required)."), expect_status: expectStatus() },
  },
  reinit: {
    description: "Reinitialise a replica from the leader (POST /reinitialize).",
    params: { node: nodeRef(["patroni"], "Replica to reinitialise (required)."), expect_status: expectStatus() },
  },
  pause: {
    description: "Put the cluster into maintenance mode (pause: true in the dynamic configuration).",
    params: { expect_status: expectStatus() },
  },
  resume: {
    description: "Leave maintenance mode (pause: false).",
    params: { expect_status: expectStatus() },
  },
  reload: {
    description: "Reload Patroni's configuration (POST /reload) on one node, or on every Patroni node when `node` is absent.",
    params: { node: nodeRef(["patroni"], "Node to reload (optional; default: all Patroni nodes).").optional(), expect_status: expectStatus() },
  },
  sql: {
    description: "Run an SQL statement on a node's PostgreSQL as the superuser.",
    params: {
      node: nodeRef(["patroni"], "Node to run the query on (required)."),
      query: z.string().min(1).describe("SQL text (required)."),
    },
  },
  patronictl: {
    description: "Run patronictl inside a node's container with the given arguments.",
    params: {
      node: nodeRef(["patroni"], "Node whose container runs patronictl (required)."),
      args: z.array(z.string()).describe("Arguments after `patronictl -c <config>`, e.g. [list] or [switchover, --force, --candidate, pg2]."),
    },
  },
  doctor: {
    description:
      "Run pgchaos doctor's read-only checks against the lab (advertised REST and PostgreSQL addresses, lag as the DCS and the switchover check see it, clocks, etcd health, failsafe, timings) and record the findings.",
    params: {
      expect_findings: z
        .array(z.enum(FINDING_CODES))
        .min(1)
        .optional()
        .describe(`Finding codes that must all be found (others may be too): ${FINDING_CODES.join(", ")}.`),
      expect_clean: z.boolean().optional().describe("true: the doctor must find nothing."),
    },
  },
  dcs: DCS_ACTION,
} as const satisfies Record<string, ActionSpec>;

export type ActionType = keyof typeof ACTION_PARAMS;
export const ACTION_TYPES = Object.keys(ACTION_PARAMS) as ActionType[];
