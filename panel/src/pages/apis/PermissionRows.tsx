import { useEffect, useRef, useState } from 'react';
import type { ApiPermission } from '../../components/apis';

/** One row of the editor: a stable key, so React keeps each row's inputs when one is removed. */
export interface PermissionRow extends ApiPermission {
  key: number;
}

let next = 0;
export const rowOf = (p: ApiPermission = { name: '', description: '' }): PermissionRow => ({ ...p, key: ++next });
export const rowsOf = (list: readonly ApiPermission[]): PermissionRow[] => list.map((p) => rowOf(p));

/** The rows as the server takes them: empty rows dropped, names and descriptions trimmed. */
export const permissionsOf = (rows: readonly PermissionRow[]): ApiPermission[] =>
  rows
    .map((r) => ({ name: r.name.trim(), description: r.description.trim() }))
    .filter((p) => p.name !== '' || p.description !== '');

/**
 * An API's permissions as rows of name and description, each row a group named "Permission N"
 * with its own Remove button. Adding a row moves focus to its name; removing one moves focus to
 * the row that takes its place (or to "Add a permission"), so a keyboard user is never lost.
 */
export function PermissionRows({
  idPrefix,
  rows,
  onChange,
}: {
  idPrefix: string;
  rows: PermissionRow[];
  onChange: (r: PermissionRow[]) => void;
}) {
  const list = useRef<HTMLDivElement>(null);
  const add = useRef<HTMLButtonElement>(null);
  // Where focus goes after the next render: a row's index, or 'add'.
  const [focus, setFocus] = useState<number | 'add' | null>(null);
  useEffect(() => {
    if (focus === null) return;
    if (focus === 'add') add.current?.focus();
    else list.current?.querySelectorAll<HTMLInputElement>('input[data-field="name"]')[focus]?.focus();
    setFocus(null);
  }, [focus]);

  const set = (i: number, patch: Partial<ApiPermission>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const remove = (i: number) => {
    onChange(rows.filter((_, j) => j !== i));
    setFocus(i < rows.length - 1 ? i : 'add');
  };

  return (
    <fieldset className="permissions">
      <legend>Permissions</legend>
      <p className="hint" id={`${idPrefix}-perm-help`}>
        Each a scope token a client may be granted and a token carries in <code>scope</code>, for example{' '}
        <code>invoices:read</code>, with a description of what it allows.
      </p>
      <div ref={list}>
        {rows.length === 0 && <p className="muted">No permissions: tokens for this API carry no scope.</p>}
        {rows.map((r, i) => (
          <fieldset key={r.key} className="permission-row">
            <legend>Permission {i + 1}</legend>
            <p>
              <label htmlFor={`${idPrefix}-perm-${r.key}-name`}>Name</label>
              <input
                id={`${idPrefix}-perm-${r.key}-name`}
                data-field="name"
                className="mono"
                spellCheck={false}
                maxLength={200}
                aria-describedby={`${idPrefix}-perm-help`}
                value={r.name}
                onChange={(e) => set(i, { name: e.target.value })}
              />
            </p>
            <p>
              <label htmlFor={`${idPrefix}-perm-${r.key}-desc`}>Description</label>
              <input
                id={`${idPrefix}-perm-${r.key}-desc`}
                maxLength={500}
                value={r.description}
                onChange={(e) => set(i, { description: e.target.value })}
              />
            </p>
            <p>
              <button type="button" onClick={() => remove(i)}>
                Remove<span className="visually-hidden"> permission {i + 1}</span>
              </button>
            </p>
          </fieldset>
        ))}
      </div>
      <p>
        <button
          type="button"
          ref={add}
          onClick={() => {
            onChange([...rows, rowOf()]);
            setFocus(rows.length);
          }}
        >
          Add a permission
        </button>
      </p>
    </fieldset>
  );
}
