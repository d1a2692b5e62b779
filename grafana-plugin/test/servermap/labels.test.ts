import { createTheme } from '@grafana/data';
import {
  type Box,
  type GlyphLabelInput,
  type Measure,
  numberVariants,
  overlaps,
  placeCardEdgeLabels,
  placeGlyphLabels,
  pointAlong,
} from '../../src/servermap/render/labels';
import { paletteFromTheme } from '../../src/servermap/render/palette';

/** 6 px per character, like an 11 px sans font on average; "…" cuts as the canvas version does. */
const measure: Measure = {
  width: (_role, text) => text.length * 6,
  fit: (_role, text, max) => {
    if (text.length * 6 <= max) {
      return text;
    }
    const keep = Math.max(0, Math.floor(max / 6) - 1);
    return text.slice(0, keep) + '…';
  },
};

/**
 * The demo map as it lies in a 900×500 panel's map (glyph mode, ~104 px between columns): a row of glyphs and a
 * fan out of `orders`, with the numbers under each glyph wider than a column.
 */
function crowded(): GlyphLabelInput {
  const at = (id: string, cx: number, cy: number, name: string, sub: string) => ({ id, cx, cy, name, sub });
  const nodes = [
    at('user', 60, 200, 'user', '18k'),
    at('gateway', 164, 200, 'gateway', '18k · ≈ 594 ms · 5.0%'),
    at('orders', 268, 200, 'orders', '14k · ≈ 459 ms · 5.0%'),
    at('redis', 372, 150, 'redis', '22k · ≈ 50 ms'),
    at('postgresql', 372, 200, 'postgresql', '14k · ≈ 54 ms'),
    at('payments', 372, 250, 'payments', '7.2k · ≈ 103 ms · 0.5%'),
    at('external', 476, 250, 'external-payment-provider.example.com', '7.2k · ≈ 507 ms · 5.0%'),
  ];
  const c = new Map(nodes.map((n) => [n.id, { x: n.cx, y: n.cy }]));
  const edge = (a: string, b: string, label: string) => ({ id: `${a}->${b}`, points: [c.get(a)!, c.get(b)!], label });
  return {
    nodes,
    edges: [
      edge('user', 'gateway', '18k'),
      edge('gateway', 'orders', '14k'),
      edge('orders', 'redis', '22k'),
      edge('orders', 'postgresql', '14k'),
      edge('orders', 'payments', '7.2k'),
      edge('payments', 'external', '7.2k'),
    ],
    radius: 12,
    maxWidth: 96,
    names: true,
    sub: true,
    edgeLabels: true,
  };
}

const disc = (n: { cx: number; cy: number }, r: number): Box => ({ x: n.cx - r, y: n.cy - r, w: 2 * r, h: 2 * r });

