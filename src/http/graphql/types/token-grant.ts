import { builder } from '../builder.js';

export interface TokenGrantShape {
  kind: 'TokenGrant';
  accessToken: string;
  tokenType: string;
  expiresIn: number | null;
  scope: string;
}

/** A successful client credentials exchange. @see RFC 6749 §5.1 */
export const TokenGrant = builder.objectRef<TokenGrantShape>('TokenGrant').implement({
  description: 'An access token (an RFC 9068 JWT) for the client.',
  isTypeOf: (v) => (v as TokenGrantShape).kind === 'TokenGrant',
  fields: (t) => ({
    accessToken: t.exposeString('accessToken'),
    tokenType: t.exposeString('tokenType', { description: 'Always Bearer.' }),
    expiresIn: t.exposeInt('expiresIn', { nullable: true, description: 'Lifetime in seconds.' }),
    scope: t.exposeString('scope', { description: 'The granted scopes, space-separated.' }),
  }),
});
