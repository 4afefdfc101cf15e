/**
 * The scenario's `patroni:` block (Patroni's bootstrap.dcs settings) and its defaults, in one
 * place: the scenario schema parses it and the lab's ClusterSpec takes its defaults from it.
 */
import { z } from "zod";
import { show, size, typeName } from "./primitives.js";

/** A whole number of seconds, as Patroni reads its timings. */
const seconds = (key: string) =>
  z
    .number({ error: (iss) => `expected a whole number of seconds, got ${typeName(iss.input)} (Patroni's ${key} is an integer, without unit)` })
    .int({ error: (iss) => `expected a whole number of seconds, got ${show(iss.input)}` })
    .min(1);

export const patroniSettings = z
  .strictObject({
    ttl: seconds("ttl").default(10).describe("bootstrap.dcs.ttl in seconds (default 10). Patroni's rule: loop_wait + 2*retry_timeout <= ttl."),
    loop_wait: seconds("loop_wait").default(2).describe("bootstrap.dcs.loop_wait in seconds (default 2)."),
    retry_timeout: seconds("retry_timeout").default(4).describe("bootstrap.dcs.retry_timeout in seconds (default 4)."),
    failsafe_mode: z.boolean().default(false).describe("bootstrap.dcs.failsafe_mode (default false)."),
    maximum_lag_on_failover: size("bootstrap.dcs.maximum_lag_on_failover (default 1MB = 1048576 bytes).").prefault(1048576),
    synchronous_mode: z
      .union([z.boolean(), z.enum(["on", "off", "quorum"])], {
        error: (iss) => `expected true, false, on, off or quorum, got ${show(iss.input)}`,
      })
      .default(false)
      // One reading for the rest of pgchaos: "off", "on" (true) or "quorum".
      .transform((v): SynchronousModeSetting => (v === true ? "on" : v === false ? "off" : v))
      .describe(
        "bootstrap.dcs.synchronous_mode (default false): true/on, false/off, or quorum (Patroni 4.0 and later; Patroni 3 reads quorum as off, so a quorum scenario should `requires: { patroni: \">=4\" }`). With it on, Patroni promotes only a standby that was synchronous: no acknowledged write may be lost (no-acked-write-lost holds the run to that).",
      ),
    synchronous_mode_strict: z
      .boolean()
      .default(false)
      .describe(
        "bootstrap.dcs.synchronous_mode_strict (default false): with no synchronous standby available the primary keeps synchronous_standby_names set ('*') and commits wait, instead of falling back to asynchronous replication.",
      ),
    synchronous_node_count: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe("bootstrap.dcs.synchronous_node_count (default 1): how many synchronous standbys Patroni keeps (with quorum: how many must confirm a commit)."),
    postgresql_parameters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default(() => ({}))
      .describe("bootstrap.dcs.postgresql.parameters: PostgreSQL settings (string, number or boolean values)."),
  })
  .prefault({})
  .describe("Patroni's bootstrap.dcs settings. Defaults are fast timings for a lab.");

/** synchronous_mode as pgchaos reads the `patroni:` block: true is "on", false "off". */
export type SynchronousModeSetting = "off" | "on" | "quorum";

/** Patroni's DCS settings as a lab starts them (the parsed `patroni:` block). */
export type DcsSettings = z.output<typeof patroniSettings>;

/** The settings a scenario gets when it says nothing: fast lab timings (ttl 10 / loop_wait 2 / retry_timeout 4). */
export const defaultDcsSettings = (): DcsSettings => patroniSettings.parse(undefined);
