import { z } from "zod";
import { defineAction } from "../kind.js";
import { nodeRef } from "../../scenario/primitives.js";
import { upgradePatroni, upgradeRemaining } from "./upgrade.js";

const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+$/;

/** One node's Patroni replaced by another version the lab image carries (see ./upgrade.ts). */
export const upgradePatroniKind = defineAction({
  type: "upgrade-patroni",
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
  explore: { notExplored: "the versions it can switch to depend on the lab image, and an upgrade is not undone by the schedule's heal" },
  collectsPatroniLog: true,
  run: (p, ctx) => (p.node ? upgradePatroni(ctx.lab, ctx.resolve(p.node), p.to) : upgradeRemaining(ctx, p.to)),
});
