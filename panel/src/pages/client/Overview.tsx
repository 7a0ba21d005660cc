import type { Client } from '../../api';
import { CachingNote } from '../../components/CachingNote';
import { CopyButton } from '../../components/CopyButton';
import { GraceNote } from '../../components/GraceNote';
import { formatDate } from '../../format';
import { modeLabel } from '../../mode';
import { formatCount, type CachingWarning } from '../../usage';
import { clientPath } from './tabs';
import { Link } from '../../components/Link';

/**
 * Who the client is and how it stands: identity, status, quota, when it was made and last used;
 * first of all, whether it fails to cache its tokens.
 */
export function Overview({ client }: { client: Client & { cachingWarning: CachingWarning | null } }) {
  return (
    <section aria-labelledby="tab-h">
      <h2 id="tab-h">Overview</h2>
      <CachingNote warning={client.cachingWarning} />
      {client.cachingWarning && (
        <p>
          <Link to={clientPath(client.id, 'usage')}>See its usage</Link>
        </p>
      )}
      <dl className="details">
        <dt>Client id</dt>
        <dd className="with-copy">
          <code className="wrap">{client.id}</code>
          <CopyButton text={client.id} label="Copy id" context=" of the client" what="client id" />
        </dd>
        <dt>Name</dt>
        <dd>{client.name}</dd>
        <dt>Mode</dt>
        <dd>{modeLabel(client.mode)}</dd>
        <dt>Status</dt>
        <dd>{client.enabled ? 'Enabled' : <span className="off">Disabled</span>}</dd>
        {client.graceEndsAt && (
          <>
            <dt>Previous secret</dt>
            <dd>
              <GraceNote endsAt={client.graceEndsAt} short />
            </dd>
          </>
        )}
        <dt>Scopes</dt>
        <dd>{client.scopes.length ? client.scopes.join(' ') : 'none'}</dd>
        <dt>IP allowlist</dt>
        <dd>{client.allowedIps.length ? client.allowedIps.join(', ') : 'any address'}</dd>
        <dt>Organisation</dt>
        <dd>{client.orgId ?? 'none'}</dd>
        <dt>Token quota</dt>
        <dd>{quotaWords(client)}</dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={client.createdAt}>{formatDate(client.createdAt)}</time>
        </dd>
        <dt>Last used</dt>
        <dd>
          <time dateTime={client.lastUsedAt ?? undefined}>{formatDate(client.lastUsedAt)}</time>
        </dd>
      </dl>
    </section>
  );
}

/** "600 tokens a minute, 50 at once", or "none". */
export const quotaWords = (c: Pick<Client, 'tokensPerMinute' | 'burst'>): string =>
  c.tokensPerMinute === null
    ? 'none'
    : `${formatCount(c.tokensPerMinute)} tokens a minute, ${formatCount(c.burst ?? c.tokensPerMinute)} at once`;
