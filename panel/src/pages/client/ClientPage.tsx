import { useCallback, useEffect, useState } from 'react';
import { CLIENT_FIELDS, gql, messageOf, modeOfClientId, type AuditEvent, type Client } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { modeLabel, modeQuery } from '../../mode';
import { canWrite, useRole } from '../../session';
import { AuditTrail } from './AuditTrail';
import { ClientGrants } from './ClientGrants';
import { Credentials } from './Credentials';
import { Overview } from './Overview';
import { CACHING_FIELDS, type CachingWarning } from '../../usage';
import { Settings } from './Settings';
import { CLIENT_TABS, clientPath, TAB_LABELS, type ClientTab } from './tabs';
import { Usage } from './Usage';

type Full = Client & { auditTrail: AuditEvent[]; cachingWarning: CachingWarning | null };
const FULL = `${CLIENT_FIELDS} ${CACHING_FIELDS} auditTrail(first: 50) { id at action actor clientId sourceIp detail summary }`;

/**
 * One client, as Auth0's application page: its name and status above a row of tabs, each tab
 * its own address. The tabs are a navigation of links (`aria-current="page"` on the open one),
 * not an ARIA tablist: each is a page one can link to, reload, open in a new tab, and go back
 * to, which is what links are; a tablist promises arrow keys and panels swapped in place.
 */
export function ClientPage({ id, tab }: { id: string; tab: ClientTab }) {
  const mode = modeOfClientId(id);
  const writer = canWrite(useRole());
  const [client, setClient] = useState<Full | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const d = await gql<{ client: Full | null }>(
        `query Client($id: ID!) { client(id: $id) { ${FULL} } }`,
        { id },
        mode,
      );
      setClient(d.client);
      setLoadError(null);
    } catch (e) {
      setClient(null);
      setLoadError(messageOf(e));
    }
  }, [id, mode]);
  useEffect(() => void load(), [load]);

  if (client === undefined) return <p role="status">Loading…</p>;
  if (client === null) {
    return (
      <>
        <PageHeading>Client not found</PageHeading>
        <ErrorText error={loadError} />
        <p>
          No client <code>{id}</code> that you may see.{' '}
          <Link to={`/clients${modeQuery(mode)}`}>Back to the clients</Link>
        </p>
      </>
    );
  }

  return (
    <>
      <p className="crumbs">
        <Link to={`/clients${modeQuery(mode)}`}>{modeLabel(mode)} clients</Link>
      </p>
      <div className="client-head">
        <PageHeading>{client.name}</PageHeading>
        <span className={`badge${client.enabled ? '' : ' off'}`}>{client.enabled ? 'Enabled' : 'Disabled'}</span>
      </div>
      <nav aria-label="Client sections" className="tabs">
        <ul>
          {CLIENT_TABS.map((t) => (
            <li key={t}>
              <Link to={clientPath(client.id, t)}>{TAB_LABELS[t]}</Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === '' && <Overview client={client} />}
      {tab === 'credentials' && <Credentials client={client} writer={writer} onChanged={() => void load()} />}
      {tab === 'settings' && <Settings client={client} writer={writer} onChanged={load} />}
      {tab === 'apis' && <ClientGrants client={client} writer={writer} />}
      {tab === 'usage' && <Usage client={client} />}
      {tab === 'activity' && <AuditTrail events={client.auditTrail} />}
    </>
  );
}
