/**
 * The page around a report: one self-contained HTML file that opens
 * offline. Styles are inline; there is no script, font, image or link to
 * load, and the Content-Security-Policy says so, so a name in the report
 * that slipped past escaping still could not run or fetch anything.
 */
import { Html, html } from "./markup";

/** Nothing but the page's own inline styles. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-alt: #f6f8fa; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 auto; padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 12px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p, figcaption { color: var(--muted); }
figure { margin: 8px 0 16px; }
figcaption { font-size: 13px; max-width: 900px; }
svg { max-width: 100%; height: auto; display: block; font-size: 11px; }
svg text { fill: var(--fg); }
svg .grid { stroke: #eaeef2; }
svg .axis { stroke: var(--muted); }
svg .reference { stroke: var(--muted); stroke-dasharray: 2 3; }
svg .tick, svg .value { fill: var(--muted); font-size: 10px; }
svg .axis-label { fill: var(--muted); font-size: 11px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
td.n .note { white-space: normal; }
.table-wrap { overflow-x: auto; max-width: 100%; }
tr.hotspot td { border-bottom: none; }
tr.remedy td { padding-top: 0; }
td.location { min-width: 160px; max-width: 300px; overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 6px 0 12px; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: baseline; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin: 4px 0; }
.legend span { cursor: default; }
.note { font-size: 12px; color: var(--muted); }
`;

/** A whole document: title, the page's own extra CSS, and the body. */
export function page(opts: { title: string; extraCss?: string; body: Html }): string {
  // The stylesheet is the project's own (extraCss is built from numbers only): it goes in as it is.
  const css = STYLE + (opts.extraCss ?? "");
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title>
<style>${new Html(css)}</style>
</head>
<body>
${opts.body}
</body>
</html>
`.markup;
}