describe('map labels placed without collisions (render/labels.ts)', () => {
  it('the crowded input does collide when every label takes its first spot (control)', () => {
    const input = crowded();
    // What the map drew before: each number line whole under its glyph, each count at the link's middle.
    const naive: Box[] = [
      ...input.nodes.map((n) => ({
        x: n.cx - (n.sub.length * 6) / 2,
        y: n.cy + 12 + 3 + 13,
        w: n.sub.length * 6,
        h: 12,
      })),
      ...input.edges.map((e) => {
        const m = pointAlong(e.points, 0.5);
        return { x: m.x - (e.label.length * 6 + 8) / 2, y: m.y - 7, w: e.label.length * 6 + 8, h: 14 };
      }),
    ];
    const pairs = naive.flatMap((a, i) => naive.slice(i + 1).filter((b) => overlaps(a, b)));
    expect(pairs.length).toBeGreaterThan(0);
  });

  it('never puts text over text or over a glyph, and names every node', () => {
    const input = crowded();
    const placed = placeGlyphLabels(input, measure);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        expect([placed[i]!.text, placed[j]!.text, overlaps(placed[i]!.box, placed[j]!.box)]).toEqual([
          placed[i]!.text,
          placed[j]!.text,
          false,
        ]);
      }
      for (const n of input.nodes) {
        expect([placed[i]!.text, n.id, overlaps(placed[i]!.box, disc(n, input.radius))]).toEqual([
          placed[i]!.text,
          n.id,
          false,
        ]);
      }
    }
    expect(placed.filter((t) => t.role === 'name').map((t) => t.id)).toEqual(input.nodes.map((n) => n.id));
  });

  it('shortens numbers by whole parts and long names with "…" (the tooltip has them whole)', () => {
    const placed = placeGlyphLabels(crowded(), measure);
    for (const t of placed.filter((p) => p.role === 'sub')) {
      const node = crowded().nodes.find((n) => n.id === t.id)!;
      // A number is shown whole or not at all.
      expect(numberVariants(node.sub)).toContain(t.text);
    }
    // gateway's "18k · ≈ 594 ms · 5.0%" is 126 px, wider than its 96 px column: it loses its last part.
    expect(placed.find((t) => t.id === 'gateway' && t.role === 'sub')?.text).toBe('18k · ≈ 594 ms');
    const external = placed.find((t) => t.id === 'external' && t.role === 'name')!;
    expect(external.text.endsWith('…')).toBe(true);
    expect(external.box.w).toBeLessThanOrEqual(96 * 1.6 + 2);
  });

  it('moves a link count along its link when the middle is taken, and leaves it out when no spot is free', () => {
    const input = crowded();
    // A long link with a glyph sitting on its middle.
    input.nodes = [
      { id: 'a', cx: 40, cy: 400, name: 'a', sub: '' },
      { id: 'blocker', cx: 190, cy: 400, name: '', sub: '' },
      { id: 'b', cx: 340, cy: 400, name: 'b', sub: '' },
    ];
    input.edges = [
      {
        id: 'a->b',
        points: [
          { x: 40, y: 400 },
          { x: 340, y: 400 },
        ],
        label: '14k',
      },
    ];
    const placed = placeGlyphLabels(input, measure);
    const moved = placed.find((t) => t.id === 'a->b')!;
    expect(moved).toBeDefined();
    expect(Math.abs(moved.x - 190)).toBeGreaterThan(20);
    expect(overlaps(moved.box, disc(input.nodes[1]!, input.radius))).toBe(false);
    // A link too short for any free spot gets no label rather than one over the glyphs.
    const tight = crowded();
    tight.edges = [
      {
        id: 'short',
        points: [
          { x: 60, y: 200 },
          { x: 70, y: 200 },
        ],
        label: '999k',
      },
    ];
    expect(placeGlyphLabels(tight, measure).filter((t) => t.role === 'edge')).toEqual([]);
  });

  it('numberVariants drop trailing parts, never cut one', () => {
    expect(numberVariants('18k · ≈ 594 ms · 5.0%')).toEqual(['18k · ≈ 594 ms · 5.0%', '18k · ≈ 594 ms', '18k']);
    expect(numberVariants('p95 ×10.2 +2.6 s · err +3.5 pt')).toEqual([
      'p95 ×10.2 +2.6 s · err +3.5 pt',
      'p95 ×10.2 +2.6 s',
    ]);
  });

  it('cards: a link count that would cover a card is moved or shortened, never drawn over it', () => {
    const cards: Box[] = [
      { x: 0, y: 0, w: 210, h: 52 },
      { x: 306, y: 0, w: 210, h: 52 },
    ];
    const points = [
      { x: 210, y: 26 },
      { x: 306, y: 26 },
    ];
    // 132 px whole, in a 96 px gap: its first part fits.
    const label = 'p95 ×1.5 · err +3.5 pt';
    const [placed] = placeCardEdgeLabels(cards, [{ id: 'a->b', points, label }], measure, 16);
    expect(placed).toBeDefined();
    expect(placed!.text).toBe('p95 ×1.5');
    expect(cards.some((c) => overlaps(c, placed!.box))).toBe(false);
  });
});

/** WCAG relative luminance contrast of two `#rrggbb` / `rgb()` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const hex = /^#([0-9a-f]{6})/i.exec(c);
    const rgb = hex
      ? [0, 2, 4].map((i) => parseInt(hex[1]!.slice(i, i + 2), 16))
      : (/rgba?\(([^)]+)\)/.exec(c)![1]!.split(',').slice(0, 3).map(Number) as number[]);
    const [r, g, bl] = rgb.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('map text colours', () => {
  it.each(['dark', 'light'] as const)('are readable on the map background in the %s theme (WCAG AA, 4.5:1)', (mode) => {
    const p = paletteFromTheme(createTheme({ colors: { mode } }));
    expect({
      text: contrast(p.text, p.background) >= 4.5,
      textWeak: contrast(p.textWeak, p.background) >= 4.5,
      errorText: contrast(p.errorText, p.background) >= 4.5,
    }).toEqual({ text: true, textWeak: true, errorText: true });
  });

  it('the error shade used for shapes is not enough for text in the dark theme (why errorText exists)', () => {
    const p = paletteFromTheme(createTheme({ colors: { mode: 'dark' } }));
    expect(contrast(p.error, p.background)).toBeLessThan(contrast(p.errorText, p.background));
  });
});
