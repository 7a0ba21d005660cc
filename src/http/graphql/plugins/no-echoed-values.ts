import type { Plugin } from 'graphql-yoga';

const ANY_VARIABLE = /^Variable "\$/;
const VARIABLE = /^(Variable "\$[^"]+") got invalid value /;
const VARIABLE_PATH = / at "(\$?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*)"; /;
const LITERAL = /^(Expected value of type "[^"]+"), found /;
const SCALAR = /^((?:String|Int|Float|Boolean|ID) cannot represent [^:]*):/;

/**
 * graphql-js quotes a value of the wrong type back in its message (`… got invalid value
 * ["sk_live_…"] …`). A secret sent as a list or an object would come back in an error and land
 * in the caller's logs; the message keeps where and what, never the value.
 */
export function scrubValue(message: string): string {
  const variable = VARIABLE.exec(message);
  if (variable) {
    const at = VARIABLE_PATH.exec(message);
    return `${variable[1]} got an invalid value${at ? ` at "${at[1]}"` : ''}.`;
  }
  const literal = LITERAL.exec(message) ?? SCALAR.exec(message);
  return literal ? `${literal[1]}.` : message;
}

/**
 * Anything in a message that looks like a Tollgate credential: a client secret (`sk_live_…`,
 * `sk_test_…`), a refresh token (`rt_…`) or a JWT (`eyJ…`, with or without its dots), whole or
 * in part. graphql-js and yoga quote names back (`Cannot query field "sk_live_…"`, `Unknown
 * fragment`, `Unknown directive`, `Unknown type`, `Variable "$…"`, `Unknown operation named`,
 * a syntax error's token): a secret pasted where a name goes must not come back either.
 */
const CREDENTIAL = /(?<![A-Za-z0-9])(?:sk_(?:live|test)_|rt_|eyJ)[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}/g;
export const REDACTED = '[redacted]';

export const scrubCredentials = (message: string): string => message.replace(CREDENTIAL, REDACTED);

function scrub(errors: readonly Error[] | undefined): void {
  for (const e of errors ?? []) {
    const before = e.message;
    e.message = scrubValue(before);
    // A missing or ill-typed variable is the caller's bad input, like any other; graphql-js gives
    // it no code.
    const ext = (e as { extensions?: Record<string, unknown> }).extensions;
    if (ANY_VARIABLE.test(before) && ext && ext.code === undefined) ext.code = 'BAD_USER_INPUT';
  }
}

/**
 * Applies `scrubValue` to validation errors and to errors of variable coercion, and codes the
 * latter; then every error of every answer (parse, validation, execution, masked) loses whatever
 * looks like a credential (`scrubCredentials`).
 */
export const useNoEchoedValues = (): Plugin => ({
  onValidate:
    () =>
    ({ result }) =>
      scrub(result),
  onExecute: () => ({
    onExecuteDone: ({ result }) => {
      if (!(Symbol.asyncIterator in result)) scrub(result.errors);
    },
  }),
  onExecutionResult: ({ result }) => {
    const results = Array.isArray(result) ? result : [result];
    for (const r of results) {
      if (!r || Symbol.asyncIterator in r) continue;
      for (const e of (r as { errors?: readonly { message: string }[] }).errors ?? []) {
        const scrubbed = scrubCredentials(e.message);
        if (scrubbed !== e.message) e.message = scrubbed;
      }
    }
  },
});
