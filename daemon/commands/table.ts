/** Renders rows as a left-aligned text table with a header (cells cut at 60 characters). */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)';
  const cut = (s: string) => (s.length > 60 ? `${s.slice(0, 59)}…` : s);
  const all = [header, ...rows].map((r) => r.map(cut));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** An ISO time, or a duration back from now (`90s`, `30m`, `2h`, `7d`), as epoch ms. */
export function parseTime(value: string, now: number): number {
  const duration = /^(\d+)(s|m|h|d)$/.exec(value);
  if (duration) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(duration[1]) * unit;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TypeError(`Expected a time to be an ISO date or a duration like 2h, got \`${value}\``);
  return ms;
}
