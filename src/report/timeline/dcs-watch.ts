/**
 * What the etcd3 watch (recorder/dcs-watch-recorder.ts) saw happen to the cluster's keys, by
 * revision: the leader key's holder (absent stretches grey, every put and delete a tick with its
 * revision), one band per member key (its role and state; deleted stretches grey), the other
 * keys (failsafe, config, failover, history, ...) as marks, and leased keys deleted together
 * (a lease expiring takes all its keys at once) as one mark. Reads "dcs-watch" and
 * "dcs-watch-status" events and the faults that reached the pinned member. Drawn only when the
 * run recorded dcs-watch events. 16 px title, 27 px leader key, 18 px per member key, 27 px
 * other keys, 18 px for the watch's own trouble when it had any, 3 px below.
 *
 * Frequent puts are aggregated, not drawn one by one: the leader rewrites `status` (its WAL
 * position) and every node rewrites its member key (xlog) on every HA loop, so hundreds of
 * them would paint a solid comb that says nothing. A member key's puts with the same role and
 * state are one band (its tooltip counts them and gives their revisions); `status` puts are
 * only counted in the title.
 */
import type { DcsWatchEvent, DcsWatchStatus, TeardownEvent } from "../../history/events.js";
import type { Run } from "../html-data.js";
import { attrs, esc, n1, naturalCompare, truncate } from "../html-util.js";
import { formatT } from "../text.js";
import { type Canvas, type LaneModule, L, PW, span, title } from "./canvas.js";
import { stepRuns } from "./bands.js";
import { deleteBursts, revisionResets, streamOutages } from "../dcs-watch-facts.js";

const BAND_H = 12;
/** Room for revision labels above the leader key's band and the other keys' marks. */
const LABEL_H = 9;
const VALUE_CHARS = 120;

const ABSENT = "(absent)";
/** Before the watch saw the key change (it reports changes, not the state it started in). */
const UNSEEN = "(not seen yet)";

/** Values made safe for a tooltip: a connection string's password never shown, long ones cut. */
export function shownValue(v: string | undefined): string {
  if (v === undefined) return "";
  const safe = v
    .replace(/("password"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"***"')
    .replace(/(password\s*=\s*)('[^']*'|"[^"]*"|[^\s&;,"'}]+)/gi, "$1***")
    .replace(/(:\/\/[^:/@\s]+:)[^@/\s]+@/g, "$1***@");
  return truncate(safe, VALUE_CHARS);
}

export interface WatchRecord {
  /** The etcd member(s) the watch was pinned to (one per run). */
  members: string[];
  events: DcsWatchEvent[];
  status: DcsWatchStatus[];
  /** Puts of `status` (counted, not drawn). */
  statusPuts: number;
  /** When the watch stopped: the recorder stops before the lab's teardown starts (else the end of the domain). */
  end: number;
}

export function watchRecord(c: Pick<Canvas, "r" | "t1">): WatchRecord | undefined {
  const events = c.r.events.filter((e): e is DcsWatchEvent => e.kind === "dcs-watch").sort((a, b) => a.t - b.t || a.modRevision - b.modRevision);
  if (!events.length) return undefined;
  const status = c.r.events.filter((e): e is DcsWatchStatus => e.kind === "dcs-watch-status").sort((a, b) => a.t - b.t);
  const members = [...new Set([...status, ...events].map((e) => e.member))];
  const teardown = c.r.events.find((e): e is TeardownEvent => e.kind === "teardown");
  const end = Math.min(c.t1, teardown ? teardown.t - teardown.durationMs : c.t1);
  return { members, events, status, statusPuts: events.filter((e) => e.key === "status").length, end };
}

/** A key's value as a band: "(absent)" after a delete; before its first change, what the first delete says it held. */
function keyRuns<V>(evs: readonly DcsWatchEvent[], from: number, end: number, valueOf: (e: DcsWatchEvent) => V, prevOf: (e: DcsWatchEvent) => V, absent: V, unseen: V): Run<V>[] {
  const points: { t: number; value: V }[] = [];
  if (evs.length && evs[0].t > from) points.push({ t: from, value: evs[0].type === "delete" && evs[0].previous !== undefined ? prevOf(evs[0]) : unseen });
  for (const e of evs) points.push({ t: e.t, value: e.type === "delete" ? absent : valueOf(e) });
  return stepRuns(points, end);
}

const ROLE_CLASS: Record<string, string> = { master: "primary", primary: "primary", replica: "replica", standby_leader: "standby-leader", demoted: "demoted" };
/** A member key's value without its WAL position: what changes rarely (role and state). */
const roleState = (v: string | undefined) => (v ?? "").replace(/\s*\bxlog \d+.*$/, "").replace(/\s*\btl \d+$/, "") || "?";

