/**
 * No container engine runs here, so the Dockerfile is checked by reading it: the essentials a pod
 * relies on (mcprun as PID 1 in exec form, a non-root numeric user matching the manifests, the
 * results folder as working folder) and both package sources (this checkout packed, or the registry).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RUN_AS_UID } from '../../../runtime/k8s/manifests.js';
import { RESULTS_DIR } from '../../../runtime/k8s/run-input.js';
import { ROOT } from '../../support/run-cli.js';

interface Instruction {
  op: string;
  args: string;
}

/** Instructions in order: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logical
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)!;
      return { op: m[1].toUpperCase(), args: m[2].trim() };
    });
}

/** Stages by name (`FROM image AS name`); the last one, unnamed here, is the image. */
function stages(ins: Instruction[]): Array<{ from: string; name?: string; body: Instruction[] }> {
  const out: Array<{ from: string; name?: string; body: Instruction[] }> = [];
  for (const i of ins) {
    if (i.op === 'FROM') {
      const [from, , name] = i.args.split(/\s+/);
      out.push({ from, name, body: [] });
    } else out.at(-1)?.body.push(i);
  }
  return out;
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const all = stages(dockerfile);
const image = all.at(-1)!;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; engines: { node: string } };
const one = (op: string) => {
  const found = image.body.filter((i) => i.op === op);
  expect(found, `exactly one ${op} in the final stage`).toHaveLength(1);
  return found[0].args;
};
const globalArg = (name: string) => dockerfile.slice(0, dockerfile.findIndex((i) => i.op === 'FROM')).find((i) => i.op === 'ARG' && i.args.startsWith(`${name}=`))?.args.slice(name.length + 1);

describe('Dockerfile', () => {
  test('ENTRYPOINT is exec form and is the mcprun bin itself, with no npm in ENTRYPOINT or CMD', () => {
    const entry = JSON.parse(one('ENTRYPOINT')) as string[];
    expect(Array.isArray(entry)).toBe(true);
    expect(Object.keys(pkg.bin)).toContain('mcprun');
    // npm install -g links the bin into <prefix>/bin, /usr/local in the node images.
    expect(entry).toEqual(['/usr/local/bin/mcprun']);
    for (const op of ['ENTRYPOINT', 'CMD']) {
      for (const i of image.body.filter((x) => x.op === op)) expect(i.args).not.toMatch(/\bnp[mx]\b|\bsh\b|bash/);
    }
  });

  test('runs as a numeric non-root user, the one the pods declare', () => {
    const user = one('USER');
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user).toBe(`${RUN_AS_UID}:${RUN_AS_UID}`);
  });

  test('the results folder is the working folder, owned by that user', () => {
    expect(one('WORKDIR')).toBe(RESULTS_DIR);
    const run = image.body.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ');
    expect(run).toContain(`mkdir ${RESULTS_DIR} && chown ${RUN_AS_UID}:${RUN_AS_UID} ${RESULTS_DIR}`);
    // USER comes after the installs that need root.
    expect(image.body.findIndex((i) => i.op === 'USER')).toBeGreaterThan(image.body.findLastIndex((i) => i.op === 'RUN'));
  });

  test('installs the npm package, by default this checkout packed with npm pack, else a registry version', () => {
    expect(globalArg('MCPRUN_SOURCE')).toBe('local');
    const from = all.find((s) => s.name === 'package')!.from;
    expect(from).toBe('package-${MCPRUN_SOURCE}');
    const body = (name: string) => all.find((s) => s.name === name)!.body.map((i) => `${i.op} ${i.args}`).join('\n');
    expect(body('package-local')).toMatch(/npm ci --ignore-scripts[\s\S]*COPY \. \.[\s\S]*npm pack --pack-destination \/pkg/);
    expect(body('package-registry')).toContain('npm pack "mcprun@${MCPRUN_VERSION}"');
    expect(image.body.map((i) => `${i.op} ${i.args}`).join('\n')).toMatch(/COPY --from=package \/pkg\/mcprun\.tgz[\s\S]*npm install -g .*\/tmp\/mcprun\.tgz/);
  });

  test('the base image is a Node the package supports', () => {
    const base = globalArg('NODE_IMAGE')!;
    const major = Number(/^node:(\d+)/.exec(base)?.[1]);
    const min = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    expect(major).toBeGreaterThanOrEqual(min);
    expect(all.every((s) => s.from === '${NODE_IMAGE}' || s.from.startsWith('package-'))).toBe(true);
  });

  test('.dockerignore keeps built and installed files of the checkout out of the image build', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });
});
