import { beginTotpEnrolment, confirmTotpEnrolment } from '../../../usecases/totp-enrolment.js';
import { operator } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';

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

/** Two-step sign-in for the signed-in operator (panel session only). */
builder.mutationFields((t) => ({
  beginTotpEnrollment: t.field({
    type: TotpEnrollment,
    description: 'Offers a new TOTP secret for the signed-in operator; it is on once confirmed with a code.',
    resolve: (_root, _args, ctx) => guarded(async () => beginTotpEnrolment(ctx.deps, await operator(ctx))),
  }),
  confirmTotpEnrollment: t.field({
    type: TotpRecoveryCodes,
    description: 'Turns TOTP on with a code from the offered secret; answers the recovery codes, once.',
    args: { code: t.arg.string({ required: true }) },
    resolve: (_root, { code }, ctx) =>
      guarded(async () => confirmTotpEnrolment(ctx.deps, await operator(ctx), code, ctx.sourceIp)),
  }),
}));
