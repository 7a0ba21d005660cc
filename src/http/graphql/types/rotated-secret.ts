import { builder } from '../builder.js';

export interface RotatedSecretShape {
  clientId: string;
  clientSecret: string;
  generation: number;
}

export const RotatedSecret = builder.objectRef<RotatedSecretShape>('RotatedSecret').implement({
  description: 'A new secret, shown only this once.',
  fields: (t) => ({
    clientId: t.exposeID('clientId'),
    clientSecret: t.exposeString('clientSecret'),
    generation: t.exposeInt('generation', { description: 'The new secret generation.' }),
  }),
});
