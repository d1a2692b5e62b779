/**
 * Where the details of a selected node or link go, so the map stays the larger part of its area: Pinpoint keeps its
 * map in view while a node's statistics are open. A side sheet at the right when the area is wide enough for the
 * map to keep MAP_MIN_SHARE of its width, else a bottom sheet when it is tall enough for the same share of its
 * height, else (a very small panel) over the map's right part, the selected node panned out from under it.
 */

/** Share of the map's area (width or height) it keeps beside the details. */
export const MAP_MIN_SHARE = 0.55;
/** Side sheet width (px): 40 % of the area, within these bounds. */
export const SIDE_MIN_W = 216;
export const SIDE_MAX_W = 300;
/** Bottom sheet height (px): 42 % of the area, within these bounds. */
export const BOTTOM_MIN_H = 190;
export const BOTTOM_MAX_H = 360;
/** Space between the map and the sheet (px). */
export const SHEET_GAP = 8;

export type DetailsSheet =
  | { placement: 'side'; width: number; mapWidth: number; mapHeight: number }
  | { placement: 'bottom'; height: number; mapWidth: number; mapHeight: number }
  | { placement: 'overlay'; width: number; mapWidth: number; mapHeight: number };

export function detailsSheet(areaWidth: number, areaHeight: number): DetailsSheet {
  const side = Math.min(SIDE_MAX_W, Math.max(SIDE_MIN_W, Math.round(areaWidth * 0.4)));
  if (areaWidth - side - SHEET_GAP >= areaWidth * MAP_MIN_SHARE) {
    return { placement: 'side', width: side, mapWidth: areaWidth - side - SHEET_GAP, mapHeight: areaHeight };
  }
  const bottom = Math.min(BOTTOM_MAX_H, Math.max(BOTTOM_MIN_H, Math.round(areaHeight * 0.42)));
  if (areaHeight - bottom - SHEET_GAP >= areaHeight * MAP_MIN_SHARE) {
    return { placement: 'bottom', height: bottom, mapWidth: areaWidth, mapHeight: areaHeight - bottom - SHEET_GAP };
  }
  return {
    placement: 'overlay',
    width: Math.min(side, Math.max(160, areaWidth - 48)),
    mapWidth: areaWidth,
    mapHeight: areaHeight,
  };
}
