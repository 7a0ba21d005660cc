import type { Mode } from '../../api';

/** Live or Test: which address the panel asks (`/graphql` or `/test/graphql`). */
export function ModeSwitch({ mode, onChange }: { mode: Mode; onChange: (m: Mode) => void }) {
  return (
    <fieldset className="mode-switch">
      <legend>Mode</legend>
      {(['LIVE', 'TEST'] as const).map((m) => (
        <label key={m} className={m === mode ? 'on' : undefined}>
          <input type="radio" name="mode" value={m} checked={m === mode} onChange={() => onChange(m)} />
          {m === 'LIVE' ? 'Live' : 'Test'}
        </label>
      ))}
    </fieldset>
  );
}
