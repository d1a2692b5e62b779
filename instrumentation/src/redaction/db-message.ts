/**
 * Database error texts quote the offending value: Postgres `invalid input syntax for type integer:
 * "<bound value>"`, MySQL `Duplicate entry '<value>' for key 'users.email'`. On a DB span those texts
 * become the status message and the exception event, so quoted values are replaced by `?`. A quoted
 * word right after a name of a schema object (`relation "users"`, `constraint "users_email_key"`, `for
 * key 'users.email'`) is an identifier, not data, and is kept because it is what makes the error useful.
 */
const QUOTED = /(\b[A-Za-z_]+\s+)?(["'`])((?:(?!\2)[^\\]|\\.)*)\2/g;
const IDENTIFIER_WORDS = new Set([
  'relation',
  'column',
  'constraint',
  'table',
  'index',
  'key',
  'function',
  'type',
  'schema',
  'database',
  'role',
  'user',
  'sequence',
  'view',
  'trigger',
  'operator',
  'extension',
  'collation',
  'domain',
  'procedure',
]);

export function sanitizeDbMessage(message: string): string {
  if (!message.includes('"') && !message.includes("'") && !message.includes('`')) return message;
  return message.replace(QUOTED, (match, word: string | undefined, quote: string) => {
    if (word && IDENTIFIER_WORDS.has(word.trim().toLowerCase())) return match;
    return `${word ?? ''}${quote}?${quote}`;
  });
}
