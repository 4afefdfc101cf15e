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
    synchronous_mode: z.boolean().default(false).describe("bootstrap.dcs.synchronous_mode (default false)."),
    postgresql_parameters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default(() => ({}))
      .describe("bootstrap.dcs.postgresql.parameters: PostgreSQL settings (string, number or boolean values)."),
  })
  .prefault({})
  .describe("Patroni's bootstrap.dcs settings. Defaults are fast timings for a lab.");

/** Patroni's DCS settings as a lab starts them (the parsed `patroni:` block). */
export type DcsSettings = z.output<typeof patroniSettings>;

/** The settings a scenario gets when it says nothing: fast lab timings (ttl 10 / loop_wait 2 / retry_timeout 4). */
export const defaultDcsSettings = (): DcsSettings => patroniSettings.parse(undefined);
