import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/events.js";
import { haproxyRoutingNote } from "./haproxy-routing.js";

const s = (t: number, primary: string[], error?: string): HistoryEvent => ({ kind: "haproxy", t, primary, replicas: [], ...(error ? { error } : {}) });

describe("haproxy routing note", () => {
  it("lists the periods of the primary port, and the time without a server", () => {
    const events = [s(1000, ["pg1"]), s(2000, ["pg1"]), s(2300, []), s(2600, [], "fetch failed"), s(5000, []), s(5300, ["pg2"]), s(9000, ["pg2"])];
    expect(haproxyRoutingNote(events)).toBe(
      "HAProxy primary port (5000) routed to: pg1 +1.0s→+2.3s (1.3 s), none +2.3s→+5.3s (3.0 s), pg2 +5.3s→+9.0s (3.7 s); no server for 3.0 s in all.",
    );
    expect(haproxyRoutingNote([{ kind: "note", t: 0, text: "x" }])).toBeUndefined();
  });
});
