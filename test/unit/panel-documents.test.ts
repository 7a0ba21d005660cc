import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every GraphQL document the panel sends, checked against the committed SDL (kept equal to the
 * server's schema by test/graphql/schema-drift.test.ts), so a field renamed or dropped on the
 * server fails here rather than in an operator's browser.
 *
 * The documents are read out of panel/src with the TypeScript compiler: the first argument of
 * every call to `gql` (panel/src/api.ts) and the `query` of every object given to
 * `JSON.stringify` (the playground's own GraphQL request). Each is evaluated statically: string
 * and template literals, `+`, `a ? b : c`, and `const`s followed across files; a value of a
 * string-literal type stands for each of its members. Whatever cannot be evaluated fails the test,
 * and so does a literal that reads like an operation but reaches neither.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PANEL = join(ROOT, 'panel');
const API = join(PANEL, 'src/api.ts');

/**
 * How many documents the panel sends today (SetEnabled counts twice: enableClient and
 * disableClient). Raise it when a page sends one more; a drop means the search lost some.
 */
const EXPECTED_AT_LEAST = 32;

/** The start of an operation or fragment: `query Me {`, `mutation X($id: ID!) {`, `{ me … }`. */
const LOOKS_LIKE_A_DOCUMENT = /^\s*(?:(?:query|mutation|subscription)\b\s*\w*\s*[({]|fragment\s+\w+\s+on\s)/;

export interface SentDocument {
  /** `pages/client/ClientPage.tsx:79`: where it is sent. */
  where: string;
  text: string;
}

/** A failure of the search itself, with where it happened. */
class Unreadable extends Error {}

/** `(x)`, `x as T`, `x satisfies T`, `x!`, `<T>x`: the expression inside. */
function inner(e: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isTypeAssertionExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}

export function panelDocuments(): { documents: SentDocument[]; strays: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(PANEL, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('panel/tsconfig.json could not be read');
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const panelFiles = program
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && !relative(join(PANEL, 'src'), f.fileName).startsWith('..'));

  const api = program.getSourceFile(API);
  const isGql = (s: ts.Statement): boolean => ts.isFunctionDeclaration(s) && s.name?.text === 'gql';
  const gqlDecl: ts.Node | undefined = api?.statements.find(isGql);
  if (!gqlDecl) throw new Error('panel/src/api.ts declares no function gql');

  const at = (node: ts.Node): string => {
    const file = node.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    return `${relative(join(PANEL, 'src'), file.fileName).split(sep).join('/')}:${line + 1}`;
  };
  const declarationOf = (node: ts.Node): ts.Declaration | undefined => {
    let symbol = checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  };

  /** Literals that went into a sent document: the rest are checked for strays. */
  const used = new Set<ts.Node>();
  const product = (heads: string[], tails: string[]): string[] => heads.flatMap((h) => tails.map((t) => h + t));

  /** Every string `expr` can be, or throws naming it. */
  const valuesOf = (expr: ts.Expression, depth = 0): string[] => {
    if (depth > 20) throw new Unreadable(`${at(expr)}: ${expr.getText()} refers round a loop`);
    const e = inner(expr);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      used.add(e);
      return [e.text];
    }
    if (ts.isTemplateExpression(e)) {
      used.add(e);
      return e.templateSpans.reduce(
        (acc, span) => product(product(acc, valuesOf(span.expression, depth + 1)), [span.literal.text]),
        [e.head.text],
      );
    }
    if (ts.isConditionalExpression(e)) return [...valuesOf(e.whenTrue, depth + 1), ...valuesOf(e.whenFalse, depth + 1)];
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      return product(valuesOf(e.left, depth + 1), valuesOf(e.right, depth + 1));
    }
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      const decl = declarationOf(e);
      if (
        decl &&
        ts.isVariableDeclaration(decl) &&
        decl.initializer &&
        ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const
      ) {
        return valuesOf(decl.initializer, depth + 1);
      }
    }
    const type = checker.getTypeAtLocation(e);
    const members = type.isUnion() ? type.types : [type];
    if (members.every((t) => t.isStringLiteral())) return members.map((t) => (t as ts.StringLiteralType).value);
    throw new Unreadable(`${at(e)}: cannot tell which document \`${e.getText()}\` is (${checker.typeToString(type)})`);
  };

  const documents: SentDocument[] = [];
  const send = (expr: ts.Expression, where: ts.Node): void => {
    for (const text of valuesOf(expr)) documents.push({ where: at(where), text });
  };
  const visit = (node: ts.Node): void => {
    // gql's own body passes its parameter on: its callers are where the documents are.
    if (node === gqlDecl) return;
    if (ts.isCallExpression(node)) {
      if (declarationOf(node.expression) === gqlDecl) {
        const first = node.arguments[0];
        if (!first) throw new Unreadable(`${at(node)}: gql() called without a document`);
        send(first, node);
      } else if (node.expression.getText() === 'JSON.stringify') {
        const body = node.arguments[0] && inner(node.arguments[0]);
        if (body && ts.isObjectLiteralExpression(body)) {
          for (const p of body.properties) {
            if (p.name?.getText() !== 'query') continue;
            if (ts.isPropertyAssignment(p)) send(p.initializer, p);
            else if (ts.isShorthandPropertyAssignment(p)) send(p.name, p);
            else throw new Unreadable(`${at(p)}: a query that is not a plain property`);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of panelFiles) visit(file);

  const strays: string[] = [];
  const look = (node: ts.Node): void => {
    const text =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? node.text
        : ts.isTemplateExpression(node)
          ? node.head.text
          : undefined;
    if (text !== undefined && !used.has(node) && LOOKS_LIKE_A_DOCUMENT.test(text)) strays.push(at(node));
    ts.forEachChild(node, look);
  };
  for (const file of panelFiles) look(file);

  return { documents, strays };
}

const schema: GraphQLSchema = buildSchema(readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8'));

/** The parse or validation errors of one document, as lines; empty when it is good. */
export function problemsOf(text: string, against: GraphQLSchema = schema): string[] {
  let doc: DocumentNode;
  try {
    doc = parse(text);
  } catch (e) {
    return [`does not parse: ${(e as Error).message}`];
  }
  return validate(against, doc).map((e) => e.message);
}

describe('the GraphQL documents the panel sends', () => {
  const { documents, strays } = panelDocuments();

  it(`finds them all (at least ${EXPECTED_AT_LEAST}), each an operation the panel names`, () => {
    expect(documents.length).toBeGreaterThanOrEqual(EXPECTED_AT_LEAST);
    for (const d of documents) expect(d.text, d.where).toMatch(LOOKS_LIKE_A_DOCUMENT);
  });

  it('are all sent through gql() or a JSON body: no document-like literal is left over', () => {
    expect(strays, 'an operation the search does not see as sent').toEqual([]);
  });

  it.each(documents.map((d) => [d.where, d.text.replace(/\s+/g, ' ').slice(0, 60), d.text] as const))(
    '%s %s… is valid against schema/schema.graphql',
    (where, _short, text) => {
      expect(problemsOf(text), `${where}\n${text}`).toEqual([]);
    },
  );

  it('would catch an unknown field, a wrong argument and a bad parse', () => {
    expect(problemsOf('query Me { me { expiresAt bogusField } }')).toEqual([
      'Cannot query field "bogusField" on type "PanelSession".',
    ]);
    expect(problemsOf('query C($id: ID!) { client(clientId: $id) { id } }').length).toBeGreaterThan(0);
    expect(problemsOf('query { me { ')[0]).toMatch(/^does not parse/);
  });
});
