/** The console's whole stylesheet, served at `/console.css` (CSP `style-src 'self'`: no inline styles). */
export const STYLESHEET = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f7f8fa; --card: #fff; --accent: #2f6fed;
  --ok: #1a7f37; --warn: #b54708; --bad: #c4320a; font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font-size: 14px; line-height: 1.45; }
header { background: #101828; color: #fff; padding: 0 24px; display: flex; align-items: center; gap: 24px; height: 48px; }
header .brand { font-weight: 600; letter-spacing: .02em; }
header nav a { color: #d0d5dd; text-decoration: none; margin-right: 16px; }
header nav a[aria-current="page"], header nav a:hover { color: #fff; }
header form { margin-left: auto; }
main { padding: 20px 24px 48px; max-width: 1280px; }
h1 { font-size: 20px; margin: 4px 0 16px; }
h2 { font-size: 15px; margin: 24px 0 8px; } .card > h2:first-child { margin-top: 0; }
a { color: var(--accent); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-bottom: 16px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #0f1726; color: #e6edf3; padding: 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #eef2f6; }
.badge.delivered, .badge.done, .badge.active, .badge.enabled { background: #dcfae6; color: var(--ok); }
.badge.pending { background: #fef0c7; color: var(--warn); }
.badge.dead, .badge.failed, .badge.revoked, .badge.gone, .badge.disabled { background: #fee4e2; color: var(--bad); }
form.inline { display: inline; }
form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
input, select { font: inherit; padding: 5px 8px; border: 1px solid #d0d5dd; border-radius: 6px; background: #fff; }
button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { border-color: var(--bad); background: #fff; color: var(--bad); }
header button { background: transparent; border-color: #475467; color: #d0d5dd; }
.notice { background: #eff8ff; border: 1px solid #b2ddff; padding: 8px 12px; border-radius: 6px; margin-bottom: 16px; }
.notice.error { background: #fef3f2; border-color: #fecdca; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 16px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.stat .value { font-size: 22px; font-weight: 600; }
.stat .label { color: var(--muted); font-size: 12px; }
.chart { width: 100%; height: auto; display: block; }
.chart .received { fill: #84adff; } .chart .delivered { fill: #32d583; } .chart .dead { fill: #f97066; }
.chart text { fill: var(--muted); font-size: 10px; }
.chart line { stroke: var(--line); }
.legend span { margin-right: 14px; font-size: 12px; } .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
.legend .received { background: #84adff; } .legend .delivered { background: #32d583; } .legend .dead { background: #f97066; }
.pager { margin-top: 12px; display: flex; gap: 12px; }
.login { max-width: 360px; margin: 80px auto; }
.login input { width: 100%; margin: 8px 0 12px; }
.excerpt { max-width: 420px; white-space: pre-wrap; word-break: break-all; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; } dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; }
progress { width: 320px; height: 14px; }
h3 { font-size: 13px; margin: 18px 0 6px; } table.attempts td { font-size: 13px; } table.attempts .excerpt { max-width: 360px; }
`;
