import type { ActionContext, ActionOutcome } from "../kind.js";
import type { Lab } from "../../lab/lab-api.js";
import { patroniRest } from "../../lab/lab-clients.js";
import { PG_DATA_DIR } from "../../lab/patroni-config.js";
import { holdService, mainPidShell } from "../../faults/shared/process-control.js";
import { PATRONI_BESIDE_DIR } from "../../image/upgrade-layer.js";
import { monoMs, sleep } from "../../util/time.js";
import { naturalCompare } from "../../util/natural-order.js";

/**
 * upgrade-patroni: one node's Patroni replaced by another version the image carries, the way an
 * operator upgrades a package: stop the service (SIGTERM, what `systemctl stop patroni` sends),
 * switch the binary, start the service. Patroni documents that on shutdown it stops its
 * PostgreSQL, except in maintenance mode ("When Patroni is stopped, it does not try to stop the
 * Postgres instance it is managing", docs/pause.rst): a scenario that wants PostgreSQL to keep
 * running pauses the cluster around the upgrade. PostgreSQL's binaries and data are untouched.
 *
 * The switch: pgchaos-supervise reads /run/pgchaos/patroni.env before every start; a PATH with
 * /opt/patroni/VERSION/bin first makes `patroni` that version (its launcher keeps the process
 * name `patroni`, so faults find it as before). The image's own version: no env file.
 */
export const PATRONI_ENV_PATH = "/run/pgchaos/patroni.env";
/** How long Patroni may take to stop (it stops PostgreSQL first: a fast shutdown, a checkpoint). */
const STOP_TIMEOUT_MS = 60_000;
/** How long the new Patroni may take to answer with its version (Python start, DCS, PostgreSQL start). */
const START_TIMEOUT_MS = 120_000;

/** The rest of a rolling upgrade: every node not on `to` yet, replicas first, the leader last (as Patroni reports itself now). */
export async function upgradeRemaining(ctx: ActionContext, to: string): Promise<ActionOutcome> {
  const status = await Promise.all(ctx.lab.patroniNodes().map(async (n) => ({ node: n.name, s: (await patroniRest(ctx.lab, n.name).status(2000).catch(() => undefined))?.body })));
  const pending = status.filter((x) => x.s?.patroni?.version !== to).sort((a, b) => Number(isLeader(a.s?.role)) - Number(isLeader(b.s?.role)) || naturalCompare(a.node, b.node));
  if (!pending.length) return { succeeded: true, body: `every Patroni node already runs ${to}` };
  const lines: string[] = [];
  for (const { node } of pending) {
    const r = await upgradePatroni(ctx.lab, node, to);
    lines.push(r.body ?? r.error ?? "");
    if (!r.succeeded) return { succeeded: false, body: lines.join("\n"), error: r.error };
  }
  return { succeeded: true, body: lines.join("\n") };
}

const isLeader = (role: string | undefined) => role === "master" || role === "primary" || role === "standby_leader";

async function sh(lab: Lab, node: string, script: string) {
  return lab.exec(node, ["sh", "-c", script], { check: false });
}

/** Patroni's own answer to GET /patroni: its version and PostgreSQL's state, or undefined while it does not answer. */
async function restStatus(lab: Lab, node: string): Promise<{ version?: string; state?: string } | undefined> {
  const b = (
    await patroniRest(lab, node)
      .status(2000)
      .catch(() => undefined)
  )?.body;
  return b && { version: b.patroni?.version, state: b.state };
}

async function postmasterPid(lab: Lab, node: string): Promise<string> {
  const r = await sh(lab, node, `head -1 ${PG_DATA_DIR}/postmaster.pid 2>/dev/null && kill -0 "$(head -1 ${PG_DATA_DIR}/postmaster.pid)" 2>/dev/null`);
  return r.exitCode === 0 ? r.stdout.trim().split("\n")[0] : "";
}

export async function upgradePatroni(lab: Lab, node: string, to: string): Promise<ActionOutcome> {
  const own = (await sh(lab, node, "/usr/bin/patroni --version")).stdout.trim().replace(/^patroni /, "");
  const binDir = to === own ? undefined : `${PATRONI_BESIDE_DIR}/${to}/bin`;
  if (binDir) {
    const check = await sh(lab, node, `"${binDir}/patroni" --version`);
    if (check.exitCode !== 0 || check.stdout.trim() !== `patroni ${to}`) {
      const have = (await sh(lab, node, `ls ${PATRONI_BESIDE_DIR} 2>/dev/null`)).stdout.trim().split(/\s+/).filter(Boolean);
      return { succeeded: false, error: `${node}: the image has no Patroni ${to} (it has ${[own, ...have].join(", ")})` };
    }
  }
  const before = (await restStatus(lab, node))?.version ?? "not answering";
  const pgBefore = await postmasterPid(lab, node);
  const t0 = monoMs();
  // Held, the supervisor does not start Patroni again before the binary is switched.
  await holdService(lab, node, "patroni", true);
  try {
    await sh(lab, node, `pid=$(${mainPidShell("patroni")}); [ -z "$pid" ] || kill -TERM "$pid"`);
    for (;;) {
      if ((await sh(lab, node, mainPidShell("patroni"))).stdout.trim() === "") break;
      if (monoMs() - t0 > STOP_TIMEOUT_MS) return { succeeded: false, error: `${node}: Patroni did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM` };
      await sleep(200);
    }
    const switched = await sh(
      lab,
      node,
      binDir ? `printf 'PATH=%s:$PATH\\n' '${binDir}' > ${PATRONI_ENV_PATH}` : `rm -f ${PATRONI_ENV_PATH}`,
    );
    if (switched.exitCode !== 0) return { succeeded: false, error: `${node}: cannot switch Patroni: ${switched.stderr.trim()}` };
  } finally {
    await holdService(lab, node, "patroni", false);
  }
  const stoppedMs = monoMs() - t0;
  let after: { version?: string; state?: string } | undefined;
  let answeredMs: number | undefined;
  while ((after = await restStatus(lab, node))?.version !== to || after?.state !== "running") {
    if (after?.version === to) answeredMs ??= monoMs() - t0;
    if (monoMs() - t0 > START_TIMEOUT_MS) {
      const said = after ? `Patroni ${after.version ?? "?"}, state ${after.state ?? "?"}` : "nothing";
      return { succeeded: false, error: `${node}: Patroni ${to} not answering GET /patroni with state running within ${START_TIMEOUT_MS / 1000} s of the stop (it answers: ${said})` };
    }
    await sleep(250);
  }
  answeredMs ??= monoMs() - t0;
  const pgAfter = await postmasterPid(lab, node);
  const pg =
    pgBefore && pgBefore === pgAfter
      ? `PostgreSQL kept running (postmaster pid ${pgBefore})`
      : `PostgreSQL ${pgBefore ? `stopped with Patroni (postmaster pid ${pgBefore}) and started again` : "was not running before"}${pgAfter ? ` (postmaster pid ${pgAfter})` : ", not running yet"}`;
  return {
    succeeded: true,
    body:
      `${node}: Patroni ${before} -> ${to} (GET /patroni patroni.version); stopped in ${(stoppedMs / 1000).toFixed(1)} s, ` +
      `answering after ${(answeredMs / 1000).toFixed(1)} s, running after ${((monoMs() - t0) / 1000).toFixed(1)} s; ${pg}`,
  };
}
