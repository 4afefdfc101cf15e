/**
 * Local sockets for unit tests of code that talks to servers (no Docker): a JSON HTTP server,
 * a server that accepts connections and never answers, and a port nothing listens on. Each is
 * closed when the test file (or describe block) is done.
 */
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";

const listen = async (server: net.Server) => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
};

/** An HTTP server answering every request with `handler`'s JSON; its port. */
export async function jsonServer(handler: (req: http.IncomingMessage) => unknown): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(handler(req)));
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return listen(server);
}

/** A server that accepts connections and never answers: every request to it times out. */
export async function hangingServer(): Promise<number> {
  const hanging: net.Socket[] = [];
  const server = net.createServer((sock) => hanging.push(sock));
  afterAll(async () => {
    for (const s of hanging) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return listen(server);
}

/** A port nothing listens on (one that was free a moment ago): connections are refused at once. */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}
