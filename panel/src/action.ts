import { useState } from 'react';
import { messageOf } from './api';

export interface Action {
  /** True while `run` is at work: forms disable their buttons. */
  busy: boolean;
  /** The last failure's message, for `<ErrorText>`; null when there is none. */
  error: string | null;
  /** For a page's own checks before it calls the server, and its own verdicts after. */
  setError: (message: string | null) => void;
  /** Runs `work` with `busy` set and the last error cleared; if it throws, its message becomes `error`. */
  run: (work: () => Promise<void>) => Promise<void>;
}

/** One thing a page does on the operator's request (a form's submit, a button), with its busy and error state. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
