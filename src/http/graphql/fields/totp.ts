import { beginTotpEnrolment, confirmTotpEnrolment } from '../../../usecases/totp-enrolment.js';
import { operator } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { TotpEnrollment, TotpRecoveryCodes } from '../types/totp.js';

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
    resolve: (_root, { code }, ctx) => guarded(async () => confirmTotpEnrolment(ctx.deps, await operator(ctx), code, ctx.sourceIp)),
  }),
}));
