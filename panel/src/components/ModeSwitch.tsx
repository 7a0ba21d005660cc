import type { Mode } from '../api';
import { modeLabel } from '../mode';

/** Live or Test: which address the panel asks (`/graphql` or `/test/graphql`), on every page that has modes. */
export function ModeSwitch({ mode, onChange }: { mode: Mode; onChange: (m: Mode) => void }) {
  return (
    <fieldset className="mode-switch">
      <legend>Mode</legend>
      {(['LIVE', 'TEST'] as const).map((m) => (
        <label key={m} className={m === mode ? 'on' : undefined}>
          <input type="radio" name="mode" value={m} checked={m === mode} onChange={() => onChange(m)} />
          {modeLabel(m)}
        </label>
      ))}
    </fieldset>
  );
}
