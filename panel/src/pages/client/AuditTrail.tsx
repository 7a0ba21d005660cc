import type { AuditEvent } from '../../api';
import { formatDate } from '../../format';

/** The detail is JSON text; shown pretty-printed, as text. */
const pretty = (detail: string): string => {
  try {
    const v = JSON.parse(detail) as unknown;
    if (v && typeof v === 'object' && Object.keys(v).length === 0) return '';
    return JSON.stringify(v);
  } catch {
    return detail;
  }
};

export function AuditTrail({ events }: { events: AuditEvent[] }) {
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit trail</h2>
      {events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <table>
          <caption>Newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Actor</th>
              <th scope="col">Source address</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.at}>{formatDate(e.at)}</time>
                </td>
                <td>{e.action}</td>
                <td>{e.actor}</td>
                <td>{e.sourceIp ?? '—'}</td>
                <td>
                  <code className="wrap">{pretty(e.detail)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
