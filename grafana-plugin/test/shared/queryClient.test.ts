import { of, Observable } from 'rxjs';
import { runQuery, QueryError } from '../../src/shared/queryClient';
import { dotsRequest } from '../../src/traceql/requests';

const get = jest.fn();
/** What getDataSourceSrv() returns: Grafana's service, or undefined on a page where no Grafana runtime set it. */
let srv: { get: typeof get } | undefined = { get };
jest.mock('@grafana/runtime', () => ({ getDataSourceSrv: () => srv }));

function fakeDs(query: (req: any) => unknown) {
  return { getRef: () => ({ uid: 'tempo', type: 'tempo' }), query: jest.fn(query) };
}

describe('runQuery (data source API, no direct URLs)', () => {
  beforeEach(() => {
    get.mockReset();
    srv = { get };
  });

  it('sends the query model with the data source ref and the range, and returns the frames', async () => {
    const frame = { name: 'Spans', fields: [] };
    const ds = fakeDs(() => of({ data: [frame] }));
    get.mockResolvedValue(ds);
    const frames = await runQuery('tempo', [dotsRequest({ service: 'orders' })], { from: 1000, to: 901_000 });
    expect(frames).toEqual([frame]);
    expect(get).toHaveBeenCalledWith('tempo');
    const req = ds.query.mock.calls[0]![0];
    expect(req.targets[0]).toMatchObject({ refId: 'dots', queryType: 'traceql', tableType: 'spans', datasource: { uid: 'tempo', type: 'tempo' } });
    expect(req.range.from.valueOf()).toBe(1000);
    expect(req.range.to.valueOf()).toBe(901_000);
    expect(req.app).toBe('panel');
    expect(req.intervalMs).toBeGreaterThanOrEqual(15_000);
  });

  it('waits for the last emission of a streaming response', async () => {
    const ds = fakeDs(
      () =>
        new Observable((sub) => {
          sub.next({ data: [{ name: 'partial', fields: [] }], state: 'Streaming' });
          setTimeout(() => {
            sub.next({ data: [{ name: 'final', fields: [] }], state: 'Done' });
            sub.complete();
          }, 5);
        })
    );
    get.mockResolvedValue(ds);
    const frames = (await runQuery('tempo', [{ refId: 'A' }], { from: 0, to: 1 })) as Array<{ name: string }>;
    expect(frames.map((f) => f.name)).toEqual(['final']);
  });

  it('turns data source errors, unknown uids and promise rejections into QueryError messages', async () => {
    get.mockResolvedValue(fakeDs(() => of({ data: [], error: { message: 'Status: 500 context deadline exceeded' } })));
    await expect(runQuery('tempo', [{ refId: 'A' }], { from: 0, to: 1 })).rejects.toThrow('context deadline exceeded');
    get.mockRejectedValue(new Error('Datasource nope was not found'));
    await expect(runQuery('nope', [{ refId: 'A' }], { from: 0, to: 1 })).rejects.toThrow(QueryError);
    await expect(runQuery('nope', [{ refId: 'A' }], { from: 0, to: 1 })).rejects.toThrow('Data source "nope" not found');
    get.mockResolvedValue(fakeDs(() => Promise.reject({ data: { message: 'bad gateway' } })));
    await expect(runQuery('tempo', [{ refId: 'A' }], { from: 0, to: 1 })).rejects.toThrow('bad gateway');
  });

  it('gives up with a clear message when the data source never answers', async () => {
    get.mockResolvedValue(fakeDs(() => new Observable(() => {})));
    await expect(runQuery('tempo', [{ refId: 'A' }], { from: 0, to: 1 }, { timeoutMs: 20 })).rejects.toThrow(
      'No answer from "tempo" after 0.02 s'
    );
  });

  describe('a data source that cannot be had says so, without a JavaScript error text', () => {
    const range = { from: 0, to: 1 };
    let consoleError: jest.SpyInstance;
    beforeEach(() => {
      consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
    });
    afterEach(() => consoleError.mockRestore());

    it('outside Grafana (no data source service): names the data source and why, not "reading \'get\'"', async () => {
      srv = undefined;
      const err = await runQuery('mimir', [{ refId: 'A' }], range).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryError);
      expect((err as Error).message).toBe('Data source "mimir" unavailable: no Grafana data source service on this page');
    });

    it("Grafana's rejection ({ message }, not an Error) reads as not found, once", async () => {
      get.mockRejectedValue({ message: 'Datasource mimir was not found' });
      await expect(runQuery('mimir', [{ refId: 'A' }], range)).rejects.toThrow(/^Data source "mimir" not found$/);
      get.mockRejectedValue({ message: 'Failed to load plugin prometheus' });
      await expect(runQuery('mimir', [{ refId: 'A' }], range)).rejects.toThrow(
        /^Data source "mimir" not found \(Failed to load plugin prometheus\)$/
      );
      get.mockResolvedValue(undefined);
      await expect(runQuery('mimir', [{ refId: 'A' }], range)).rejects.toThrow(/^Data source "mimir" not found$/);
    });

    it('a TypeError inside the service or the data source goes to the console, the user reads a plain sentence', async () => {
      get.mockImplementation(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'get')");
      });
      const notFound = (await runQuery('mimir', [{ refId: 'A' }], range).catch((e: unknown) => e)) as Error;
      expect(notFound.message).toBe('Data source "mimir" not found');
      get.mockResolvedValue(
        fakeDs(() => {
          throw new TypeError("Cannot read properties of undefined (reading 'map')");
        })
      );
      const failed = (await runQuery('tempo', [{ refId: 'A' }], range).catch((e: unknown) => e)) as Error;
      expect(failed).toBeInstanceOf(QueryError);
      expect(failed.message).toBe('Query to "tempo" failed (the error is in the browser console)');
      get.mockResolvedValue(fakeDs(() => Promise.reject(new TypeError('x is not a function'))));
      await expect(runQuery('tempo', [{ refId: 'A' }], range)).rejects.toThrow(
        /^Query to "tempo" failed \(the error is in the browser console\)$/
      );
      for (const msg of [notFound.message, failed.message]) {
        expect(msg).not.toMatch(/Cannot read|reading '|TypeError|is not a function/);
      }
      expect(consoleError).toHaveBeenCalledTimes(3);
    });
  });
});
