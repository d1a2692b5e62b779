import { detailsSheet, MAP_MIN_SHARE } from '../../src/servermap/details/sheet';

describe('details sheet placement (the map keeps most of its area)', () => {
  it('beside the map in the map part of a 900, 1400 and 1920 px wide "both" panel', () => {
    for (const [w, h] of [
      [535, 432],
      [836, 736],
      [1147, 1012],
    ] as const) {
      const s = detailsSheet(w, h);
      expect(s.placement).toBe('side');
      expect(s.mapWidth / w).toBeGreaterThanOrEqual(MAP_MIN_SHARE);
      expect(s.placement === 'side' && s.width).toBeGreaterThanOrEqual(216);
    }
  });

  it('below the map when the area is too narrow for a side sheet but tall enough', () => {
    const s = detailsSheet(420, 700);
    expect(s.placement).toBe('bottom');
    expect(s.mapHeight / 700).toBeGreaterThanOrEqual(MAP_MIN_SHARE);
    expect(s.mapWidth).toBe(420);
  });

  it('over the map only when neither fits (a tiny panel), never wider than the area', () => {
    const s = detailsSheet(300, 260);
    expect(s.placement).toBe('overlay');
    expect(s).toMatchObject({ mapWidth: 300, mapHeight: 260 });
    expect(s.placement === 'overlay' && s.width).toBeLessThanOrEqual(300);
  });
});
