import { builder } from '../builder.js';
import { PanelSession, type PanelSessionShape } from './panel-session.js';

export const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    code: t.string({ description: 'A TOTP code, or one of the recovery codes, when the operator has enrolled.' }),
  }),
});

export interface SignInPayloadShape {
  session: PanelSessionShape | null;
  totpRequired: boolean;
}

export const SignInPayload = builder.objectRef<SignInPayloadShape>('SignInPayload').implement({
  description: 'Signed in (the session cookie is set), or asked for the second factor: send email, password and code again.',
  fields: (t) => ({
    session: t.field({ type: PanelSession, nullable: true, resolve: (p) => p.session }),
    totpRequired: t.exposeBoolean('totpRequired'),
  }),
});

export const CompleteSetupInput = builder.inputType('CompleteSetupInput', {
  fields: (t) => ({
    token: t.string({ required: true, description: 'From the setup link (after #token=).' }),
    email: t.string({ description: "Only for the first admin's link; other links belong to an operator already." }),
    password: t.string({ required: true, description: 'At least 12 characters.' }),
  }),
});
