import { sql, type Kysely } from 'kysely';

/**
 * Splits a migration's SQL script into statements and runs them one by one: PGlite (through Kysely)
 * uses the extended protocol, which takes one statement per query. Splits on `;` at the end of a line,
 * outside `$$ … $$` bodies; `--` comment lines are dropped.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  let inDollar = false;
  for (const line of script.split('\n')) {
    const trimmed = line.trim();
    if (!inDollar && (trimmed === '' || trimmed.startsWith('--'))) continue;
    current.push(line);
    const dollars = (line.match(/\$\$/g) ?? []).length;
    if (dollars % 2 === 1) inDollar = !inDollar;
    if (!inDollar && trimmed.endsWith(';')) {
      statements.push(current.join('\n').trim().replace(/;$/, ''));
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest) statements.push(rest);
  return statements;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runScript(db: Kysely<any>, script: string): Promise<void> {
  for (const statement of splitStatements(script)) {
    await sql.raw(statement).execute(db);
  }
}
