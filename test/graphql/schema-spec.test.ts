import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';

/**
 * The committed SDL (kept equal to the code by schema-drift.test.ts) against spec §5, by hand,
 * with the fields the developer panel uses (issue 15: "in the committed SDL, so scripts can do
 * what the panel does").
 */
const schema: GraphQLSchema = buildSchema(readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8'));

function fields(typeName: string): Record<string, string> {
  const type = schema.getType(typeName);
  if (!isObjectType(type) && !isInterfaceType(type)) throw new Error(`${typeName} is no object or interface type`);
  const sig = (f: GraphQLField<unknown, unknown>) =>
    (f.args.length ? `(${f.args.map((a) => `${a.name}: ${String(a.type)}`).join(', ')})` : '') + `: ${String(f.type)}`;
  return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, sig(f)]));
}

describe('schema/schema.graphql follows spec §5', () => {
  it('has the root fields of the spec, and no Relay node lookup', () => {
    expect(fields('Query')).toEqual({
      viewer: ': Client',
      clients: '(after: String, first: Int, search: String): ClientConnection!',
      client: '(id: ID!): Client',
      me: ': PanelSession',
      operators: ': [Operator!]!',
      signingKeys: ': [SigningKey!]!',
      apis: ': [Api!]!',
      api: '(identifier: String!): Api',
    });
    expect(fields('Mutation')).toEqual({
      issueToken: '(input: IssueTokenInput!): IssueTokenResult!',
      rotateClientSecret: '(clientId: ID, graceSeconds: Int): RotatedSecret!',
      createClient: '(input: CreateClientInput!): CreateClientPayload!',
      updateClient: '(input: UpdateClientInput!): Client!',
      disableClient: '(id: ID!): Client!',
      enableClient: '(id: ID!): Client!',
      signIn: '(input: SignInInput!): SignInPayload!',
      signOut: ': Boolean!',
      completeSetup: '(input: CompleteSetupInput!): Operator!',
      beginTotpEnrollment: ': TotpEnrollment!',
      confirmTotpEnrollment: '(code: String!): TotpRecoveryCodes!',
      createApi: '(input: CreateApiInput!): Api!',
      updateApi: '(input: UpdateApiInput!): Api!',
      deleteApi: '(force: Boolean, identifier: String!): Api!',
      setGrant: '(clientId: ID!, identifier: String!, permissions: [String!]!): Grant!',
      removeGrant: '(clientId: ID!, identifier: String!): Grant!',
      // What the CLI does for people, for the panel too (issue 29, item 11).
      rotateSigningKey: ': SigningKey!',
      retireSigningKey: '(kid: ID!): SigningKey!',
      inviteOperator: '(input: InviteOperatorInput!): OperatorInvite!',
      changePassword: '(input: ChangePasswordInput!): Boolean!',
      disableOperator: '(email: String!): Operator!',
      resetOperator: '(email: String!): OperatorInvite!',
      deleteClient: '(id: ID!): Client!',
    });
  });

  it('has the APIs and grants of spec §8', () => {
    expect(fields('Api')).toEqual({
      id: ': ID!',
      identifier: ': String!',
      name: ': String!',
      mode: ': Mode!',
      permissions: ': [ApiPermission!]!',
      tokenTtlSeconds: ': Int',
      alg: ': String',
      createdAt: ': DateTime!',
      updatedAt: ': DateTime!',
      grants: ': [Grant!]!',
    });
    expect(fields('ApiPermission')).toEqual({ name: ': String!', description: ': String!' });
    expect(fields('Grant')).toEqual({
      clientId: ': ID!',
      client: ': Client',
      api: ': Api!',
      permissions: ': [String!]!',
      createdAt: ': DateTime!',
      updatedAt: ': DateTime!',
    });
  });

  it('has the panel’s types, none holding a password, hash or session id', () => {
    expect(fields('Operator')).toEqual({
      id: ': ID!',
      email: ': String!',
      role: ': OperatorRole!',
      orgId: ': String',
      enabled: ': Boolean!',
      totpEnabled: ': Boolean!',
      createdAt: ': DateTime!',
    });
    expect(fields('PanelSession')).toEqual({
      operator: ': Operator!',
      expiresAt: ': DateTime!',
      totpEnrollmentRequired: ': Boolean!',
    });
    expect(fields('SignInPayload')).toEqual({ session: ': PanelSession', totpRequired: ': Boolean!' });
    expect(fields('SigningKey')).toEqual({
      kid: ': ID!',
      mode: ': Mode!',
      alg: ': String!',
      current: ': Boolean!',
      createdAt: ': DateTime!',
      retirement: ': SigningKeyRetirement',
    });
    expect(fields('SigningKeyRetirement')).toEqual({
      signedFrom: ': DateTime!',
      signedUntil: ': DateTime!',
      replacedBy: ': String!',
      longestTokenLifetimeSeconds: ': Int!',
      expiringTokensVerifiableUntil: ': DateTime!',
      commonTokensNeverExpire: ': Boolean!',
    });
    expect(fields('OperatorInvite')).toEqual({
      operator: ': Operator!',
      setupUrl: ': String!',
      expiresAt: ': DateTime!',
    });
    expect(fields('AuditEvent').summary).toBe(': String!');
  });

  it('answers issueToken with the union of a grant and errors implementing Error', () => {
    const union = schema.getType('IssueTokenResult');
    expect(isUnionType(union)).toBe(true);
    const members = isUnionType(union)
      ? union
          .getTypes()
          .map((t) => t.name)
          .sort()
      : [];
    expect(members).toEqual([
      'AccessDeniedError',
      'InvalidClientError',
      'InvalidRequestError',
      'InvalidScopeError',
      'InvalidTargetError',
      'RateLimitedError',
      'TokenGrant',
    ]);
    expect(fields('Error')).toEqual({ code: ': String!', message: ': String!' });
    for (const name of members.filter((m) => m !== 'TokenGrant')) {
      const type = schema.getType(name);
      expect(isObjectType(type) && type.getInterfaces().map((i) => i.name)).toEqual(['Error']);
    }
    expect(fields('InvalidRequestError').field).toBe(': String');
    expect(fields('RateLimitedError').retryAfterSeconds).toBe(': Int!');
    expect(fields('TokenGrant')).toEqual({
      accessToken: ': String!',
      tokenType: ': String!',
      expiresIn: ': Int',
      scope: ': String!',
    });
  });

  it('has the Client, RotatedSecret and CreateClientPayload of the spec', () => {
    expect(fields('Client')).toEqual({
      id: ': ID!',
      name: ': String!',
      mode: ': Mode!',
      scopes: ': [String!]!',
      allowedIps: ': [String!]!',
      orgId: ': String',
      enabled: ': Boolean!',
      secretGeneration: ': Int!',
      createdAt: ': DateTime!',
      graceEndsAt: ': DateTime',
      lastUsedAt: ': DateTime',
      auditTrail: '(first: Int): [AuditEvent!]!',
      grants: ': [Grant!]!',
      tokensPerMinute: ': Int',
      burst: ': Int',
      usage: '(from: DateTime!, granularity: UsageGranularity!, to: DateTime!): [UsageBucket!]!',
      cachingWarning: ': CachingWarning',
    });
    expect(fields('UsageBucket')).toEqual({
      start: ': DateTime!',
      door: ': String!',
      issued: ': Int!',
      checks: ': Int!',
      failures: ': [UsageFailure!]!',
    });
    expect(fields('RotatedSecret')).toEqual({
      clientId: ': ID!',
      clientSecret: ': String!',
      generation: ': Int!',
      graceEndsAt: ': DateTime',
    });
    expect(fields('CreateClientPayload')).toEqual({ client: ': Client!', clientSecret: ': String!' });
  });

  it('takes the inputs of the spec', () => {
    const inputs = (name: string) => {
      const type = schema.getType(name);
      if (!type || !('getFields' in type)) throw new Error(name);
      return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, String(f.type)]));
    };
    expect(inputs('IssueTokenInput')).toEqual({
      clientId: 'String',
      clientSecret: 'String',
      scope: 'String',
      audience: 'String',
    });
    expect(inputs('CreateApiInput')).toEqual({
      identifier: 'String!',
      name: 'String!',
      permissions: '[ApiPermissionInput!]',
      tokenTtlSeconds: 'Int',
      alg: 'String',
    });
    expect(inputs('UpdateApiInput')).toEqual({
      identifier: 'String!',
      name: 'String',
      permissions: '[ApiPermissionInput!]',
      tokenTtlSeconds: 'Int',
      clearTokenTtl: 'Boolean',
    });
    expect(inputs('CreateClientInput')).toEqual({
      name: 'String!',
      scopes: '[String!]',
      allowedIps: '[String!]',
      orgId: 'String',
    });
    expect(inputs('UpdateClientInput')).toEqual({
      id: 'ID!',
      name: 'String',
      scopes: '[String!]',
      allowedIps: '[String!]',
      enabled: 'Boolean',
      tokensPerMinute: 'Int',
      burst: 'Int',
    });
  });
});
