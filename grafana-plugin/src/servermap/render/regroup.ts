/** Items drawn together (one style), and what draws them (e.g. one Path2D of all their shapes). */
export interface Group<T, B> {
  members: T[];
  built: B;
}

function sameMembers<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

/**
 * `items` grouped by `keyOf` (groups in the order of their first item, items in order), each group drawn by
 * `build(members, key)`, or by what `previous` built for that key when its group held exactly these items: a
 * refresh that changes only a few links' width or colour rebuilds only the groups those links left or joined
 * (building a 1,000-node map's link paths is several ms; comparing the groups' members, a fraction of one).
 * `build` must depend only on the key and the members (their geometry), not on anything a refresh changes.
 */
export function regroup<T, B, K = string>(
  items: readonly T[],
  keyOf: (item: T) => K,
  build: (members: T[], key: K) => B,
  previous?: ReadonlyMap<K, Group<T, B>>
): Map<K, Group<T, B>> {
  const members = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = members.get(key);
    if (list) {
      list.push(item);
    } else {
      members.set(key, [item]);
    }
  }
  const groups = new Map<K, Group<T, B>>();
  for (const [key, list] of members) {
    const kept = previous?.get(key);
    groups.set(key, kept && sameMembers(kept.members, list) ? kept : { members: list, built: build(list, key) });
  }
  return groups;
}

/** A group built in pieces (see regroupInPieces): what each piece built, by block, and their join. */
export interface PiecedGroup<T, P, B> extends Group<T, B> {
  pieces: Map<number, Group<T, P>>;
}

/**
 * regroup for large groups: a group's members are cut into pieces by where they are in `items` (block
 * `floor(index / pieceItems)`), each piece built alone (`buildPiece`) and the pieces joined (`join`, in block
 * order: the members' order). A group whose members changed rebuilds only the pieces that changed and joins
 * again. At 3,000 links, the two largest style groups hold ~2,000 and ~900; a refresh that moves a few links
 * between them used to rebuild both paths whole (≈ 2–4 ms), now a few pieces of ~40 (joining copies the
 * pieces' built geometry natively: Path2D.addPath).
 */
export function regroupInPieces<T, P, B, K = string>(
  items: readonly T[],
  keyOf: (item: T) => K,
  pieceItems: number,
  buildPiece: (members: T[], key: K) => P,
  join: (pieces: P[], key: K) => B,
  previous?: ReadonlyMap<K, PiecedGroup<T, P, B>>
): Map<K, PiecedGroup<T, P, B>> {
  interface Gathered {
    members: T[];
    runs: Map<number, T[]>;
    lastBlock: number;
    lastRun: T[];
  }
  const gathered = new Map<K, Gathered>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const key = keyOf(item);
    const block = Math.floor(i / pieceItems);
    let g = gathered.get(key);
    if (!g) {
      g = { members: [], runs: new Map(), lastBlock: -1, lastRun: [] };
      gathered.set(key, g);
    }
    g.members.push(item);
    // Blocks only grow along `items`: the run of the current block is the last one.
    if (block !== g.lastBlock) {
      g.lastBlock = block;
      g.lastRun = [];
      g.runs.set(block, g.lastRun);
    }
    g.lastRun.push(item);
  }
  const groups = new Map<K, PiecedGroup<T, P, B>>();
  for (const [key, g] of gathered) {
    const kept = previous?.get(key);
    if (kept && sameMembers(kept.members, g.members)) {
      groups.set(key, kept);
      continue;
    }
    const pieces = new Map<number, Group<T, P>>();
    for (const [block, run] of g.runs) {
      const keptPiece = kept?.pieces.get(block);
      pieces.set(block, keptPiece && sameMembers(keptPiece.members, run) ? keptPiece : { members: run, built: buildPiece(run, key) });
    }
    groups.set(key, { members: g.members, pieces, built: join(Array.from(pieces.values(), (p) => p.built), key) });
  }
  return groups;
}
