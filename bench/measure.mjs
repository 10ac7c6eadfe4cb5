// One table row. Values are numbers (lower is better) or null with a note saying why.
export function makeRow(section, id, metric, unit, fields = {}) {
  return {
    section,
    id,
    metric,
    unit,
    bastion: null,
    anchor: null,
    // The bare SDK server (plain fs behind the same SDK): files rows only.
    bare: null,
    floor: null,
    floorTool: null,
    goal: null,
    notes: [],
    ...fields,
  };
}

// Measure one cell; on failure record a note and return null instead of failing the whole bench.
// A timed-out call may leave a server busy, so its handle is restarted.
export async function measureCell(row, who, handle, fn) {
  try {
    return await fn();
  } catch (err) {
    const message = String(err?.message ?? err)
      .split('\n')[0]
      .slice(0, 200);
    addNote(row, `${who}: ${message}`);
    if (handle && /timed out|timeout/i.test(message)) await handle.restart().catch(() => {});
    return null;
  }
}

// The first line of an error, short enough for a table note.
export function errorMessage(err) {
  return String(err?.message ?? err)
    .split('\n')[0]
    .slice(0, 200);
}

export function addNote(row, note) {
  if (!row.notes.includes(note)) row.notes.push(note);
}

// Count the entries a tool result returned, by a file-name regex over its text (or, when the text
// has none, its structuredContent), to spot truncation.
export function countEntries(result, regex) {
  const text = (result?.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  let n = text.match(regex)?.length ?? 0;
  if (n === 0 && result?.structuredContent)
    n = JSON.stringify(result.structuredContent).match(regex)?.length ?? 0;
  return n;
}
