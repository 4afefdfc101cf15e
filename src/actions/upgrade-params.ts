import { z } from "zod";
import { nodeRef } from "../scenario/primitives.js";

const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+$/;

/** The upgrade-patroni action's parameters (registered in scenario/action-params.ts). */
export const UPGRADE_PATRONI_SPEC = {
  description:
    "Upgrade (or downgrade) one node's Patroni as an operator would: stop Patroni (SIGTERM, as systemd does; Patroni stops its PostgreSQL unless the cluster is paused), " +
    "switch to the Patroni version `to` installed in the lab image, start it, and wait until its REST API reports that version and state running. PostgreSQL's version and data stay. " +
    "The versions an image carries are its own and those under /opt/patroni (the bookworm stack's upgrade layer adds trixie's); a version the image lacks is an error before the lab starts.",
  params: {
    node: nodeRef(
      ["patroni"],
      "Node whose Patroni is replaced (optional; default: every Patroni node not running `to` yet, one at a time, replicas first and the leader last, each back to state running before the next).",
    ).optional(),
    to: z
      .string()
      .regex(VERSION, { error: (iss) => `invalid Patroni version ${JSON.stringify(iss.input)}: write it as Patroni prints it, e.g. 4.0.7` })
      .describe("Patroni version to run on the node, as `patroni --version` prints it (e.g. 4.0.7); it must be in the lab image."),
  },
};
