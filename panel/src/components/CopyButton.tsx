import { useEffect, useState } from 'react';

/**
 * A button that puts `text` on the clipboard (navigator.clipboard), and says so next to it in
 * a status region, so a screen reader hears "Copied" too. When the browser refuses, it says how
 * to copy by hand instead. `label` is the visible text ("Copy id"), `context` what the name adds
 * for a screen reader where many such buttons share a page (" of billing"); `what` names the
 * thing in the refusal.
 */
export function CopyButton(props: { text: string; label: string; context?: string; what: string }) {
  const { text, label, context, what } = props;
  const [said, setSaid] = useState<string | null>(null);
  // The word stays a few seconds, then goes, so a second copy is announced again.
  useEffect(() => {
    if (said === null) return;
    const t = setTimeout(() => setSaid(null), 4000);
    return () => clearTimeout(t);
  }, [said]);
  const copy = async () => {
    setSaid(null);
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied');
    } catch {
      setSaid(`Select the ${what} and copy it (Ctrl+C or ⌘C): the browser refused clipboard access.`);
    }
  };
  return (
    <span className="copy">
      <button type="button" className="copy-button" onClick={() => void copy()}>
        {label}
        {context && <span className="visually-hidden">{context}</span>}
      </button>
      <span role="status" className="copy-status">
        {said}
      </span>
    </span>
  );
}
