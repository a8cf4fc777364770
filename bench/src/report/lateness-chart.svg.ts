/** A cumulative-distribution chart of firing lateness per system, as standalone SVG. */
export function latenessChartSvg(series: { system: string; samples: number[] }[]): string {
  const width = 760;
  const height = 420;
  const m = { left: 60, right: 170, top: 30, bottom: 50 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const minMs = 0.1;
  const maxMs = 10_000;
  const logSpan = Math.log10(maxMs) - Math.log10(minMs);
  const x = (ms: number) => m.left + ((Math.log10(Math.min(Math.max(ms, minMs), maxMs)) - Math.log10(minMs)) / logSpan) * w;
  const y = (fraction: number) => m.top + (1 - fraction) * h;
  const colors = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${m.left}" y="18" font-size="14" font-weight="bold">Firing lateness (receiver arrival − due time), cumulative</text>`);
  for (const tick of [0.1, 1, 10, 100, 1000, 10000]) {
    parts.push(`<line x1="${x(tick)}" y1="${m.top}" x2="${x(tick)}" y2="${m.top + h}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(tick)}" y="${m.top + h + 16}" text-anchor="middle">${tick >= 1000 ? `${tick / 1000} s` : `${tick} ms`}</text>`);
  }
  for (const q of [0, 0.5, 0.9, 0.99, 1]) {
    parts.push(`<line x1="${m.left}" y1="${y(q)}" x2="${m.left + w}" y2="${y(q)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y(q) + 4}" text-anchor="end">${Math.round(q * 100)}%</text>`);
  }
  parts.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">lateness (log scale)</text>`);
  series.forEach((s, i) => {
    const sorted = [...s.samples].sort((a, b) => a - b);
    if (sorted.length === 0) return;
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const points: string[] = [];
    for (let k = 0; k < sorted.length; k += step) points.push(`${x(sorted[k]).toFixed(1)},${y((k + 1) / sorted.length).toFixed(1)}`);
    points.push(`${x(sorted[sorted.length - 1]).toFixed(1)},${y(1).toFixed(1)}`);
    const color = colors[i % colors.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`);
    parts.push(`<rect x="${m.left + w + 16}" y="${m.top + i * 20}" width="12" height="12" fill="${color}"/>`);
    parts.push(`<text x="${m.left + w + 34}" y="${m.top + i * 20 + 10}">${escapeXml(s.system)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
