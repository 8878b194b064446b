/**
 * The rows of a raw `manager.query()`: TypeORM's PostgreSQL driver answers `[rows, affectedCount]` for UPDATE and
 * DELETE (also with RETURNING), but the rows themselves for SELECT and INSERT.
 */
export function rowsOf<T = unknown>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') {
    return raw[0] as T[];
  }
  return raw as T[];
}
