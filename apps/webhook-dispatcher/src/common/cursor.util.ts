/**
 * Opaque pagination cursors over ULID ids (which sort by creation time). Ids, not timestamps:
 * Postgres keeps microseconds that a JavaScript Date would round away, repeating a row.
 */
export function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodeCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^(wh|dlv)_[0-9A-Za-z]{26}$/.test(id) ? id : undefined;
}