export const dcsWatchLane: LaneModule = {
  name: "dcs-watch",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const rec = watchRecord(c);
  if (!rec) return;
  const { x, w } = c;
  const { events, status, members, end } = rec;
  const since = status.find((s) => s.state === "connected")?.t ?? events[0].t;
  const pinned = members.join(", ");
  const tick = (e: DcsWatchEvent) =>
    `${e.key} ${e.type} at revision ${e.modRevision}${e.lease ? " (leased)" : ""}, ${formatT(e.t)}` +
    (e.type === "put" ? `\nvalue: ${shownValue(e.value)}` : e.previous !== undefined ? `\nprevious value: ${shownValue(e.previous)}` : "");
  const markAttrs = (e: DcsWatchEvent, cls: string) => attrs({ class: cls, "data-key": e.key, "data-type": e.type, "data-revision": e.modRevision, "data-t": e.t });

  // The watch's own trouble: stream broken or failed, the pinned member faulted, the store's revision going back.
  const down = streamOutages(status, end).map((o) => ({
    ...o,
    tip: `watch ${o.state === "error" ? "failed" : "stream broken"} on ${o.member}${o.revision ? ` after revision ${o.revision}` : ""}${o.details.map((d) => `\n${d}`).join("")}`,
  }));
  const resets = revisionResets(status, events);
  // After the store went back, a resumed watch waits for the revision after its last one: blind
  // until the new store reaches it (or to the end when no event came).
  const blind = resets.map((r) => ({ ...r, until: events.find((e) => e.t > r.t)?.t ?? rec.end }));
  const keysEnd = blind.find((b) => b.until === rec.end)?.t ?? rec.end;
  const faulted = c.r.faults.filter((f) => members.some((m) => f.targets.includes(m)));
  const revs = events.map((e) => e.modRevision);
  const problems: string[] = [];
  if (down.length) problems.push(`stream broken ${down.length}×`);
  if (faulted.length) problems.push(`${pinned} faulted: ${faulted.map((f) => f.type).join(", ")}`);
  if (resets.length) problems.push(`revision went back ${resets.map((r) => `${r.from}→${r.to}`).join(", ")}`);

  const g: string[] = [`<g${attrs({ class: "lane-group dcs-watch", id: "lanes-dcs-watch", "data-member": pinned })}>`];
  g.push(
    `<text class="chart-title lane-legend" x="${L + 4}" y="${c.y + 11}">etcd3 watch on ${esc(pinned)} (every key change), revisions ${Math.min(...revs)}–${Math.max(...revs)} · ` +
      `<tspan class="c-alert">| delete</tspan> · | put · ${rec.statusPuts} status puts not drawn` +
      (problems.length ? ` · <tspan class="c-alert">⚠ ${esc(problems.join("; "))}</tspan>` : "") +
      `${title(
        `The cluster's keys as one etcd3 watch on ${pinned} saw them (every put and delete, in revision order; it resumes from its last revision after a broken stream).\n` +
          `Member keys are rewritten every HA loop (WAL position): puts with the same role and state are one band.\n` +
          `The leader rewrites /status (its optime) every HA loop: ${rec.statusPuts} puts, counted here and not drawn.`,
      )}</text>`,
  );
  c.y += 16;
  const rowLabel = (ly: number, text: string, tip?: string) =>
    `<text class="lane-label small" x="${L - 10}" y="${ly + 10.5}" text-anchor="end">${esc(text)}${tip ? title(tip) : ""}</text>`;
  const band = (ly: number, run: Run<string>, cls: string, text: string, tip: string, key: string, fill?: string) =>
    `<g${attrs({ class: `watch-run ${cls}`, "data-key": key, "data-value": run.value, "data-from": run.from, "data-to": run.to })}>` +
    `<rect x="${n1(x(run.from))}" y="${ly}" width="${n1(w(run.from, run.to))}" height="${BAND_H}"${fill ? ` fill="${fill}"` : ""}/>` +
    (w(run.from, run.to) > text.length * 6 + 8 ? `<text x="${n1(x(run.from) + 4)}" y="${ly + 9.5}">${esc(text)}</text>` : "") +
    title(`${tip}\n${span(run.from, run.to)}`) +
    `</g>`;
  /** Labels above marks, skipped where they would overlap the previous one. */
  const labeller = () => {
    let end = -Infinity;
    return (xx: number, ly: number, text: string, cls: string) => {
      const width = text.length * 5 + 3;
      if (xx - width / 2 < end) return "";
      end = xx + width / 2;
      return `<text class="watch-rev ${cls}" x="${n1(xx)}" y="${ly - 2}" text-anchor="middle">${esc(text)}</text>`;
    };
  };

  // ---- the watch itself, when it had trouble ----
  if (down.length || faulted.length || resets.length) {
    const ly = c.y;
    g.push(`<g class="lane dcs-watch watch-stream">`, rowLabel(ly, `watch ${pinned}`, `the watch's own connection to ${pinned}`));
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="${BAND_H}"/>`);
    for (const f of faulted) {
      const to = f.healedAt ?? c.t1;
      g.push(
        `<rect${attrs({ class: "watch-faulted", "data-fault": f.id, "data-from": f.injectedAt, "data-to": to })} x="${n1(x(f.injectedAt))}" y="${ly + BAND_H - 3}" width="${n1(w(f.injectedAt, to))}" height="4">` +
          title(`${f.type} (${f.id}) reached ${f.targets.filter((t) => members.includes(t)).join(", ")}, the watch's member: its events stall there and resume with what it missed\n${span(f.injectedAt, to)}`) +
          `</rect>`,
      );
    }
    for (const d of down)
      g.push(
        `<rect${attrs({ class: `watch-down watch-${d.state}`, "data-from": d.from, "data-to": d.to })} x="${n1(x(d.from))}" y="${ly + 2}" width="${n1(w(d.from, d.to))}" height="${BAND_H - 4}">` +
          title(`${d.tip}\n${span(d.from, d.to)}`) +
          `</rect>`,
      );
    for (const b of blind)
      g.push(
        `<rect${attrs({ class: "watch-blind", "data-from": b.t, "data-to": b.until })} x="${n1(x(b.t))}" y="${ly + 2}" width="${n1(w(b.t, b.until))}" height="${BAND_H - 4}">` +
          title(`blind: the store went back to revision ${b.to}; the resumed watch waits for revision ${b.from + 1} and sees no change before it${b.until === end ? " (none came before the watch stopped)" : ""}\n${span(b.t, b.until)}`) +
          `</rect>`,
      );
    for (const r of resets)
      g.push(
        `<g${attrs({ class: "watch-reset", "data-t": r.t, "data-from-revision": r.from, "data-to-revision": r.to })}><path d="M${n1(x(r.t))} ${ly}l4 6-4 6-4-6z"/>` +
          `<text x="${n1(x(r.t) + 6)}" y="${ly + 9.5}">r${r.from}→${r.to}</text>` +
          title(`revision went back from ${r.from} to ${r.to} at ${formatT(r.t)}: the etcd store the watch reads was replaced (rebuilt or restored)`) +
          `</g>`,
      );
    g.push(`</g>`);
    c.y += BAND_H + 6;
  }

  // ---- the leader key ----
  const leaderEvents = events.filter((e) => e.key === "leader");
  {
    c.y += LABEL_H;
    const ly = c.y;
    const runs = leaderEvents.length
      ? keyRuns(leaderEvents, since, keysEnd, (e) => e.value ?? "?", (e) => e.previous ?? "?", ABSENT, UNSEEN)
      : [{ value: UNSEEN, from: since, to: keysEnd, first: 0, last: -1 }];
    g.push(`<g${attrs({ class: "lane dcs-watch watch-leader", "data-key": "leader" })}>`, rowLabel(ly, "leader key (watch)"));
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="${BAND_H}"/>`);
    for (const run of runs) {
      const cls = run.value === ABSENT ? "watch-absent" : run.value === UNSEEN ? "watch-unseen" : "watch-holder";
      const tip =
        run.value === ABSENT
          ? "leader key absent: no leader"
          : run.value === UNSEEN
            ? leaderEvents.length
              ? `the watch started at ${formatT(since)}; it saw the leader key change only at ${formatT(run.to)}`
              : "the watch saw no put or delete of the leader key (it reports changes, not the state it started in)"
            : `leader key held by ${run.value}${run.first === 0 && leaderEvents[0]?.type === "delete" ? " (from the first delete's previous value)" : ""}`;
      g.push(band(ly, run, cls, run.value === UNSEEN ? (leaderEvents.length ? "" : "no change seen") : run.value, tip, "leader", cls === "watch-holder" ? c.colorOf(run.value) : undefined));
    }
    const label = labeller();
    for (const e of leaderEvents) {
      const ex = n1(x(e.t));
      g.push(
        `<g${markAttrs(e, `watch-tick ${e.type}`)}><line x1="${ex}" x2="${ex}" y1="${ly - 2}" y2="${ly + BAND_H + 2}"/>${label(x(e.t), ly, String(e.modRevision), e.type)}${title(tick(e))}</g>`,
      );
    }
    g.push(`</g>`);
    c.y += BAND_H + 6;
  }

  // ---- member keys ----
  const memberKeys = [...new Set(events.filter((e) => e.key.startsWith("members/")).map((e) => e.key))].sort(naturalCompare);
  for (const key of memberKeys) {
    const ly = c.y;
    const evs = events.filter((e) => e.key === key);
    const runs = keyRuns(evs, since, keysEnd, (e) => roleState(e.value), (e) => roleState(e.previous), ABSENT, UNSEEN);
    g.push(`<g${attrs({ class: "lane dcs-watch watch-member", "data-key": key })}>`, rowLabel(ly, key));
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="${BAND_H}"/>`);
    for (const run of runs) {
      if (run.value === UNSEEN) continue;
      if (run.value === ABSENT) {
        g.push(band(ly, run, "watch-absent", "deleted", `${key} absent (deleted)`, key));
        continue;
      }
      const puts = evs.filter((e) => e.type === "put" && e.t >= run.from && (e.t < run.to || run === runs[runs.length - 1]));
      const role = ROLE_CLASS[run.value.split(" ")[0]] ?? "unknown";
      const tip = puts.length
        ? `${key}: ${run.value} — ${puts.length} put${puts.length === 1 ? "" : "s"}, revisions ${puts[0].modRevision}–${puts[puts.length - 1].modRevision} (rewritten every HA loop with the WAL position)\nlast value: ${shownValue(puts[puts.length - 1].value)}`
        : `${key}: ${run.value} (the value its first delete removed)`;
      g.push(band(ly, run, `watch-role role-${role}`, run.value, tip, key));
    }
    for (const e of evs.filter((e) => e.type === "delete")) {
      const ex = n1(x(e.t));
      g.push(`<g${markAttrs(e, "watch-tick delete")}><line x1="${ex}" x2="${ex}" y1="${ly - 1}" y2="${ly + BAND_H + 1}"/>${title(tick(e))}</g>`);
    }
    g.push(`</g>`);
    c.y += BAND_H + 6;
  }

  // ---- other keys (status only counted) and leased keys deleted together ----
  const others = events.filter((e) => e.key !== "leader" && e.key !== "status" && !e.key.startsWith("members/"));
  const bursts = deleteBursts(events);
  if (others.length || bursts.length) {
    c.y += LABEL_H;
    const ly = c.y;
    const keys = [...new Set(others.map((e) => e.key))].sort(naturalCompare);
    g.push(`<g class="lane dcs-watch watch-other">`, rowLabel(ly, "other keys", `${keys.join(", ")}${bursts.length ? "; leased keys deleted together" : ""}`));
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="${BAND_H}"/>`);
    const label = labeller();
    for (const b of bursts) {
      const from = b[0].t;
      const to = Math.max(...b.map((e) => e.t));
      const revsB = b.map((e) => e.modRevision);
      const text = `${b.length} keys deleted r${Math.min(...revsB)}–${Math.max(...revsB)}`;
      g.push(
        `<g${attrs({ class: "watch-burst", "data-count": b.length, "data-from-revision": Math.min(...revsB), "data-to-revision": Math.max(...revsB), "data-t": from })}>` +
          `<rect x="${n1(x(from) - 3)}" y="${ly}" width="${n1(Math.max(6, x(to) - x(from) + 6))}" height="${BAND_H}"/>` +
          label(x(from), ly, text, "burst") +
          title(
            `${b.length} leased keys deleted within ${to - from} ms (revisions ${Math.min(...revsB)}–${Math.max(...revsB)}), as when their leases expire or are revoked:\n` +
              b.map((e) => `  ${e.key} (r${e.modRevision}${e.previous !== undefined ? `, was ${shownValue(e.previous)}` : ""})`).join("\n"),
          ) +
          `</g>`,
      );
    }
    for (const e of others) {
      const ex = x(e.t);
      g.push(
        `<g${markAttrs(e, `watch-key-mark ${e.type} key-${e.key.replace(/[^a-z0-9_-]/gi, "_")}`)}><path d="M${n1(ex)} ${ly}l4 6-4 6-4-6z"/>${label(ex, ly, e.key, "key")}${title(tick(e))}</g>`,
      );
    }
    g.push(`</g>`);
    c.y += BAND_H + 6;
  }
  g.push(`</g>`);
  c.body.push(g.join(""));
  c.y += 3;
}
