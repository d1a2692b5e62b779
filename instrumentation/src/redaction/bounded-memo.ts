/**
 * Remembers the results of a pure string transform for the few distinct inputs a service repeats (its SQL
 * statements), so each span does not pay for the transform again. Bounded: at most `maxEntries` inputs of
 * at most `maxKeyLength` characters; when full it starts over, which keeps the cost O(1) and the memory flat
 * even for an app that builds a new statement text per call.
 */
export class BoundedMemo {
  readonly #transform: (input: string) => string;
  readonly #maxEntries: number;
  readonly #maxKeyLength: number;
  #entries = new Map<string, string>();

  constructor(transform: (input: string) => string, maxEntries = 256, maxKeyLength = 4096) {
    this.#transform = transform;
    this.#maxEntries = maxEntries;
    this.#maxKeyLength = maxKeyLength;
  }

  get size(): number {
    return this.#entries.size;
  }

  apply(input: string): string {
    if (input.length > this.#maxKeyLength) return this.#transform(input);
    const known = this.#entries.get(input);
    if (known !== undefined) return known;
    const result = this.#transform(input);
    if (this.#entries.size >= this.#maxEntries) this.#entries = new Map();
    this.#entries.set(input, result);
    return result;
  }
}
