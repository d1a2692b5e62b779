import React from 'react';
import { render, screen } from '@testing-library/react';
import { type Transaction } from '../../src/scatter/dots';
import { TransactionList } from '../../src/transactions/TransactionList';

function tx(traceId: string, extra: Partial<Transaction> = {}): Transaction {
  return {
    traceId,
    spanId: `s${traceId}`,
    startMs: 0,
    durationMs: 120,
    failed: false,
    name: 'GET /orders/:id',
    service: 'orders',
    ...extra,
  };
}

/** Two traces whose ids share their first 24 hex digits, one failed with an exception, both with a client address. */
const rows = [
  tx('4bf92f3577b34da6a3ce929d0e0e4736', { rootName: 'POST /checkout', clientAddress: '10.0.0.7' }),
  tx('4bf92f3577b34da6a3ce929d0e0e9999', {
    rootName: 'GET /cart',
    failed: true,
    httpStatus: 500,
    exception: 'Error: payment declined',
    clientAddress: '10.0.0.8',
    durationMs: 900,
  }),
];

const cells = (col: string) =>
  screen.getAllByTestId('lgtmapm-transaction-row').map((r) => r.querySelector(`[data-col=${col}]`)!.textContent);

/** The transaction list as the panel renders it (issue 15: Pinpoint's Transaction, Exception and Client columns). */
describe('transaction list columns, rendered (jsdom)', () => {
  it('shows the root span as Transaction, Exception and Client where the spans carry them, trace ids told apart', () => {
    render(
      <TransactionList
        transactions={rows}
        source="loaded"
        height={300}
        width={900}
        onOpen={() => {}}
        formatTime={() => '10:00:00'}
      />
    );
    const headers = Array.from(document.querySelectorAll('[data-testid^=lgtmapm-sort-]')).map((b) =>
      b.textContent!.replace(/ [▲▼]$/, '')
    );
    expect(headers).toEqual([
      'Start time',
      'Transaction',
      'Endpoint',
      'Duration',
      'Status',
      'Exception',
      'Client',
      'Service',
      'Trace ID',
    ]);
    // Slowest first.
    expect(cells('transaction')).toEqual(['GET /cart', 'POST /checkout']);
    expect(cells('exception')).toEqual(['Error: payment declined', '']);
    expect(cells('client')).toEqual(['10.0.0.8', '10.0.0.7']);
    const ids = cells('traceId');
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('leaves out Exception and Client when no span carries them, and keeps the Transaction column when narrow', () => {
    const plain = rows.map(({ exception: _e, clientAddress: _c, ...t }) => t);
    render(
      <TransactionList
        transactions={plain}
        source="loaded"
        height={300}
        width={400}
        onOpen={() => {}}
        formatTime={() => '10:00:00'}
      />
    );
    const headers = Array.from(document.querySelectorAll('[data-testid^=lgtmapm-sort-]')).map((b) =>
      b.textContent!.replace(/ [▲▼]$/, '')
    );
    expect(headers).toEqual(['Start time', 'Transaction', 'Duration', 'Status', 'Trace ID']);
    expect(screen.getAllByTestId('lgtmapm-transaction-row')).toHaveLength(2);
  });
});
