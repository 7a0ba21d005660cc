import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Validation results by parsed document. yoga's own cache keys each lookup by the names of all
 * ~30 validation rules, joined into a string per request (≈ 14 µs of a GraphQL request in the
 * profile). One yoga has one schema and one fixed rule set (graphql-js's, armor's and ours), and
 * yoga's parse cache hands out the same document object for the same query text, so the document
 * alone is a complete key here. Installed before the plugins that add rules, with yoga's
 * validation cache turned off (see yoga.ts).
 */
export const useValidationCache = (): Plugin => {
  const results = new WeakMap<DocumentNode, readonly Error[]>();
  return {
    onValidate: ({ params: { documentAST }, setResult }) => {
      const known = results.get(documentAST);
      if (known) {
        setResult(known);
        return;
      }
      return ({ result }) => {
        results.set(documentAST, result);
      };
    },
  };
};
