import { type RetirementNotice, retirementNotice } from '../../../usecases/manage-keys.js';
import { retireSigningKeyFor, rotateSigningKeyFor, signingKeysFor } from '../../../usecases/panel-admin.js';
import type { PublicKeyInfo } from '../../../usecases/ports.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { DateTime } from './date-time.js';
import { Mode } from './mode.js';

/** A key as the schema shows it; a retired key carries the notice of what its retirement ended. */
type KeyShape = PublicKeyInfo & { retired?: RetirementNotice };

export const SigningKeyRetirement = builder.objectRef<RetirementNotice>('SigningKeyRetirement').implement({
  description:
    'What retiring a key ends (as `tollgate keys retire` says before --yes): every token it signed dies with it. ' +
    'Tokens are not stored, so they are named by when they were signed and how long they live.',
  fields: (t) => ({
    signedFrom: t.field({
      type: DateTime,
      description: 'When it became its mode’s current key.',
      resolve: (n) => n.signedFrom,
    }),
    signedUntil: t.field({
      type: DateTime,
      description: 'When the next key replaced it: it signed the tokens issued in between.',
      resolve: (n) => n.signedUntil,
    }),
    replacedBy: t.exposeString('replacedBy', { description: 'The kid of the key that replaced it.' }),
    longestTokenLifetimeSeconds: t.int({
      description: 'The longest lifetime of the doors’ expiring tokens.',
      resolve: (n) => n.longestExpiringTtl,
    }),
    expiringTokensVerifiableUntil: t.field({
      type: DateTime,
      description:
        'Until when tokens with an expiry signed by it stay verifiable if it is kept: the last of them expires ' +
        'then. Retiring it before ends them early; after, it ends none of them.',
      resolve: (n) => n.expiringTokensDeadAt,
    }),
    commonTokensNeverExpire: t.exposeBoolean('commonTokensNeverExpire', {
      description:
        'Common-door tokens have no expiry here: every one it signed stays good until it is retired, however old.',
    }),
  }),
});

export const SigningKey = builder.objectRef<KeyShape>('SigningKey').implement({
  description:
    'A token signing key (its public half). The current key of a mode signs; the others still verify until retired.',
  fields: (t) => ({
    kid: t.exposeID('kid'),
    mode: t.field({ type: Mode, resolve: (k) => k.mode }),
    alg: t.exposeString('alg'),
    current: t.exposeBoolean('current'),
    createdAt: t.field({ type: DateTime, resolve: (k) => k.createdAt }),
    retirement: t.field({
      type: SigningKeyRetirement,
      nullable: true,
      description:
        'What retiring it ends, for the confirmation; null for a current key, which cannot be retired. On the ' +
        'answer of retireSigningKey: what its retirement ended.',
      resolve: (k, _args, ctx) =>
        guarded(async () => {
          if (k.retired) return k.retired;
          return k.current ? null : retirementNotice(ctx.deps, k.kid, ctx.config.ttl);
        }),
    }),
  }),
});

/** The signing keys, as admins see them. */
builder.queryField('signingKeys', (t) =>
  t.field({
    type: [SigningKey],
    description:
      'The signing keys, current first: of both modes for panel admins, of the mode called for an admin token.',
    resolve: (_root, _args, ctx) => guarded(async () => signingKeysFor(ctx.deps, await principal(ctx))),
  }),
);

/** Rotation and retirement, as `tollgate keys rotate` and `keys retire` do them (deployment admins). */
builder.mutationFields((t) => ({
  rotateSigningKey: t.field({
    type: SigningKey,
    description:
      'Makes a new current signing key for the mode of the address called (`tollgate keys rotate --mode …`). The ' +
      'old key stays published, so every token it signed stays good. Deployment admins; audited.',
    resolve: (_root, _args, ctx) =>
      guarded(async () => rotateSigningKeyFor(ctx.deps, await principal(ctx), ctx.sourceIp)),
  }),
  retireSigningKey: t.field({
    type: SigningKey,
    description:
      'Deletes a key of the address’s mode that is no longer current (`tollgate keys retire KID --yes`): it leaves ' +
      'the JWKS and every token it signed is refused. Read `SigningKey.retirement` first to say what dies. The ' +
      'current key is refused (BAD_USER_INPUT); a key of the other mode is NOT_FOUND. Deployment admins; audited.',
    args: { kid: t.arg.id({ required: true }) },
    resolve: (_root, { kid }, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        const { key, notice } = await retireSigningKeyFor(ctx.deps, caller, String(kid), ctx.config.ttl, ctx.sourceIp);
        return { ...key, current: false, retired: notice };
      }),
  }),
}));
