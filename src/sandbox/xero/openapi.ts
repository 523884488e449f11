import fs from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

/**
 * Validates bodies against the component schemas of Xero's official `xero_accounting.yaml`.
 * OpenAPI 3.0 component schemas are close to JSON-Schema draft 4/7; the differences that matter
 * here are handled: `$ref`s point into `#/components/schemas`, formats (`uuid`, `double`, `int32`,
 * `date`, `date-time`) are registered, `nullable` is understood by Ajv itself, and `readOnly`
 * and the `x-*` vendor keywords are annotations only.
 */
export interface SchemaProblem {
  schema: string;
  path: string;
  message: string;
}

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  readonly schemaNames: Set<string>;
  readonly version: string;

  constructor(readonly specPath: string) {
    const spec = parseYaml(fs.readFileSync(specPath, 'utf8'), { maxAliasCount: -1 }) as {
      info?: { version?: string };
      components?: { schemas?: Record<string, unknown> };
    };
    const schemas = spec.components?.schemas;
    if (!schemas) throw new Error(`${specPath} has no components.schemas; is it xero_accounting.yaml?`);
    this.schemaNames = new Set(Object.keys(schemas));
    this.version = spec.info?.version ?? 'unknown';
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    this.ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
    this.ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    this.ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/);
    this.ajv.addSchema({ $id: 'xero', components: { schemas } });
  }

  /** Problems found in `value` against `#/components/schemas/<name>`; empty when valid. */
  validate(name: string, value: unknown): SchemaProblem[] {
    if (!this.schemaNames.has(name)) throw new Error(`xero_accounting.yaml has no schema "${name}"`);
    let fn = this.cache.get(name);
    if (!fn) {
      fn = this.ajv.getSchema(`xero#/components/schemas/${name}`);
      if (!fn) throw new Error(`cannot compile schema ${name}`);
      this.cache.set(name, fn);
    }
    if (fn(value)) return [];
    return (fn.errors ?? []).map((e: ErrorObject) => ({ schema: name, path: toJsonPath(e.instancePath), message: describe(e) }));
  }
}

function toJsonPath(pointer: string): string {
  if (pointer === '') return '$';
  return '$' + pointer.split('/').slice(1).map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('');
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'enum') return `${e.message} (${(e.params as { allowedValues: unknown[] }).allowedValues.slice(0, 12).join(', ')}${(e.params as { allowedValues: unknown[] }).allowedValues.length > 12 ? ', …' : ''})`;
  return e.message ?? e.keyword;
}

export function formatProblems(problems: SchemaProblem[]): string {
  return problems
    .slice(0, 5)
    .map((p) => `${p.path} ${p.message} (schema ${p.schema})`)
    .join('; ');
}

const loaded = new Map<string, OpenApiValidator>();
/** One parsed spec per path per process: the YAML is large and sandboxes start often in tests. */
export function openApiValidator(specPath: string): OpenApiValidator {
  let v = loaded.get(specPath);
  if (!v) loaded.set(specPath, (v = new OpenApiValidator(specPath)));
  return v;
}

/** Where the spec comes from: the option, then SYNDER_XERO_OPENAPI; undefined turns validation off. */
export function resolveOpenApiPath(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = option ?? (env.SYNDER_XERO_OPENAPI && env.SYNDER_XERO_OPENAPI.trim() !== '' ? env.SYNDER_XERO_OPENAPI : undefined);
  return p;
}
