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
