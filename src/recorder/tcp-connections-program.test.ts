import { spawnSync } from "node:child_process";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { TCP_CONNECTIONS_PY } from "./tcp-connections-program.js";
import { parseConnections } from "./dcs-endpoint-sampler.js";

/** python3 on this machine (no Docker: the program runs against this host's own sockets). */
const python = spawnSync("python3", ["-c", "print(1)"], { encoding: "utf8" }).status === 0;

/** Runs Python code with the program's functions defined (its stdin loop sees no line). */
function withProgram(code: string): string {
  const prelude = `import io, sys\nsys.argv = ["tcp", "1"]\nsys.stdin = io.StringIO("")\nexec(compile(${JSON.stringify(TCP_CONNECTIONS_PY)}, "tcp", "exec"))\n`;
  const r = spawnSync("python3", ["-c", prelude + code], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe.skipIf(!python)("the connections program (python3 on this host)", () => {
  it("reads struct tcp_info by its length: a field is there only when the kernel's struct holds it", () => {
    // A struct tcp_info whose fields hold their own offsets, cut at the lengths older kernels send.
    const out = withProgram(`
import json, struct
buf = bytearray(300)
for name, at, fmt in TCPI:
    struct.pack_into("=" + fmt, buf, at, at)
struct.pack_into("=III", buf, 44, 1111, 0, 2222)
print(json.dumps([tcp_info(bytes(buf), 0, n) for n in (40, 56, 104, 160, 216, 232, 300)]))
`);
    const [l40, l56, l104, l160, l216, l232, l300] = JSON.parse(out) as [number, number, Record<string, number>][];
    expect(l40).toEqual([0, 0, { retransmits: 2, backoff: 4, unacked: 24, retrans: 36 }]);
    expect(l56[0]).toBe(1111);
    expect(l56[1]).toBe(2222);
    expect(Object.keys(l104[2])).toEqual(["retransmits", "backoff", "unacked", "retrans", "total_retrans"]);
    expect(l160[2]).toMatchObject({ total_retrans: 100, bytes_acked: 120, bytes_received: 128, notsent_bytes: 144, data_segs_out: 156 });
    expect(l160[2].bytes_sent).toBeUndefined();
    expect(l216[2]).toMatchObject({ bytes_sent: 200, bytes_retrans: 208 }); // 4.19
    expect(l232).toEqual(l216);
    expect(l300).toEqual(l216);
  });

  it("answers with this host's established connection: ports, times and counters", async () => {
    const server = net.createServer((s) => s.on("data", () => s.write("y".repeat(300))));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const client = net.connect(port, "127.0.0.1");
    try {
      await new Promise<void>((r) => client.once("connect", r));
      const got = new Promise<void>((r) => client.once("data", () => r()));
      client.write("x".repeat(1000));
      await got;
      const r = spawnSync("python3", ["-c", TCP_CONNECTIONS_PY, String(port)], { input: "\n", encoding: "utf8" });
      const line = r.stdout.trim();
      if (/"error"/.test(line)) return; // no sock_diag here (a sandbox): nothing to check
      const conns = parseConnections(line).filter((c) => c.localPort === client.localPort);
      expect(conns).toHaveLength(1);
      expect(conns[0]).toMatchObject({ remote: "127.0.0.1", port });
      // A kernel of 4.19 or later (this one: `uname -r`) gives every counter the rule uses.
      expect(conns[0].tcp).toMatchObject({ bytesSent: 1000, bytesRetrans: 0, bytesReceived: 300, totalRetrans: 0, retrans: 0, notsentBytes: 0 });
    } finally {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
