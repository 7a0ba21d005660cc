import type { AuditEvent } from '../../api';
import { formatDate } from '../../format';

/** The detail is JSON text; pretty-printed, as text; null when it says nothing (`{}`). */
const pretty = (detail: string): string | null => {
  try {
    const v = JSON.parse(detail) as unknown;
    if (v && typeof v === 'object' && Object.keys(v).length === 0) return null;
    return JSON.stringify(v, null, 2);
  } catch {
    return detail;
  }
};

/**
 * The client's activity, newest first: each event in the server's words ("Secret rotated, 1 h
 * grace, by you@example.test from 127.0.0.1"), its action code, and the recorded detail, as
 * stored, behind a disclosure.
 */
export function AuditTrail({ events }: { events: AuditEvent[] }) {
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit trail</h2>
      {events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <div className="table-box">
          <table className="audit">
            <caption>Newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What happened</th>
                <th scope="col">Action</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => {
                const detail = pretty(e.detail);
                return (
                  <tr key={e.id}>
                    <td>
                      <time dateTime={e.at}>{formatDate(e.at)}</time>
                    </td>
                    <td>{e.summary}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      <details>
                        <summary>
                          Recorded detail<span className="visually-hidden"> of {e.summary}</span>
                        </summary>
                        <dl className="details">
                          <dt>Actor</dt>
                          <dd>
                            <code className="wrap">{e.actor}</code>
                          </dd>
                          <dt>Source address</dt>
                          <dd>{e.sourceIp ?? '—'}</dd>
                        </dl>
                        {detail === null ? (
                          <p className="muted">No further detail.</p>
                        ) : (
                          <pre className="snippet">
                            <code>{detail}</code>
                          </pre>
                        )}
                      </details>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
