import type { Mode } from '../api';
import { chooseMode, panelMode, switchTarget } from '../mode';
import { navigate, useLocation } from '../router';

/**
 * The header's Live/Test switch, as Stripe's test-mode toggle: on every page, a switch named
 * "Test mode", on when the page shows test data. Turning it remembers the choice (the panel
 * opens on it next time) and shows the same page in the other mode where there is one.
 */
export function TestModeSwitch() {
  const loc = useLocation();
  const mode = panelMode(loc);
  const turn = () => {
    const next: Mode = mode === 'TEST' ? 'LIVE' : 'TEST';
    chooseMode(next);
    const to = switchTarget(loc, next);
    if (to) navigate(to);
    else navigate(`${loc.path}`, { replace: true });
  };
  return (
    <p className={`test-mode${mode === 'TEST' ? ' on' : ''}`}>
      <button type="button" role="switch" aria-checked={mode === 'TEST'} id="test-mode" onClick={turn}>
        <span className="track" aria-hidden="true">
          <span className="thumb" />
        </span>
        Test mode
      </button>
      {mode === 'TEST' && (
        <span className="test-badge" id="test-mode-note">
          Showing test data
        </span>
      )}
    </p>
  );
}
