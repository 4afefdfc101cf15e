import type { ActionContext, ActionOutcome } from "../kind.js";
import { type DcsKeyName, dcsKeyPath } from "./params.js";
import { dcsPrefix, etcd3Client } from "../../lab/lab-clients.js";
import { errorText } from "../../util/errors.js";

type DcsStep = { delete?: DcsKeyName; put?: DcsKeyName; member?: { text: string }; value?: string | Record<string, unknown> };

/**
 * `dcs`: deletes or puts one of the cluster's keys through etcd's gRPC API, once (no retry:
 * see clients/etcd-grpc.ts), on the first etcd member that answers. The body says what the key
 * held and the revision of the change, so the record can be matched with the DCS watch's events.
 */
export async function runDcsAction(p: DcsStep, ctx: ActionContext): Promise<ActionOutcome> {
  {
    const rel = dcsKeyPath((p.delete ?? p.put)!, p.member ? ctx.resolve(p.member) : undefined);
    const key = `${dcsPrefix(ctx.lab)}${rel}`;
    const errors: string[] = [];
    for (const member of ctx.lab.etcdNodes().map((n) => n.name)) {
      const client = etcd3Client(ctx.lab, member, { retries: false });
      try {
        if (p.put !== undefined) {
          const value = typeof p.value === "string" ? p.value : JSON.stringify(p.value);
          const r = await client.put(key).value(value).exec();
          return { succeeded: true, body: `put ${rel} (${value.length} bytes) at revision ${r.header.revision} via ${member}` };
        }
        // Only the key as just read: a retry or a slow call never removes a newer holder's key.
        const current = await client.get(key).exec();
        const kv = current.kvs[0];
        if (!kv) return { succeeded: false, error: `${rel} does not exist (revision ${current.header.revision}, via ${member})` };
        const r = await client.if(key, "Mod", "==", kv.mod_revision).then(client.delete().key(key)).commit();
        if (!r.succeeded) return { succeeded: false, error: `${rel} changed between read and delete (was ${kv.value.toString("utf8").slice(0, 80)}, via ${member})` };
        return {
          succeeded: true,
          body: `deleted ${rel} (was ${kv.value.toString("utf8").slice(0, 200)}, mod revision ${kv.mod_revision}) at revision ${r.header.revision} via ${member}`,
        };
      } catch (e) {
        errors.push(`${member}: ${errorText(e)}`);
      } finally {
        client.close();
      }
    }
    return { succeeded: false, error: `no etcd member took the change: ${errors.join("; ")}` };
  }
}
