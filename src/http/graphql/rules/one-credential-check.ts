import { Kind, visit, type ASTVisitor, type FieldNode, type ValidationContext } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

/** Field extension marking a field that checks a credential (and so counts toward lockout). */
export const CREDENTIAL_CHECK = 'tollgateCredentialCheck';

/** Pothos `extensions` for such a field. */
export const credentialCheck = { [CREDENTIAL_CHECK]: true } as const;

/**
 * At most one credential-checking field per operation. Without it, one request could carry a
 * hundred aliased `issueToken` guesses (or rotations) and be settled as one; the lockout counts
 * each attempt, but a single request should still be a single guess.
 *
 * Counted per operation over its whole selection, fragments included, by response key: the same
 * field selected twice under one key runs once, so it counts once.
 */
export function oneCredentialCheckPerOperation(context: ValidationContext): ASTVisitor {
  const marked = new Set<FieldNode>();
  return {
    Field(node) {
      if (context.getFieldDef()?.extensions?.[CREDENTIAL_CHECK] === true) marked.add(node);
    },
    Document: {
      leave(doc) {
        if (marked.size === 0) return;
        for (const def of doc.definitions) {
          if (def.kind !== Kind.OPERATION_DEFINITION) continue;
          const keys = new Set<string>();
          for (const part of [def, ...context.getRecursivelyReferencedFragments(def)]) {
            visit(part, {
              Field(f) {
                if (marked.has(f)) keys.add(f.alias?.value ?? f.name.value);
              },
            });
          }
          if (keys.size > 1) {
            context.reportError(
              createGraphQLError(
                'An operation may hold at most one credential-checking field (issueToken, rotateClientSecret, signIn).',
                {
                  nodes: def,
                  extensions: { code: 'CREDENTIAL_CHECK_LIMIT' },
                },
              ),
            );
          }
        }
      },
    },
  };
}
