import { parseDocument } from "yaml";
import type { Fault, FaultContext } from "../fault.js";
import type { Lab } from "../../lab/lab-api.js";
import { PATRONI_CONFIG_PATH, PATRONI_REST_PORT } from "../../lab/patroni-config.js";
import { dcsPrefix, etcdHttp, patroniRest } from "../../lab/lab-clients.js";
import { signalService } from "../shared/process-control.js";
import { sleep } from "../../util/time.js";
import { errorText } from "../../util/errors.js";

/** How long the member key may take to show the new api_url (a loop_wait or a Patroni restart). */
const APPLY_TIMEOUT_MS = 60_000;

/**
 * patroni.yml text with `restapi.connect_address` set to `address`; everything else (order,
 * comments, other keys) is kept as it was.
 */
export function withConnectAddress(configYaml: string, address: string): string {
  const doc = parseDocument(configYaml);
  if (doc.errors.length) throw new Error(`patroni.yml does not parse: ${doc.errors[0].message}`);
  doc.setIn(["restapi", "connect_address"], address);
  return doc.toString();
}

/** The api_url Patroni publishes in its member key for a connect_address (api.py: uri(protocol, address, 'patroni')). */
/** The api_url Patroni advertises for a connect_address: https when its REST API has a certificate (topology.security.tls). */
export const apiUrlFor = (address: string, https = false) => `${https ? "https" : "http"}://${address}/patroni`;

/**
 * Incident 4: one node's advertised REST address (`restapi.connect_address`, published as
 * `api_url` in its member key) reaches another node's REST API — what a VIP moved to another
 * host leaves behind. The node itself keeps running normally; whoever asks the DCS for its
 * API (the leader before a switchover, patronictl, failsafe) talks to `pointsTo` instead.
 *
 * inject rewrites that one key of /etc/patroni/patroni.yml in the target's container, then
 * - live: true  — POST /reload: the running Patroni publishes the new api_url on its next loop;
 * - live: false — restarts Patroni (SIGTERM; the container's supervisor starts it again) so
 *   it comes up with the address as if it had been configured that way from the start.
 *   Patroni stops its PostgreSQL on the way down: on the leader that is a leader change, so
 *   target a replica, or set the address at creation with `nodes: { pgN: { patroni_config:
 *   { restapi: { connect_address: ... } } } }` instead.
 * Both wait until the member key in etcd carries the new api_url. heal writes the original
 * file back and applies it the same way, then waits for the member's own api_url again.
 */
export class ConnectAddress implements Fault {
  readonly type = "connect-address";
  private original?: string;

  constructor(
    readonly targets: string[],
    private readonly pointsTo: string,
    private readonly live: boolean,
  ) {
    if (targets.length !== 1) throw new Error(`connect-address takes exactly one target, got ${targets.length}`);
  }

  private get node() {
    return this.targets[0];
  }

  async inject(ctx: FaultContext) {
    const node = this.node;
    const text = (await ctx.lab.exec(node, ["cat", PATRONI_CONFIG_PATH])).stdout;
    // A second inject of the same instance must not take the wrong file for the original.
    this.original ??= text;
    const address = `${this.pointsTo}:${PATRONI_REST_PORT}`;
    await writeConfig(ctx.lab, node, withConnectAddress(this.original, address));
    await this.apply(ctx);
    const ms = await waitForApiUrl(ctx, node, apiUrlFor(address, !!ctx.lab.tls));
    ctx.log(
      `${node}: restapi.connect_address = ${address} (${this.live ? "reloaded" : "Patroni restarted"}); ` +
        `its member key advertises ${apiUrlFor(address, !!ctx.lab.tls)} after ${(ms / 1000).toFixed(1)} s`,
    );
  }

  async heal(ctx: FaultContext, _target: string) {
    if (this.original === undefined) return;
    const node = this.node;
    const own = restapiAddressOf(this.original) ?? `${node}:${PATRONI_REST_PORT}`;
    await writeConfig(ctx.lab, node, this.original);
    await this.apply(ctx);
    const ms = await waitForApiUrl(ctx, node, apiUrlFor(own, !!ctx.lab.tls));
    this.original = undefined;
    ctx.log(`${node}: restapi.connect_address restored to ${own}; member key shows it after ${(ms / 1000).toFixed(1)} s`);
  }

  private async apply(ctx: FaultContext) {
    if (this.live) {
      const r = await patroniRest(ctx.lab, this.node).post("/reload", {}, 15_000);
      if (r.status >= 300) throw new Error(`${this.node}: POST /reload answered ${r.status} ${r.text.slice(0, 200)}`);
    } else {
      await signalService(ctx.lab, this.node, "patroni", "TERM");
    }
  }
}

/** restapi.connect_address of a patroni.yml text, if set. */
export function restapiAddressOf(configYaml: string): string | undefined {
  const v = parseDocument(configYaml).getIn(["restapi", "connect_address"]);
  return typeof v === "string" ? v : undefined;
}

/** Replace the config file atomically (write a sibling, rename), readable by Patroni (0644). */
async function writeConfig(lab: Lab, node: string, text: string) {
  const b64 = Buffer.from(text, "utf8").toString("base64");
  const tmp = `${PATRONI_CONFIG_PATH}.pgchaos-new`;
  await lab.exec(node, ["sh", "-ec", `echo '${b64}' | base64 -d > ${tmp}\nchmod 0644 ${tmp}\nmv -f ${tmp} ${PATRONI_CONFIG_PATH}`]);
}

/** Polls the node's member key (through any etcd member) until its api_url is `url`; returns the wait in ms. */
async function waitForApiUrl(ctx: FaultContext, node: string, url: string): Promise<number> {
  const t0 = Date.now();
  const key = `${dcsPrefix(ctx.lab)}members/${node}`;
  let seen = "no answer";
  while (Date.now() - t0 < APPLY_TIMEOUT_MS) {
    for (const e of ctx.lab.etcdNodes()) {
      try {
        const kvs = await etcdHttp(ctx.lab, e.name).range(key, { timeoutMs: 1500 });
        const kv = kvs.find((k) => k.key === key);
        if (!kv) {
          seen = "member key absent";
          break;
        }
        const api = (JSON.parse(kv.value) as { api_url?: string }).api_url;
        if (api === url) return Date.now() - t0;
        seen = `api_url ${api}`;
        break;
      } catch (err) {
        seen = errorText(err);
      }
    }
    await sleep(300);
  }
  throw new Error(`${node}: member key does not advertise ${url} after ${APPLY_TIMEOUT_MS / 1000} s (last seen: ${seen})`);
}
