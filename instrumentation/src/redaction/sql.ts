/**
 * Replaces literals in SQL text with `?` so values typed into queries (emails, tokens, ids) are not
 * exported, while the statement shape stays readable for grouping slow queries. Placeholders such as
 * `$1`, `?`, `:name` are kept because they carry no data.
 */
export function sanitizeSql(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'") {
      // String literal with '' escapes.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      out += '?';
      i = j + 1;
      continue;
    }
    if (ch === '$' && sql[i + 1] === '$') {
      // Postgres dollar-quoted body: keep as-is, it is code (functions), not data.
      const end = sql.indexOf('$$', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (/[0-9]/.test(ch) && !/[A-Za-z0-9_$.]/.test(sql[i - 1] ?? ' ')) {
      const number = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(sql.slice(i))![0];
      const j = i + number.length;
      if (!/[A-Za-z_]/.test(sql[j] ?? ' ')) {
        out += '?';
        i = j;
        continue;
      }
    }
    if (/[A-Za-z_$]/.test(ch)) {
      // Identifiers and placeholders ($1, :name) pass through whole so their digits are kept.
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
