import { readFileSync } from "node:fs";

/**
 * /proc/PID/stat's fields indexed as proc(5) numbers them (f[1] the pid, f[2] the command, f[14]
 * utime ...), or undefined off Linux or once the process is gone. The command may hold spaces
 * and parentheses, so the fields after it are counted from its last ")".
 */
export function procStat(pid: number | "self"): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    return ["", stat.slice(0, open).trim(), stat.slice(open + 1, close), ...stat.slice(close + 2).trim().split(" ")];
  } catch {
    return undefined;
  }
}
