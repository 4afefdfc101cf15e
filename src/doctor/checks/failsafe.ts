import type { Finding, Snapshot } from "../model.js";
import { identify } from "./identity.js";

/** A member reports failsafe_mode_is_active: its leader runs without the DCS right now (needs failsafe_mode on). */
export function failsafeCheck(s: Snapshot): Finding[] {
  const ids = identify(s);
  return s.members
    .filter((m) => !ids.get(m.name)?.wrong && ids.get(m.name)?.body?.failsafe_mode_is_active === true)
    .map((m) => ({
      code: "failsafe-active" as const,
      severity: "warning" as const,
      subject: m.name,
      message: `${m.name} reports failsafe_mode_is_active: the primary keeps running only because every member answered its POST /failsafe; the DCS is not usable for it`,
    }));
}
