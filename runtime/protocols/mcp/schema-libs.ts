/**
 * The JSON Schema libraries behind `mcp.args()`: json-schema-faker generates, ajv (with
 * ajv-formats) validates. Loaded on the first `mcp.args()` call, never at start: a run that
 * generates no arguments does not parse ~1 MB of generator and validator (they stay outside the
 * runtime bundle, see scripts/build.mjs). One loader per realm; ajv instances are cached per
 * draft, compiled validators per schema object.
 */
type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; keyword: string }> | null };
type AjvLike = { compile(schema: object): Validate };

export interface SchemaLibs {
  generate(schema: Record<string, unknown>, seed: number): unknown;
  compile(schema: Record<string, unknown>): Validate;
}

let loading: Promise<SchemaLibs> | undefined;

const DRAFT_2020 = /2020-12|2019-09/;

async function load(): Promise<SchemaLibs> {
  const [jsf, ajvMod, ajv2020Mod, formatsMod] = await Promise.all([
    import('json-schema-faker'),
    import('ajv'),
    import('ajv/dist/2020.js'),
    import('ajv-formats'),
  ]);
  const def = <T>(m: unknown): T => ((m as { default?: { default?: T } }).default?.default ?? (m as { default?: T }).default ?? m) as T;
  const Ajv = def<new (o: object) => AjvLike>(ajvMod);
  const Ajv2020 = def<new (o: object) => AjvLike>(ajv2020Mod);
  const addFormats = def<(a: AjvLike) => void>(formatsMod);
  // strict: false: servers' schemas carry keywords of their own (title, examples, x-*).
  const opts = { strict: false, allErrors: true, validateFormats: true };
  let draft7: AjvLike | undefined;
  let draft2020: AjvLike | undefined;
  const validators = new WeakMap<object, Validate>();
  const ajvFor = (schema: Record<string, unknown>): AjvLike => {
    if (typeof schema.$schema === 'string' && DRAFT_2020.test(schema.$schema)) {
      if (!draft2020) addFormats((draft2020 = new Ajv2020(opts)));
      return draft2020;
    }
    if (!draft7) addFormats((draft7 = new Ajv(opts)));
    return draft7;
  };
  return {
    generate: (schema, seed) => jsf.generateSync(schema as never, { seed, maxDepth: 6, maxDefaultItems: 3 }),
    compile(schema) {
      let v = validators.get(schema);
      if (!v) {
        // A schema's own $id would collide with itself on the second compile of a copy: compile a copy without it.
        const { $id: _id, ...rest } = schema;
        v = ajvFor(schema).compile(rest);
        validators.set(schema, v);
      }
      return v;
    },
  };
}

export function schemaLibs(): Promise<SchemaLibs> {
  return (loading ??= load().catch((err) => {
    loading = undefined;
    throw err;
  }));
}
