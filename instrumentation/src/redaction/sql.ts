/**
 * Replaces literals in SQL text with `?` so values typed into queries (emails, tokens, ids) are not
 * exported, while the statement shape stays readable for grouping slow queries. Placeholders such as
 * `$1`, `?`, `:name` are kept because they carry no data.
 *
 * Literal forms covered: '…' (with '' escapes; for MySQL also backslash escapes), E'…' / e'…'
 * (Postgres escape strings, backslash escapes), MySQL "…" strings (in MySQL double quotes make a string
 * unless ANSI_QUOTES is on; in Postgres and the standard they quote identifiers, which are kept),
 * numbers, hex and binary literals (0x…, 0b…; X'…', B'…' through the quote rule) and Postgres
 * dollar-quoted strings ($$…$$, $tag$…$tag$). Dollar-quoted strings are replaced whole: they are string
 * literals to the parser, and while they usually hold a function body (DO, CREATE FUNCTION), nothing
 * stops an app from quoting a value that way; `LGTM_APM_DB_STATEMENT=raw` shows them.
 */
export type SqlDialect = 'standard' | 'mysql';

const MYSQL_SYSTEMS = new Set(['mysql', 'mariadb', 'tidb']);

/** The dialect to sanitise a statement with, from the span's `db.system.name` / `db.system`. */
export function sqlDialectOf(system: unknown): SqlDialect {
  return typeof system === 'string' && MYSQL_SYSTEMS.has(system) ? 'mysql' : 'standard';
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_$]/;

/** Index just past the closing quote of the literal opening at `start` (or the end of the text). */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let j = start + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslashEscapes && c === '\\') j += 2;
    else if (c === quote && sql[j + 1] === quote) j += 2;
    else if (c === quote) return j + 1;
    else j++;
  }
  return sql.length;
}

export function sanitizeSql(sql: string, dialect: SqlDialect = 'standard'): string {
  const mysql = dialect === 'mysql';
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || (ch === '"' && mysql)) {
      out += '?';
      i = skipQuoted(sql, i, ch, mysql);
      continue;
    }
    if (ch === '$') {
      // $1 is a placeholder; $$…$$ and $tag$…$tag$ are dollar-quoted strings.
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        out += '?';
        i = end === -1 ? sql.length : end + tag[0].length;
        continue;
      }
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (/[0-9]/.test(ch) && !IDENT_PART.test(sql[i - 1] ?? ' ')) {
      const number =
        /^(?:0[xX][0-9A-Fa-f_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)/.exec(
          sql.slice(i, i + 400),
        )![0];
      const j = i + number.length;
      if (!IDENT_START.test(sql[j] ?? ' ')) {
        out += '?';
        i = j;
        continue;
      }
    }
    if (IDENT_START.test(ch)) {
      // Identifiers and named placeholders (:name) pass through whole so their digits are kept.
      let j = i + 1;
      while (j < sql.length && IDENT_PART.test(sql[j]!)) j++;
      // E'…' is a Postgres escape string: backslash escapes a quote inside it.
      if (j === i + 1 && (ch === 'E' || ch === 'e') && sql[j] === "'") {
        out += '?';
        i = skipQuoted(sql, j, "'", true);
        continue;
      }
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
