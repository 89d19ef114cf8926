/**
 * Small OpenAPI 3.1 reader shared by the fuzzer and the security matrices: lists operations, resolves `$ref`s
 * and builds a minimal valid example of a schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type JsonSchema = Record<string, any>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, JsonSchema> };
  [key: string]: unknown;
}

export interface ParameterInfo {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface OperationInfo {
  /** `METHOD /path/{template}`. */
  key: string;
  method: string;
  path: string;
  operationId?: string;
  parameters: ParameterInfo[];
  /** Content type of the request body (first listed), when the operation takes one. */
  bodyContentType?: string;
  bodySchema?: JsonSchema;
  bodyRequired: boolean;
  /** Names of the security schemes the operation accepts (empty: public). */
  security: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function listOperations(document: OpenApiDocument): OperationInfo[] {
  const out: OperationInfo[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters: ParameterInfo[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(
        (p: any) => {
          const param = resolveRef(document, p);
          return {
            name: param.name,
            in: param.in,
            required: Boolean(param.required),
            schema: resolveRef(document, param.schema ?? {}),
          };
        },
      );
      const body = op.requestBody ? resolveRef(document, op.requestBody) : undefined;
      const contentType = body?.content ? Object.keys(body.content)[0] : undefined;
      const security = ((op.security ?? document.security ?? []) as Record<string, unknown>[]).flatMap((s) =>
        Object.keys(s),
      );
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        parameters,
        bodyContentType: contentType,
        bodySchema: contentType ? (body?.content?.[contentType]?.schema ?? {}) : undefined,
        bodyRequired: Boolean(body?.required ?? contentType),
        security,
      });
    }
  }
  return out;
}

export function resolveRef<T = JsonSchema>(document: OpenApiDocument, node: any): T {
  let current = node;
  for (let i = 0; i < 32 && current && typeof current === 'object' && typeof current.$ref === 'string'; i++) {
    const parts = (current.$ref as string).replace(/^#\//, '').split('/');
    let target: any = document;
    for (const part of parts) target = target?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (target === undefined) throw new Error(`unresolved $ref ${current.$ref}`);
    const { $ref: _ref, ...rest } = current;
    current = Object.keys(rest).length ? { ...target, ...rest } : target;
  }
  return current as T;
}

/** Fills `{name}` templates of a path with (URL-encoded) values. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return encodeURIComponent(value);
  });
}

/**
 * A minimal value that satisfies the schema as far as the schema says (required properties only, first enum
 * value, lower bounds). Good enough as a positive control; callers override fields a service checks beyond
 * the schema.
 */
export function exampleOf(document: OpenApiDocument, schemaNode: JsonSchema, depth = 0): unknown {
  const schema = resolveRef(document, schemaNode);
  if (depth > 12) return null;
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length) {
    const nonNull = alternatives.find((a: JsonSchema) => resolveRef(document, a).type !== 'null');
    return exampleOf(document, nonNull ?? alternatives[0], depth + 1);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    const parts = schema.allOf.map((s: JsonSchema) => exampleOf(document, s, depth + 1));
    return parts.every((p: unknown) => p && typeof p === 'object' && !Array.isArray(p))
      ? Object.assign({}, ...parts)
      : parts[0];
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        out[name] = exampleOf(document, schema.properties?.[name] ?? {}, depth + 1);
      }
      return out;
    }
    case 'array': {
      const n = schema.minItems ?? 0;
      return Array.from({ length: n }, () => exampleOf(document, schema.items ?? {}, depth + 1));
    }
    case 'string':
      return exampleString(schema);
    case 'integer':
      return Math.max(
        Math.ceil(schema.minimum ?? 1),
        schema.exclusiveMinimum ? schema.exclusiveMinimum + 1 : 1,
      );
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return schema.properties ? exampleOf(document, { ...schema, type: 'object' }, depth) : 'x';
  }
}

function exampleString(schema: JsonSchema): string {
  if (schema.format === 'date-time') return new Date().toISOString();
  if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
  if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000001';
  if (schema.format === 'email') return 'a@example.com';
  if (schema.format === 'uri') return 'https://example.com/';
  const min = schema.minLength ?? 1;
  return 'x'.repeat(Math.max(1, min));
}

/** Walks up from `from` (default: cwd) to the monorepo root (the folder holding pnpm-workspace.yaml). */
export function findRepoRoot(from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/**
 * Every problem code documented in docs/api/errors.md (first column of its tables, in backticks). The fuzzer
 * and the matrices assert that each 4xx carries one of these.
 */
export function loadErrorCatalogue(path = join(findRepoRoot(), 'docs/api/errors.md')): Set<string> {
  const codes = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\|\s*`(RECSYS_[A-Z0-9_]+)`\s*\|/.exec(line);
    if (match) codes.add(match[1]!);
  }
  if (!codes.size) throw new Error(`no error codes found in ${path}`);
  return codes;
}

export function loadOpenApi(service: string): OpenApiDocument {
  return JSON.parse(
    readFileSync(join(findRepoRoot(), 'services', service, 'openapi.json'), 'utf8'),
  ) as OpenApiDocument;
}
