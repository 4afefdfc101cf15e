import { randomBytes } from "node:crypto";

/** A run id that sorts by start time and is unique: 20261122-031500-a1b2c3. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const d = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const t = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${d}-${t}-${randomBytes(3).toString("hex")}`;
}

/** A password of URL- and YAML-safe characters. */
export function newSecret(bytes = 18): string {
  return randomBytes(bytes).toString("base64url");
}
