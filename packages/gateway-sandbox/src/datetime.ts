/** The gateway's date-times (register's expirationDate, a cart's orderCreationDate): one parser for both. */

const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

/**
 * yyyy-MM-ddTHH:mm:ss in UTC+3, or undefined. Date.parse alone would accept 2030-02-30 (rolled over to
 * March) or T24:00:00 (next midnight), so the parsed instant must give back exactly the components written.
 */
export function parseMoscowDateTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const same =
    wall.getUTCFullYear() === y &&
    wall.getUTCMonth() === mo - 1 &&
    wall.getUTCDate() === d &&
    wall.getUTCHours() === h &&
    wall.getUTCMinutes() === mi &&
    wall.getUTCSeconds() === s;
  return same ? wall.getTime() - MOSCOW_OFFSET_MS : undefined;
}
