// The doc comment of every stack config field, read by the TypeScript checker
// from the zod schemas' object literals (infra/config/schema.ts and the
// contract schemas it embeds): JSDoc survives z.input, so the comment a
// developer writes beside a field is the meaning the reference shows.
import * as path from "node:path";
import ts from "typescript";

/** Field path → doc comment. Paths: `tags.groupBy`, `groups[].name`, `tags.keys.<key>.values`. */
export type FieldDocs = Map<string, string>;

const PROBE = `import type { z } from "zod";
import { KEY_SCHEMAS } from "./schema";
export type Input = { [K in keyof typeof KEY_SCHEMAS]-?: z.input<(typeof KEY_SCHEMAS)[K]> };
`;

export function readFieldDocs(root: string): FieldDocs {
  const probe = path.join(root, "infra/config/.field-docs-probe.ts"); // never written: served by the host below
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile).config, ts.sys, root);
  const options = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (file, language, ...rest) => (file === probe ? ts.createSourceFile(file, PROBE, language) : getSourceFile.call(host, file, language, ...rest));
  host.fileExists = (file) => file === probe || fileExists.call(host, file);
  const program = ts.createProgram({ rootNames: [probe], options, host });
  const checker = program.getTypeChecker();
  const alias = program.getSourceFile(probe)!.statements.find(ts.isTypeAliasDeclaration)!;

  const docs: FieldDocs = new Map();
  const walk = (type: ts.Type, at: string, depth: number): void => {
    if (depth > 12) return;
    type = checker.getNonNullableType(type);
    if (type.isUnion()) return type.types.forEach((t) => walk(t, at, depth + 1));
    if (checker.isArrayType(type)) return walk(checker.getTypeArguments(type as ts.TypeReference)[0], `${at}[]`, depth + 1);
    if (!(type.flags & ts.TypeFlags.Object)) return;
    for (const index of checker.getIndexInfosOfType(type)) walk(index.type, `${at}.<key>`, depth + 1);
    for (const prop of checker.getPropertiesOfType(type)) {
      const field = at ? `${at}.${prop.name}` : prop.name;
      const doc = ts.displayPartsToString(prop.getDocumentationComment(checker)).replace(/\s+/g, " ").trim();
      if (doc && !docs.has(field)) docs.set(field, doc);
      walk(checker.getTypeOfSymbol(prop), field, depth + 1);
    }
  };
  walk(checker.getTypeAtLocation(alias.name), "", 0);
  // A top-level key's meaning: the doc comment of the schema constant its entry in KEY_SCHEMAS starts from.
  const schemaImport = program.getSourceFile(probe)!.statements.filter(ts.isImportDeclaration).find((d) => (d.moduleSpecifier as ts.StringLiteral).text === "./schema");
  const binding = (schemaImport?.importClause?.namedBindings as ts.NamedImports | undefined)?.elements[0];
  const imported = binding && checker.getSymbolAtLocation(binding.name);
  const declaration = imported && checker.getAliasedSymbol(imported).valueDeclaration;
  const literal = declaration && ts.isVariableDeclaration(declaration) && declaration.initializer ? unwrap(declaration.initializer) : undefined;
  for (const prop of literal && ts.isObjectLiteralExpression(literal) ? literal.properties : []) {
    if (!ts.isPropertyAssignment(prop) || docs.has(prop.name.getText())) continue;
    const head = checker.getSymbolAtLocation(leftmost(prop.initializer));
    const doc = head ? ts.displayPartsToString(head.getDocumentationComment(checker)).replace(/\s+/g, " ").trim() : "";
    if (doc) docs.set(prop.name.getText(), doc);
  }
  return docs;
}

/** `{...} as const` → `{...}`. */
function unwrap(e: ts.Expression): ts.Expression {
  return ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) ? unwrap(e.expression) : e;
}

/** `groupsSchema.default([])` → `groupsSchema`. */
function leftmost(e: ts.Expression): ts.Expression {
  if (ts.isCallExpression(e)) return leftmost(e.expression);
  if (ts.isPropertyAccessExpression(e)) return leftmost(e.expression);
  return e;
}
