/**
 * kubernetes-models' validators let unknown keys through (`restartPolicyy: Never` validates), so
 * the tests also walk every key of a rendered object against its TypeScript interface (IJob,
 * IService, ...), read with the TypeScript compiler from kubernetes-models' own declarations: a key
 * the interface does not have is a key the API server would drop or refuse.
 */
import ts from 'typescript';
import { ROOT } from '../../support/run-cli.js';

const INTERFACES = {
  Job: ['kubernetes-models/batch/v1/Job', 'IJob'],
  Service: ['kubernetes-models/v1/Service', 'IService'],
  ConfigMap: ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  Secret: ['kubernetes-models/v1/Secret', 'ISecret'],
} as const;
export type Kind = keyof typeof INTERFACES;

let cached: { checker: ts.TypeChecker; types: Map<Kind, ts.Type> } | undefined;

function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const probe = `${ROOT}test/unit/k8s/__api_probe__.ts`;
  const source = Object.entries(INTERFACES)
    .map(([kind, [mod, name]]) => `import type { ${name} } from '${mod}';\nexport declare const ${kind}: ${name};`)
    .join('\n');
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, noEmit: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, ...rest) => (file === probe ? ts.createSourceFile(file, source, lang) : getSourceFile(file, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === probe || fileExists(file);
  const program = ts.createProgram([probe], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(probe)!;
  const types = new Map<Kind, ts.Type>();
  for (const sym of checker.getExportsOfModule(checker.getSymbolAtLocation(file)!)) types.set(sym.name as Kind, checker.getTypeOfSymbol(sym));
  for (const kind of Object.keys(INTERFACES) as Kind[]) if (!types.get(kind) || checker.getPropertiesOfType(types.get(kind)!).length === 0) throw new Error(`could not read ${kind} from kubernetes-models`);
  cached = { checker, types };
  return cached;
}

function walk(checker: ts.TypeChecker, value: unknown, type: ts.Type, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const t = checker.getNonNullableType(type);
  if (t.isUnion()) {
    // The first member that takes every key (e.g. IntOrString, or several object shapes).
    const tries = t.types.map((m) => {
      const o: string[] = [];
      walk(checker, value, m, path, o);
      return o;
    });
    out.push(...tries.reduce((a, b) => (b.length < a.length ? b : a)));
    return;
  }
  if (Array.isArray(value)) {
    const element = checker.getIndexTypeOfType(t, ts.IndexKind.Number);
    if (!element) out.push(`${path} (not an array in the API)`);
    else value.forEach((v, i) => walk(checker, v, element, `${path}[${i}]`, out));
    return;
  }
  const byKey = checker.getIndexTypeOfType(t, ts.IndexKind.String);
  for (const [k, v] of Object.entries(value)) {
    const prop = checker.getPropertyOfType(t, k);
    if (prop) walk(checker, v, checker.getTypeOfSymbol(prop), `${path}.${k}`, out);
    else if (byKey) walk(checker, v, byKey, `${path}.${k}`, out);
    else out.push(`${path}.${k}`);
  }
}

/** Paths of the keys in `object` that the Kubernetes interface for `kind` does not have. */
export function unknownKeys(kind: Kind, object: unknown): string[] {
  const { checker, types } = load();
  const out: string[] = [];
  walk(checker, object, types.get(kind)!, kind, out);
  return out;
}
