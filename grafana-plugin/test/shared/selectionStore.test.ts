import {
  getSelection,
  resetSelectionStoreForTests,
  selectLink,
  selectService,
  setHighlight,
  setUrlAdapter,
  subscribe,
  type UrlAdapter,
} from '../../src/shared/selectionStore';

function memoryAdapter(initial: Record<string, string>): UrlAdapter & { params: Map<string, string>; fire(): void } {
  const params = new Map(Object.entries(initial));
  let listener: (() => void) | undefined;
  return {
    params,
    get: (p) => params.get(p),
    has: (p) => params.has(p),
    set: (p, v) => (v === undefined ? params.delete(p) : params.set(p, v)),
    listen(cb) {
      listener = cb;
      return () => (listener = undefined);
    },
    fire: () => listener?.(),
  };
}

describe('selectionStore', () => {
  beforeEach(() => {
    resetSelectionStoreForTests();
    window.history.replaceState(null, '', '/d/x');
  });

  it('notifies subscribers and returns a new object per change', () => {
    const seen: Array<string | undefined> = [];
    const unsubscribe = subscribe((s) => seen.push(s.service));
    const before = getSelection();
    selectService('orders');
    expect(getSelection()).not.toBe(before);
    expect(getSelection().service).toBe('orders');
    selectService('orders'); // no change, no event
    selectService(undefined);
    unsubscribe();
    selectService('payments');
    expect(seen).toEqual(['orders', undefined]);
  });

  it('mirrors the service in lgtmapm-service when the dashboard has no service variable', () => {
    selectService('gateway');
    expect(new URLSearchParams(window.location.search).get('lgtmapm-service')).toBe('gateway');
    selectService(undefined);
    expect(window.location.search).toBe('');
  });

  it('uses var-service when the URL already has it, and reads it back on load', () => {
    const url = memoryAdapter({ 'var-service': 'orders' });
    setUrlAdapter(url);
    expect(getSelection().service).toBe('orders');
    selectService('payments');
    expect(url.params.get('var-service')).toBe('payments');
    expect(url.params.has('lgtmapm-service')).toBe(false);
  });

  it('treats the All value of the dashboard variable as no selection', () => {
    setUrlAdapter(memoryAdapter({ 'var-service': '$__all' }));
    expect(getSelection().service).toBeUndefined();
  });

  it('follows URL changes made outside the store (back button, variable picker)', () => {
    const url = memoryAdapter({ 'var-service': 'orders' });
    setUrlAdapter(url);
    const seen: Array<string | undefined> = [];
    subscribe((s) => seen.push(s.service));
    url.params.set('var-service', 'gateway');
    url.fire();
    expect(seen).toEqual(['gateway']);
  });

  it('keeps highlight separate from the service and survives a throwing listener', () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    subscribe(() => {
      throw new Error('boom');
    });
    const seen: number[] = [];
    subscribe((s) => seen.push(s.highlight?.services.length ?? 0));
    setHighlight({ services: ['a', 'b'], edges: [['a', 'b']] });
    selectService('a');
    expect(getSelection()).toEqual({ service: 'a', highlight: { services: ['a', 'b'], edges: [['a', 'b']] } });
    setHighlight(undefined);
    expect(seen).toEqual([2, 2, 0]);
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });

  describe('a picked link', () => {
    const link = {
      source: { name: 'gateway', kind: 'service' as const },
      target: { name: 'orders', kind: 'service' as const },
    };

    it('replaces the service (and its URL parameter) and is replaced by a service', () => {
      const adapter = memoryAdapter({ 'var-service': 'orders' });
      setUrlAdapter(adapter);
      const seen: Array<[string | undefined, string | undefined]> = [];
      subscribe((s) => seen.push([s.service, s.link?.target.name]));
      selectLink(link);
      expect(getSelection()).toMatchObject({ service: undefined, link });
      expect(adapter.params.has('var-service')).toBe(false);
      selectLink({ ...link }); // same link, no event
      selectService('payments');
      expect(getSelection().link).toBeUndefined();
      // As after selectService(undefined): the removed dashboard parameter leaves the panel's own one.
      expect(adapter.params.get('lgtmapm-service')).toBe('payments');
      selectLink(link);
      selectService(undefined); // clears the link, the URL already has no service
      expect(getSelection()).toMatchObject({ service: undefined, link: undefined });
      selectLink(link);
      selectLink(undefined);
      expect(getSelection().link).toBeUndefined();
      expect(seen).toEqual([
        [undefined, 'orders'],
        ['payments', undefined],
        [undefined, 'orders'],
        [undefined, undefined],
        [undefined, 'orders'],
        [undefined, undefined],
      ]);
    });

    it('gives way to a service chosen in the URL (variable picker, back/forward)', () => {
      const adapter = memoryAdapter({});
      setUrlAdapter(adapter);
      selectLink(link);
      adapter.params.set('lgtmapm-service', 'orders');
      adapter.fire();
      expect(getSelection()).toMatchObject({ service: 'orders', link: undefined });
    });
  });
});
