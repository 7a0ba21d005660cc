import { replaySelfRotation, rotateClientSecret } from '../../../usecases/clients/rotate.js';
import { actorFor } from '../../../domain/access.js';
import { bearer, operator, signedClaims } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { credentialCheck } from '../rules/one-credential-check.js';
import { RotatedSecret } from '../types/rotated-secret.js';

/**
 * Self-service rotation (no clientId: the caller's own secret, so the token used dies with it
 * unless a grace keeps it), or an admin rotating another client of this mode. Honours
 * Idempotency-Key like createClient.
 */
builder.mutationField('rotateClientSecret', (t) =>
  t.field({
    type: RotatedSecret,
    description:
      "Replaces a secret and bumps its generation (Bearer, or a panel session naming clientId). Without clientId, the calling client's own; with it, tollgate:admin (or the panel role) is needed. With an Idempotency-Key header, a retry within 24 h returns the first answer, even with the token a self-rotation killed.",
    extensions: credentialCheck,
    args: {
      clientId: t.arg.id(),
      graceSeconds: t.arg.int({ description: 'Keep the old secret and its tokens valid this long (default 0).' }),
    },
    resolve: (_root, { clientId, graceSeconds }, ctx) =>
      guarded(async () => {
        const grace = graceSeconds ?? 0;
        const key = ctx.idempotencyKey;
        if (ctx.authorization === undefined && ctx.sessionCookie !== undefined) {
          // A person in the panel: always names the client; the core decides by role and organisation.
          const person = await operator(ctx);
          const rotated = await rotateClientSecret(ctx.deps, person, { clientId: clientId ?? undefined, graceSeconds: grace, key, actor: actorFor(person, ctx.sourceIp) });
          return { clientId: rotated.client.id, clientSecret: rotated.clientSecret, generation: rotated.generation };
        }
        let valid;
        try {
          valid = await bearer(ctx);
        } catch (refused) {
          const claims = key !== undefined && (clientId === null || clientId === undefined) ? await signedClaims(ctx) : undefined;
          const replay = claims && (await replaySelfRotation(ctx.deps, claims, ctx.mode, { key: key!, graceSeconds: grace }));
          if (!replay) throw refused;
          return { clientId: replay.client.id, clientSecret: replay.clientSecret, generation: replay.generation };
        }
        const caller = { kind: 'client', clientId: valid.client.id, mode: ctx.mode, scopes: valid.scopes, orgId: valid.client.orgId, tokenId: valid.claims.jti } as const;
        const rotated = await rotateClientSecret(ctx.deps, caller, { clientId: clientId ?? undefined, graceSeconds: grace, key, actor: actorFor(caller, ctx.sourceIp) });
        return { clientId: rotated.client.id, clientSecret: rotated.clientSecret, generation: rotated.generation };
      }),
  }),
);
