export interface Point {
  x: number;
  y: number;
}

export interface NodeBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type LayoutMode = 'quality' | 'balanced' | 'fast';

export interface GraphLayout {
  nodes: Map<string, NodeBox>;
  /** Polyline per edge id, from the source box border to the target box border. */
  edges: Map<string, Point[]>;
  width: number;
  height: number;
  /** Distance between the centres of neighbouring nodes of a layer (graph units), after spreading flat maps. */
  rowPitch?: number;
  /** How long the layout engine took, for the bench and the debug hook. */
  ms: number;
  /** Which engine settings were used (see layoutModeFor). */
  mode: LayoutMode;
  /** Links drawn straight instead of routed through the layers (too long for the dummy-node budget). */
  straightLinks?: number;
  /** Number of layers (columns). */
  layers?: number;
}

/** What the layout reads of a node and a link (the worker gets only this). */
export interface LayoutNode {
  id: string;
}
export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
}

/** A long layout's progress, for the "show all" bar: the phase and how far it is (0–1, where known). */
export interface LayoutProgress {
  phase: 'queued' | 'budget' | 'layering' | 'ordering' | 'coordinates' | 'routing';
  fraction: number;
}

export const NODE_W = 210;
export const NODE_H = 52;
