import { PageHeading } from '../../components/Heading';
import { TotpSetup } from '../../components/TotpSetup';

/**
 * The page a session may open alone while PANEL_REQUIRE_TOTP=1 and an admin has not yet
 * enrolled: two-factor authentication, set up before anything else. (Signed-in operators set it
 * up on the Account page.)
 */
export function Totp({ required }: { required: boolean }) {
  return (
    <div className="narrow">
      <PageHeading>{required ? 'Set up two-factor authentication' : 'Two-factor authentication'}</PageHeading>
      {required && <p>This deployment requires administrators to use an authenticator app. Set it up to continue.</p>}
      <TotpSetup required={required} level={2} />
    </div>
  );
}
