import type { OperatorView } from '../../../domain/operator.js';
import { builder } from '../builder.js';
import { DateTime } from './date-time.js';
import { Operator } from './operator.js';

export interface PanelSessionShape {
  operator: OperatorView;
  expiresAt: number;
  totpEnrollmentRequired: boolean;
}

export const PanelSession = builder.objectRef<PanelSessionShape>('PanelSession').implement({
  description: 'A signed-in panel session (its id lives only in an HttpOnly cookie).',
  fields: (t) => ({
    operator: t.field({ type: Operator, resolve: (s) => s.operator }),
    expiresAt: t.field({ type: DateTime, description: 'The absolute end; an idle session ends sooner.', resolve: (s) => s.expiresAt }),
    totpEnrollmentRequired: t.exposeBoolean('totpEnrollmentRequired', {
      description: 'PANEL_REQUIRE_TOTP is on and this admin has no TOTP yet: nothing but enrolment works until it is set up.',
    }),
  }),
});
