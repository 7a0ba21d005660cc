/**
 * Whether a JSON text, already known to parse, names one key twice in an object. JSON.parse keeps
 * the last, so `{"client_id":"a","client_id":"b"}` would be read as b by us and as a by a proxy or
 * a logger in front: an ambiguous request, refused like a repeated form field (spec §2).
 * Keys are compared decoded (`"a"` and `"\u0061"` are one key). @see RFC 8259 §4
 */
export function repeatsAKey(text: string): boolean {
  const objects: Array<Set<string> | null> = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = i + 1;
      let escaped = false;
      while (text.charCodeAt(end) !== 0x22) {
        if (text.charCodeAt(end) === 0x5c) {
          escaped = true;
          end++;
        }
        end++;
      }
      if (keyNext) {
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        const keys = objects[objects.length - 1]!;
        if (keys.has(key)) return true;
        keys.add(key);
        keyNext = false;
      }
      i = end;
    } else if (c === 0x7b) {
      objects.push(new Set());
      keyNext = true;
    } else if (c === 0x5b) {
      objects.push(null);
      keyNext = false;
    } else if (c === 0x7d || c === 0x5d) {
      objects.pop();
      keyNext = false;
    } else if (c === 0x2c) {
      keyNext = objects[objects.length - 1] != null;
    }
  }
  return false;
}
