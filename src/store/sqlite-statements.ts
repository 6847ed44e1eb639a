import type Database from 'better-sqlite3';

/** A memoized `db.prepare`: each SQL text is compiled once per connection. */
export type Prepare = (sql: string) => Database.Statement;

/** A {@link Prepare} that caches statements for the life of `db` (closing the db finalizes them). */
export function statementCache(db: Database.Database): Prepare {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}
