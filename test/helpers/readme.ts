import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kustomize, type K8sObject } from './manifests.js';

/*
 * What the README shows an operator, read the way the operator reads it: its sections, its code blocks, the
 * overlay files of "Deploy on Knative" and the feature flags it names as prerequisites.
 */

export const readme = (): string => readFileSync('README.md', 'utf8');

/** The text of one `## <title>` section, up to the next `## `. */
export function readmeSection(title: string, text = readme()): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = text.indexOf('\n## ', start + 4);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The bodies of the fenced code blocks of one language. */
export const codeBlocks = (text: string, lang: string): string[] =>
  [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

/** The "# file: <path>" YAML blocks of "Deploy on Knative": the overlay an operator copies next to a checkout. */
export const overlayFiles = (): string[] =>
  codeBlocks(readmeSection('Deploy on Knative'), 'yaml').filter((b) => b.startsWith('# file: '));

/** Writes the README's overlay next to a copy of knative/ in ../cortex and renders it with kubectl 1.20, offline. */
export async function renderReadmeOverlay(): Promise<K8sObject[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cortex-readme-'));
  cpSync('knative', path.join(root, 'cortex', 'knative'), { recursive: true });
  for (const b of overlayFiles()) {
    const file = path.join(root, b.slice('# file: '.length, b.indexOf('\n')));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, b);
  }
  return kustomize(path.join(root, 'cortex-production'));
}

/**
 * The Knative feature flags "Deploy on Knative" names as prerequisites, from its `**Feature flags: …**` line:
 * `none`, or the flags in backticks. Throws when the line is missing, so the README always says.
 */
export function readmeFeatureFlags(text = readmeSection('Deploy on Knative')): string[] {
  const line = /\*\*Feature flags: ([^*]+)\*\*/.exec(text);
  if (!line) throw new Error('README "Deploy on Knative" has no **Feature flags: …** line');
  return [...line[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/**
 * The feature flags the README names for authenticated delivery (knative/oidc), from its `**Feature flags with OIDC:
 * …**` line in "Deploy on Knative".
 */
export function readmeOidcFlags(text = readmeSection('Deploy on Knative')): string[] {
  const line = /\*\*Feature flags with OIDC: ([^*]+)\*\*/.exec(text);
  if (!line) throw new Error('README "Deploy on Knative" has no **Feature flags with OIDC: …** line');
  return [...line[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}
