import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';

/*
 * One self-contained HTML page for a report (`--html FILE`): inline CSS and inline SVG charts, no
 * script and nothing fetched, so it opens anywhere, offline, and can be mailed as it is. Every
 * text that comes from a bucket or a state file (keys, prefixes, messages) is escaped here, in
 * one place.
 */

/** One bar of a chart. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** The value as people read it (`1.5 GiB`). */
  readonly display: string;
  /** A CSS colour; the default blue otherwise. */
  readonly color?: string;
}

/** A part of the page: a heading, then a chart and/or a table. */
export interface Section {
  readonly heading: string;
  readonly note?: string;
  readonly bars?: readonly Bar[];
  readonly table?: { readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly numeric?: readonly number[] };
}

/** Text as HTML: `& < > " '` escaped; lone surrogates (from names that are not UTF-8) replaced. */
export function escapeHtml(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(/[&<>"']/g, (c: string) => `&#${c.charCodeAt(0)};`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const BAR_HEIGHT = 22;
const LABEL_WIDTH = 260;
const CHART_WIDTH = 900;

/** A horizontal bar chart as inline SVG, longest bar to the full width. */
export function barChart(bars: readonly Bar[], title: string): string {
  const max = Math.max(0, ...bars.map((bar) => bar.value));
  const plot = CHART_WIDTH - LABEL_WIDTH - 120;
  const rows = bars.map((bar, index) => {
    const y = index * (BAR_HEIGHT + 6);
    const width = max === 0 ? 0 : Math.max(1, Math.round((bar.value / max) * plot));
    const label = bar.label.length > 40 ? `${bar.label.slice(0, 39)}…` : bar.label;
    return (
      `<g class="bar"><title>${escapeHtml(`${bar.label}: ${bar.display}`)}</title>` +
      `<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(label)}</text>` +
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width}" height="${BAR_HEIGHT}" fill="${escapeHtml(bar.color ?? '#3b7dd8')}"/>` +
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + 16}">${escapeHtml(bar.display)}</text></g>`
    );
  });
  const height = Math.max(1, bars.length) * (BAR_HEIGHT + 6);
  return `<svg role="img" aria-label="${escapeHtml(title)}" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">${rows.join('')}</svg>`;
}

/** The whole page. */
export function htmlPage(title: string, subtitle: string, sections: readonly Section[]): string {
  const body = sections.map((section) => {
    const parts = [`<h2>${escapeHtml(section.heading)}</h2>`];
    if (section.note !== undefined) parts.push(`<p class="note">${escapeHtml(section.note)}</p>`);
    if (section.bars !== undefined) parts.push(section.bars.length === 0 ? '<p class="note">Nothing to show.</p>' : barChart(section.bars, section.heading));
    if (section.table !== undefined) {
      const numeric = new Set(section.table.numeric ?? []);
      const cell = (value: string, index: number, tag: 'td' | 'th'): string => `<${tag}${numeric.has(index) ? ' class="num"' : ''}>${escapeHtml(value)}</${tag}>`;
      parts.push(
        `<table><thead><tr>${section.table.columns.map((c, i) => cell(c, i, 'th')).join('')}</tr></thead><tbody>` +
          section.table.rows.map((row) => `<tr>${row.map((value, i) => cell(value, i, 'td')).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
    }
    return `<section>${parts.join('\n')}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 960px; color: #1d2433; }
h1 { font-size: 22px; margin-bottom: 0; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #dde3ee; }
.subtitle, .note { color: #5a6478; } svg text { font: 12px system-ui, sans-serif; fill: #1d2433; }
table { border-collapse: collapse; margin-top: 8px; } th, td { padding: 3px 10px; border-bottom: 1px solid #eef1f6; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
</style></head>
<body><h1>${escapeHtml(title)}</h1><p class="subtitle">${escapeHtml(subtitle)}</p>
${body.join('\n')}
</body></html>
`;
}

/** Writes the page next to its final name first, so a reader never finds half a page. */
export async function writeHtmlFile(path: string, html: string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, html, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
