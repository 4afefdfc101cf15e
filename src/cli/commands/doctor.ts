import { readFile } from "node:fs/promises";
import { diagnose, runDoctor, type DoctorReport, type DoctorTarget, type Snapshot } from "../../doctor/index.js";
import { identityMap, parseResolve } from "../../doctor/resolve.js";
import { labTargetFromDocker } from "../../doctor/lab-target.js";
import { doctorJson, formatDoctor } from "../../doctor/format.js";
import { DoctorInputError } from "../../doctor/gather.js";
import { parseDuration } from "../../scenario/units.js";
import { ensureEngine } from "../../engine/docker-engine.js";
import { stderrProgress } from "../../util/progress.js";
import { UserFacingError, errorText } from "../../util/errors.js";
import { AccessError, resolveAccess, type AccessFlags } from "../../doctor/access.js";

export interface DoctorOptions {
  etcd?: string;
  scope?: string;
  namespace?: string;
  patroni?: string;
  resolve: string[];
  json: boolean;
  /** Include every raw answer (the snapshot) in --json output; `--replay` reads it back. */
  snapshot: boolean;
  /** A pgchaos lab: its run id, or "" for the only one running. */
  lab?: string;
  timeout?: string;
  /** Run the checks on a saved snapshot (JSON from --json --snapshot) instead of a live cluster. */
  replay?: string;
  /** TLS and credentials for etcd and Patroni's REST API (files and environment). */
  access?: AccessFlags;
}

function urls(list: string, what: string): string[] {
  const out = list.split(",").map((s) => s.trim()).filter(Boolean);
  for (const u of out) {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(u).protocol);
    } catch {
      /* handled below */
    }
    if (!ok) throw new UserFacingError(`${what}: '${u}' is not an http(s) URL (e.g. http://10.0.0.1:2379)`);
  }
  return out;
}

/** `pgchaos doctor`: prints the table (or JSON) and returns the exit code (0 clean, 1 findings, 2 bad input/unreachable). */
export async function doctorCommand(o: DoctorOptions, out: (s: string) => void): Promise<number> {
  let report: DoctorReport;
  if (o.replay) {
    let data: { snapshot?: Snapshot; version?: number };
    try {
      data = JSON.parse(await readFile(o.replay, "utf8"));
    } catch (e) {
      throw new UserFacingError(`--replay ${o.replay}: ${errorText(e)}`);
    }
    const snap = data.version === 1 ? (data as Snapshot) : data.snapshot;
    if (!snap || snap.version !== 1) throw new UserFacingError(`--replay ${o.replay}: no doctor snapshot in it (save one with --json --snapshot)`);
    report = diagnose(snap);
  } else {
    let timeoutMs: number | undefined;
    if (o.timeout !== undefined) {
      try {
        timeoutMs = parseDuration(o.timeout);
      } catch (e) {
        throw new UserFacingError(`--timeout: ${errorText(e)}`);
      }
      if (timeoutMs < 100) throw new UserFacingError("--timeout must be at least 100ms");
    }
    let target: DoctorTarget;
    try {
      if (o.lab !== undefined) {
        // The engine found the way every other command finds it (contexts, rootless and Desktop sockets).
        target = await labTargetFromDocker(o.lab || undefined, await ensureEngine(stderrProgress));
        if (o.etcd) target.etcd = urls(o.etcd, "--etcd");
        if (o.scope) target.scope = o.scope;
      } else {
        if (!o.etcd) throw new UserFacingError("pgchaos doctor: give --etcd http://host:2379[,...] (or --lab for a pgchaos lab)");
        target = { etcd: urls(o.etcd, "--etcd"), scope: o.scope, namespace: o.namespace, map: identityMap };
      }
      if (o.resolve.length) {
        let extra;
        try {
          extra = parseResolve(o.resolve);
        } catch (e) {
          throw new UserFacingError(errorText(e));
        }
        const base = target.map;
        target.map = {
          route: (h, p) => {
            const r = extra.route(h, p);
            return r.mapped ? r : base.route(h, p);
          },
          addressOf: (h) => extra.addressOf(h) ?? base.addressOf(h),
        };
      }
      if (o.patroni) target.patroni = urls(o.patroni, "--patroni");
      if (o.namespace && o.lab !== undefined) target.namespace = o.namespace;
      if (timeoutMs) target.timeoutMs = timeoutMs;
      if (o.access) Object.assign(target, await resolveAccess(o.access));
    } catch (e) {
      if (e instanceof DoctorInputError || e instanceof AccessError) throw new UserFacingError(`pgchaos doctor: ${e.message}`);
      throw e;
    }
    report = await runDoctor(target);
  }
  out(o.json ? doctorJson(report, o.snapshot) : formatDoctor(report));
  return report.exitCode;
}
