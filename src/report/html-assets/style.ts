/** The report's stylesheet, inlined into every page (no external fonts or files). */
export const STYLE = `
:root {
  --fg: #1f2430; --muted: #5f6b7a; --faint: #8a94a3; --line: #e3e7ee; --bg: #f6f7f9; --card: #fff;
  --pass: #1f9d55; --fail: #d6336c; --error: #e8590c; --warn: #f59f00;
  --primary: #3559c7; --replica: #a5c4f3; --standby: #7950f2; --demoted: #f59f00; --down: #e03131; --unknown: #ced4da;
  --writable: #2b8a3e; --readonly: #dee2e6; --stream: #74c0fc; --nostream: #f59f00;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1560px; margin: 0 auto; padding: 20px 24px 48px; }
a { color: #1c64c8; }
h1 { font-size: 26px; margin: 0; line-height: 1.2; word-break: break-word; }
h2 { font-size: 17px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; }
.muted { color: var(--muted); }
.small { font-size: 12px; }

/* header */
header.run { display: grid; grid-template-columns: auto 1fr; gap: 18px 24px; align-items: start; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; }
.verdict { border-radius: 10px; padding: 12px 20px; color: #fff; text-align: center; min-width: 150px; }
.verdict .word { font-size: 40px; font-weight: 800; letter-spacing: .04em; line-height: 1; display: block; }
.verdict .sub { font-size: 12px; opacity: .92; display: block; margin-top: 6px; }
.verdict.pass { background: var(--pass); } .verdict.fail { background: var(--fail); } .verdict.error { background: var(--error); } .verdict.known { background: #e8590c; }
.headline { font-size: 15px; margin: 8px 0 0; }
.description { margin: 8px 0 0; color: var(--muted); max-width: 110ch; }
.meta { grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 8px 22px; margin: 0; }
.meta div { min-width: 0; }
.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--faint); }
.meta dd { margin: 1px 0 0; overflow-wrap: anywhere; }
.error-box { grid-column: 1 / -1; background: #fff4e6; border: 1px solid #ffc078; border-radius: 8px; padding: 10px 14px; }

/* checkers */
.checkers { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 14px; }
.checker { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--pass); border-radius: 8px; padding: 12px 16px; min-width: 0; }
.checker.failed { border-left-color: var(--fail); } .checker.unknown { border-left-color: var(--warn); }
.checker .head { display: flex; align-items: center; gap: 10px; }
.checker .summary { margin: 6px 0 8px; font-weight: 600; }
.checker ul { margin: 0; padding-left: 18px; } .checker li { margin: 3px 0; }
.more-evidence { border: 0; padding: 0; margin: 4px 0 0 18px; background: none; } .more-evidence summary { font-weight: 400; color: #1c64c8; font-size: 12.5px; }
.checker .figures { margin-top: 8px; color: var(--faint); font-size: 11.5px; font-family: var(--mono); }
.pill { display: inline-block; font-size: 11.5px; font-weight: 700; padding: 1px 8px; border-radius: 999px; color: #fff; text-transform: uppercase; letter-spacing: .04em; white-space: nowrap; }
.pill.pass, .pill.ok { background: var(--pass); } .pill.fail, .pill.failed { background: var(--fail); } .pill.error, .pill.unknown { background: var(--error); } .pill.known { background: #e8590c; }
.findings pre { background: #fff8f0; border: 1px solid #ffd8a8; border-radius: 8px; padding: 10px 14px; margin-bottom: 10px; }

/* timeline */
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 12px 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: var(--muted); margin: 0 4px 8px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.sw { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
svg.timeline { display: block; width: 100%; height: auto; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
svg.timeline text { font-size: 11px; fill: var(--fg); }
.axis text { fill: var(--muted) !important; font-size: 10.5px !important; }
.axis-unit { font-size: 10px !important; fill: var(--faint) !important; }
.sep { stroke: #e9ecef; stroke-width: 1; }
.chart-bg { fill: #fbfcfd; }
.vgrid { stroke: #eef1f5; stroke-width: 1; }
.hgrid { stroke: #eef1f5; stroke-width: 1; }
.lane-label { font-size: 13px !important; font-weight: 700; }
.lane-label.small { font-size: 11.5px !important; font-weight: 600; }
.lane-sublabel { font-size: 9px !important; fill: var(--faint) !important; }
.lane-bg { fill: #f8f9fb; }
.role { stroke: #fff; stroke-width: .6; }
.role-primary { fill: var(--primary); } .role-replica { fill: var(--replica); } .role-standby-leader { fill: var(--standby); }
.role-demoted { fill: var(--demoted); } .role-down { fill: var(--down); } .role-unknown { fill: url(#hatch); }
.role-text { pointer-events: none; font-size: 10.5px !important; fill: #fff !important; font-weight: 600; opacity: .95; }
.role-text-replica, .role-text-unknown { fill: #1e3a66 !important; }
.timeline-label { font-weight: 800; font-size: 10.5px !important; fill: #fff !important; paint-order: stroke; stroke: rgba(0,0,0,.35); stroke-width: 2px; }
.writability.writable { fill: var(--writable); } .writability.read-only { fill: var(--readonly); } .writability.pg-down { fill: url(#hatch-red); }
.streaming.streaming { fill: var(--stream); } .streaming.not-streaming { fill: var(--nostream); }
.log-mark path { fill: #495057; } .log-mark:hover path { fill: #000; }
.etcd-health.healthy { fill: #8ccf9e; } .etcd-health.unhealthy { fill: #f08c8c; } .etcd-health.unknown { fill: var(--unknown); }
.etcd-leader rect { fill: #2b3a4a; } .etcd-leader path { fill: #ffd43b; stroke: #2b3a4a; stroke-width: .6; }
.dcs-run rect { stroke: #fff; stroke-width: .6; } .dcs-run text { fill: #fff !important; font-weight: 600; pointer-events: none; }
.dcs-no-leader rect { fill: #e9ecef; } .dcs-no-leader text { fill: var(--muted) !important; }
.dcs-unreadable rect { fill: url(#hatch-red); } .dcs-unreadable text { fill: #a61e1e !important; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.unavailability { fill: #ffa8a8; } .unavailability-text { font-size: 9.5px !important; fill: #8c1d1d !important; font-weight: 700; pointer-events: none; }
.unavailability-shade { fill: rgba(224, 49, 49, .08); }
.hatch-bg { fill: #f1f3f5; } .hatch-line { stroke: #ced4da; stroke-width: 3; }
.hatch-red-bg { fill: #fff0f0; } .hatch-red-line { stroke: #ffa8a8; stroke-width: 3; }
.fault-window { fill: rgba(250, 176, 5, .13); }
.fault-window.fault-failed { fill: rgba(224, 49, 49, .10); }
.fault-edge { stroke: #e67700; stroke-width: 1; stroke-dasharray: 4 3; pointer-events: none; }
.fault-label rect { fill: #ffe8b0; stroke: #e67700; stroke-width: .8; } .fault-label text { font-size: 10.5px !important; font-weight: 600; fill: #6b3b00 !important; }
.fault-label.fault-failed rect { fill: #ffe3e3; stroke: #e03131; }
.marker .badge { stroke: #fff; stroke-width: 1.2; }
.marker text { font-size: 9.5px !important; font-weight: 700; fill: #fff !important; pointer-events: none; }
.marker.action text { fill: var(--fg) !important; font-weight: 600; }
.marker.pass .badge, .marker.ok .badge { fill: var(--pass); }
.marker.fail .badge, .marker.failed .badge { fill: var(--fail); }
.marker.error .badge { fill: var(--error); }
.marker.step-fault .badge, .marker.step-heal .badge { fill: #e67700; }
.marker.step-fault.fail .badge, .marker.step-heal.fail .badge, .marker.step-fault.error .badge, .marker.step-heal.error .badge { fill: var(--fail); }
.marker.step-sleep .badge { fill: #868e96; }
.marker.step-action.pass .badge { fill: #1971c2; }
.step-span { stroke: #adb5bd; stroke-width: 2; } .step-start { stroke: #adb5bd; stroke-width: 1.5; }
.marker.fail .step-span, .marker.error .step-span { stroke: #f3a5bd; }
.marker:hover .badge { stroke: #000; }
.marker.note path { fill: #868e96; } .marker.note.warn path { fill: var(--warn); } .marker.note.error path { fill: var(--down); }
.marker.cluster-ready line { stroke: #2b8a3e; stroke-width: 1; stroke-dasharray: 2 3; }
.marker.cluster-ready path { fill: #2b8a3e; } .marker.cluster-ready text { font-size: 9px !important; }
.evidence rect { fill: rgba(224, 49, 49, .18); stroke: #c92a2a; stroke-width: 2.2; } .evidence line { stroke: #c92a2a; stroke-width: 1.5; stroke-dasharray: 3 2; }
.evidence text { fill: #c92a2a !important; font-weight: 800; font-size: 11.5px !important; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.evidence.role-conflict rect { stroke: #e8590c; } .evidence.role-conflict text { fill: #e8590c !important; }
.no-data { font-size: 9.5px !important; fill: var(--faint) !important; font-style: italic; }
.evidence.interleaved rect { fill: rgba(224, 49, 49, .06); stroke-dasharray: 4 2; stroke-width: 1.5; }
.evidence.stopping-claim rect { fill: rgba(134, 142, 150, .10); stroke: #868e96; stroke-dasharray: 4 2; stroke-width: 1.5; } .evidence.stopping-claim text { fill: #868e96 !important; font-weight: 600; }
.chart-title { font-size: 11.5px !important; font-weight: 600; fill: var(--muted) !important; }
.c-ok { fill: var(--pass); } .c-fail { fill: var(--fail); } .c-unknown { fill: var(--warn); }
.ytick { font-size: 9.5px !important; fill: var(--faint) !important; } .ytick-line { stroke: #ced4da; }
.baseline { stroke: #adb5bd; stroke-width: 1; }
.bar.ok { fill: #40c057; } .bar.fail { fill: #f06595; } .bar.unknown { fill: #fab005; }
.bucket:hover rect { filter: brightness(.8); }
.lost-write path { stroke: #c92a2a; stroke-width: 2; }
.latency-dots { fill: none; stroke-linecap: round; stroke-width: 3.4; }
.latency-dots.ok { stroke: rgba(47, 158, 68, .55); } .latency-dots.fail { stroke: rgba(214, 51, 108, .7); } .latency-dots.unknown { stroke: rgba(245, 159, 0, .95); stroke-width: 5; }
.lag-line { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
.lag-line:hover { stroke-width: 3; }
.band rect { fill: #5c7cfa; stroke: #fff; stroke-width: .6; } .band text { fill: #fff !important; font-size: 9.5px !important; font-weight: 700; pointer-events: none; }
.band.cached-none rect { fill: #dee2e6; } .band.cached-none text { fill: var(--muted) !important; }
.band.endpoint-unknown rect, .band.route-unread rect { fill: url(#hatch); } .band.endpoint-unknown text, .band.route-unread text { fill: var(--muted) !important; }
.band.route-none rect { fill: url(#hatch-red); } .band.route-none text { fill: #a61e1e !important; }
.band.route-multi rect { fill: #fff5f5; stroke: #c92a2a; stroke-width: 2; } .band.route-multi text { fill: #a61e1e !important; }
.band-alert { fill: #c92a2a; } .c-alert { fill: #c92a2a; }
.watch-run rect { stroke: #fff; stroke-width: .6; } .watch-run text { fill: #fff !important; font-size: 9.5px !important; font-weight: 700; pointer-events: none; }
.watch-run.role-replica text, .watch-run.role-unknown text { fill: #1e3a66 !important; }
.watch-absent rect { fill: #e9ecef; } .watch-absent text { fill: var(--muted) !important; }
.watch-unseen rect { fill: url(#hatch); opacity: .5; } .watch-unseen text { fill: var(--muted) !important; }
.watch-tick line { stroke: #212529; stroke-width: 1.4; } .watch-tick.delete line { stroke: #c92a2a; stroke-width: 2; }
.watch-tick:hover line { stroke-width: 3; }
.watch-rev { font-size: 8.5px !important; fill: var(--muted) !important; font-weight: 600; } .watch-rev.delete, .watch-rev.burst { fill: #c92a2a !important; }
.watch-key-mark path { fill: #495057; } .watch-key-mark.key-failsafe path { fill: #e67700; } .watch-key-mark.key-config path { fill: #1971c2; }
.watch-key-mark.delete path { fill: #c92a2a; } .watch-key-mark:hover path { stroke: #000; }
.watch-burst rect { fill: rgba(201, 42, 42, .15); stroke: #c92a2a; stroke-width: 1; stroke-dasharray: 3 2; }
.watch-down { fill: url(#hatch-red); stroke: #c92a2a; stroke-width: .8; } .watch-faulted { fill: #e67700; } .watch-blind { fill: url(#hatch); stroke: #c92a2a; stroke-width: .8; stroke-dasharray: 3 2; }
.watch-reset path { fill: #c92a2a; } .watch-reset text { font-size: 9px !important; fill: #a61e1e !important; font-weight: 700; }
.chart-line { fill: none; stroke-width: 1.8; stroke-linejoin: round; } .chart-line.dashed { stroke-dasharray: 6 3; stroke-width: 2.2; }
.chart-line:hover { stroke-width: 3; }
figure.compare { margin: 10px 0 14px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; overflow-x: auto; }
figure.compare figcaption { font-size: 13px; margin-bottom: 4px; }
svg.compare-chart { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
svg.compare-chart text { font-size: 11px; fill: var(--fg); }
.cmp-label { font-weight: 700; } .cmp-sublabel, .cmp-run, .cmp-value { fill: var(--muted) !important; font-size: 10px !important; }
.cmp-bar rect { fill: #4263eb; } .cmp-bar:hover rect { fill: #1c2f8f; } .cmp-bar .zero-mark { fill: #adb5bd; }
.crosshair line { stroke: #343a40; stroke-width: .8; stroke-dasharray: 2 2; pointer-events: none; }
.crosshair rect { fill: #343a40; } .crosshair text { fill: #fff !important; font-size: 10px !important; font-weight: 600; pointer-events: none; }
#tip { position: fixed; z-index: 10; pointer-events: none; max-width: 560px; background: rgba(33, 37, 41, .95); color: #f8f9fa; font: 12px/1.4 var(--mono); white-space: pre-wrap; word-break: break-word; padding: 7px 10px; border-radius: 6px; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: none; }

/* tables */
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 11.5px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); background: #f1f3f5; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.when { white-space: nowrap; font-family: var(--mono); font-size: 12px; color: var(--muted); }
tr.fail td, tr.error td { background: #fff5f7; }
tr:target td { background: #fff3bf; }
svg.timeline a { cursor: pointer; }
details { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; margin-top: 10px; }
details summary { cursor: pointer; font-weight: 600; }
details pre { margin-top: 10px; background: #f8f9fa; padding: 10px; border-radius: 6px; }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
footer { margin-top: 36px; color: var(--faint); font-size: 12px; }
`;
