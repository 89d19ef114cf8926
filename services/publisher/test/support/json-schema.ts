/**
 * A small JSON Schema (draft 2020-12) validator for the keywords the evaluation report schema uses. An unknown
 * keyword throws, so a schema that grows beyond this subset fails loudly instead of being half-checked.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$defs', 'title', 'description']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  '$ref',
  'type',
  'const',
  'enum',
  'anyOf',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Returns the problems found, as `<path>: <reason>`; empty when `value` is valid. */
export function validateJsonSchema(root: Schema, value: unknown): string[] {
  const problems: string[] = [];
  const resolve = (ref: string): Schema => {
    const match = /^#\/\$defs\/(.+)$/.exec(ref);
    const target = match ? (root.$defs as Record<string, Schema> | undefined)?.[match[1]!] : undefined;
    if (!target) throw new Error(`unsupported or dangling $ref ${ref}`);
    return target;
  };
  const check = (schema: Schema | boolean, v: unknown, path: string): boolean => {
    if (schema === true) return true;
    if (schema === false) {
      problems.push(`${path}: not allowed`);
      return false;
    }
    for (const key of Object.keys(schema)) {
      if (!KNOWN.has(key)) throw new Error(`validator does not support the keyword "${key}" (at ${path})`);
    }
    const before = problems.length;
    const fail = (reason: string) => problems.push(`${path}: ${reason}`);
    if (typeof schema.$ref === 'string') check(resolve(schema.$ref), v, path);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => matchesType(v, t))) {
        fail(`expected ${types.join(' or ')}, got ${typeOf(v)}`);
        return false;
      }
    }
    if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(v))
      fail(`expected ${JSON.stringify(schema.const)}`);
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
      fail(`not one of ${JSON.stringify(schema.enum)}`);
    if (Array.isArray(schema.anyOf)) {
      const ok = (schema.anyOf as Schema[]).some((option) => {
        const saved = problems.length;
        const valid = check(option, v, path);
        problems.length = saved;
        return valid;
      });
      if (!ok) fail('matches none of anyOf');
    }
    if (typeof v === 'string') {
      if (typeof schema.minLength === 'number' && v.length < schema.minLength)
        fail(`shorter than ${schema.minLength}`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v))
        fail(`does not match ${schema.pattern}`);
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(v))) fail('not a date-time');
    }
    if (typeof v === 'number') {
      if (typeof schema.minimum === 'number' && v < schema.minimum) fail(`below ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && v > schema.maximum) fail(`above ${schema.maximum}`);
      if (typeof schema.exclusiveMinimum === 'number' && v <= schema.exclusiveMinimum)
        fail(`not above ${schema.exclusiveMinimum}`);
    }
    if (Array.isArray(v) && schema.items !== undefined) {
      v.forEach((item, i) => check(schema.items as Schema, item, `${path}[${i}]`));
    }
    if (typeOf(v) === 'object') {
      const object = v as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const name of (schema.required ?? []) as string[]) {
        if (!(name in object)) fail(`missing required property ${name}`);
      }
      for (const [name, item] of Object.entries(object)) {
        if (schema.propertyNames !== undefined)
          check(schema.propertyNames as Schema, name, `${path}{${name}}`);
        if (name in properties) check(properties[name]!, item, `${path}.${name}`);
        else if (schema.additionalProperties !== undefined)
          check(schema.additionalProperties as Schema | boolean, item, `${path}.${name}`);
      }
    }
    return problems.length === before;
  };
  check(root, value, '$');
  return problems;
}
