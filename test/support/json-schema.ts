/**
 * A small JSON Schema (2020-12) check for the schemas the repo publishes (docs/events/), covering the
 * keywords they use: type, enum, const, pattern, minLength, minimum, maxItems, items, properties,
 * required, additionalProperties: false, format date-time and local `$ref`s to `#/$defs/…`. A keyword
 * it does not know fails the check, so a schema cannot quietly outgrow it.
 */

type Schema = Readonly<Record<string, unknown>>;

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'title',
  'description',
  'type',
  'enum',
  'const',
  'pattern',
  'minLength',
  'minimum',
  'maxItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'format',
]);

/** RFC 3339 date-time, as JSON Schema's `format: date-time` means it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every way `value` breaks `schema`, as `path: problem` lines; empty when it conforms. */
export function schemaProblems(schema: Schema, value: unknown): string[] {
  const problems: string[] = [];
  check(schema, value, '$', schema, problems);
  return problems;
}

function check(schema: Schema, value: unknown, path: string, root: Schema, problems: string[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) problems.push(`${path}: the check does not know the keyword ${keyword}`);
  }
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    const target = (root.$defs as Record<string, Schema> | undefined)?.[name];
    if (!target) problems.push(`${path}: unresolved $ref ${schema.$ref}`);
    else check(target, value, path, root, problems);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => hasType(value, type as string)))
      problems.push(`${path}: not of type ${types.join(' or ')}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never))
    problems.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && schema.const !== value)
    problems.push(`${path}: not ${JSON.stringify(schema.const)}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      problems.push(`${path}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength)
      problems.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.format === 'date-time' && !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))))
      problems.push(`${path}: not a date-time`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum)
    problems.push(`${path}: below ${schema.minimum}`);
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      problems.push(`${path}: more than ${schema.maxItems} items`);
    const items = schema.items as Schema | undefined;
    if (items)
      for (const [index, item] of value.entries()) check(items, item, `${path}[${index}]`, root, problems);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!(name in object)) problems.push(`${path}: ${name} is required`);
    }
    for (const [name, item] of Object.entries(object)) {
      const propertySchema = properties[name];
      if (propertySchema) check(propertySchema, item, `${path}.${name}`, root, problems);
      else if (schema.additionalProperties === false) problems.push(`${path}: ${name} is not allowed`);
    }
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}
