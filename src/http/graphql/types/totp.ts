import { builder } from '../builder.js';

export const TotpEnrollment = builder.objectRef<{ secret: string; uri: string }>('TotpEnrollment').implement({
  description: 'A TOTP secret offered for enrolment; it is on only once a code from it is confirmed.',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'Base32, for typing into an authenticator.' }),
    otpauthUri: t.exposeString('uri', { description: 'otpauth://totp/… for a QR code.' }),
  }),
});

export const TotpRecoveryCodes = builder.objectRef<{ recoveryCodes: string[] }>('TotpRecoveryCodes').implement({
  description: 'Ten one-time codes for a lost authenticator, shown only this once.',
  fields: (t) => ({ recoveryCodes: t.exposeStringList('recoveryCodes') }),
});
