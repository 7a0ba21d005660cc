import { PageHeading } from '../../components/Heading';
import { TotpSetup } from '../../components/TotpSetup';
import { useSession } from '../../session';
import { ChangePassword } from './ChangePassword';

/** The operator signed in: who they are, their password, their two-factor authentication. */
export function Account() {
  const { operator } = useSession().session;
  return (
    <div className="narrow">
      <PageHeading>Account</PageHeading>
      <p>
        Signed in as <strong>{operator.email}</strong>, role {operator.role.toLowerCase()}
        {operator.orgId ? `, organisation ${operator.orgId}` : ''}.
      </p>
      <ChangePassword />
      <section aria-labelledby="totp-h">
        <h2 id="totp-h">Two-factor authentication</h2>
        <p>
          Two-factor authentication is {operator.totpEnabled ? 'on' : 'off'}
          {operator.totpEnabled ? ': sign-in asks for a code from your authenticator app.' : '.'}
        </p>
        <TotpSetup required={false} level={3} />
      </section>
    </div>
  );
}
