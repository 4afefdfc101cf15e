/**
 * HAProxy's routing per port: the servers UP in the "primary" backend (port 5000, GET /primary
 * health check) and in the "replicas" backend (port 5001, GET /replica), from the recorder's
 * statistics samples. No server is hatched red (clients cannot connect); two servers on the
 * primary port are outlined red (writes may reach two primaries). 17 px per port.
 */
import type { HaproxySample } from "../../history/events.js";
import { type Run, runsOf } from "../html-data.js";
import { type Canvas, type LaneModule } from "./canvas.js";
import { drawBands } from "./bands.js";

const UNREAD = "?";
const NONE = "none";

/** Runs of the servers UP per port ("none": no server; "?": statistics unreadable). */
export function haproxyRuns(c: Pick<Canvas, "r" | "t1">): { primary: Run<string>[]; replicas: Run<string>[] } {
  const samples = c.r.events.filter((e): e is HaproxySample => e.kind === "haproxy").sort((a, b) => a.t - b.t);
  const key = (servers: string[], s: HaproxySample) => (s.error ? UNREAD : servers.length ? [...servers].sort().join("+") : NONE);
  return { primary: runsOf(samples, (s) => key(s.primary, s), c.t1), replicas: runsOf(samples, (s) => key(s.replicas, s), c.t1) };
}

export const haproxyLanes: LaneModule = {
  name: "haproxy",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const { primary, replicas } = haproxyRuns(c);
  const cls = (port: "primary" | "replicas") => (v: string) =>
    v === UNREAD ? "route-unread" : v === NONE ? "route-none" : port === "primary" && v.includes("+") ? "route-multi" : "route";
  const tip = (port: string, n: number) => (run: Run<string>) =>
    run.value === UNREAD
      ? `HAProxy statistics unreadable`
      : run.value === NONE
        ? `HAProxy ${port} (:${n}): no server UP, clients cannot connect`
        : `HAProxy ${port} (:${n}) routes to ${run.value.split("+").join(", ")}${port === "primary" && run.value.includes("+") ? " (MORE THAN ONE primary server UP)" : ""}`;
  drawBands<string>(
    c,
    {
      cls: "haproxy",
      id: "lanes-haproxy",
      legend:
        `HAProxy routing (servers UP per port; colour: the node) · <tspan class="c-alert">▨ no server</tspan> · ` +
        `<tspan class="c-alert">□ more than one primary</tspan>`,
    },
    [
      {
        label: "HAProxy :5000",
        key: { "data-port": "primary" },
        runs: primary,
        cls: cls("primary"),
        fill: (v) => (v === UNREAD || v === NONE || v.includes("+") ? undefined : c.colorOf(v)),
        text: (v) => v,
        tip: tip("primary", 5000),
      },
      {
        label: "HAProxy :5001",
        key: { "data-port": "replicas" },
        runs: replicas,
        cls: cls("replicas"),
        // Several replicas: the class's neutral fill (no single node's colour).
        fill: (v) => (v === UNREAD || v === NONE || v.includes("+") ? undefined : c.colorOf(v)),
        text: (v) => v.split("+").join(", "),
        tip: tip("replicas", 5001),
      },
    ],
  );
}
