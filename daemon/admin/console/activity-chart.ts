import type { ActivityBucket } from '../../../src/store/store.js';
import { html, raw, type SafeHtml } from './html.js';

const WIDTH = 960;
const HEIGHT = 220;
const PAD = { left: 44, right: 8, top: 12, bottom: 28 };

/**
 * The overview chart: per bucket, three bars side by side (received, delivered, dead) on one linear
 * scale, as inline SVG (no script, no external file). Every number in the markup is computed here.
 */
export function activityChart(buckets: readonly ActivityBucket[]): SafeHtml {
  const max = Math.max(1, ...buckets.flatMap((b) => [b.received, b.delivered, b.dead]));
  const scale = niceCeiling(max);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, (slot - 4) / 3);
  const y = (v: number) => PAD.top + plotH - (v / scale) * plotH;
  const parts: string[] = [];
  for (const tick of [0, 0.5, 1]) {
    const ty = y(scale * tick).toFixed(1);
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${ty}" y2="${ty}"/>`,
      `<text x="${PAD.left - 6}" y="${(Number(ty) + 3).toFixed(1)}" text-anchor="end">${Math.round(scale * tick)}</text>`);
  }
  buckets.forEach((b, i) => {
    const x0 = PAD.left + i * slot + 2;
    (['received', 'delivered', 'dead'] as const).forEach((kind, k) => {
      const v = b[kind];
      if (v === 0) return;
      const top = y(v);
      parts.push(`<rect class="${kind}" x="${(x0 + k * barW).toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${(PAD.top + plotH - top).toFixed(1)}"><title>${kind} ${v} at ${new Date(b.start).toISOString().slice(11, 16)}Z</title></rect>`);
    });
    if (i % 3 === 0) {
      parts.push(`<text x="${(x0 + slot / 2).toFixed(1)}" y="${HEIGHT - 10}" text-anchor="middle">${new Date(b.start).toISOString().slice(11, 16)}</text>`);
    }
  });
  const total = (kind: 'received' | 'delivered' | 'dead') => buckets.reduce((n, b) => n + b[kind], 0);
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="received, delivered and dead per hour">${raw(parts.join(''))}</svg>
<div class="legend"><span><i class="received"></i>received ${total('received')}</span><span><i class="delivered"></i>delivered ${total('delivered')}</span><span><i class="dead"></i>dead ${total('dead')}</span> <span class="muted">per hour, UTC, last 24 h</span></div>`;
}

/** 1, 2, 5 × 10ⁿ at or above `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
