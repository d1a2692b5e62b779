// Finds the relative links in the repository's Markdown that lead nowhere: a missing file or folder, or
// an #anchor that is no heading of the target file. Links with a scheme (https:, mailto:) are not fetched.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  'dist',
  'coverage',
  'test-results',
  'playwright-report',
]);

/** Every *.md file below `root`, skipping dependencies and build output. */
export function markdownFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name));
      } else if (e.name.endsWith('.md')) out.push(join(dir, e.name));
    }
  };
  walk(root);
  return out.sort();
}

/** Markdown without fenced code blocks and inline code spans, where link syntax is only text. */
function withoutCode(text) {
  return text.replace(/^(\s*)(```|~~~)[^\n]*\n[\s\S]*?^\s*\2[^\n]*$/gm, '').replace(/(`+)[^`\n]*?\1/g, '');
}

/** Targets of inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
export function linkTargets(markdown) {
  const text = withoutCode(markdown);
  const targets = [];
  for (const m of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
    targets.push(m[1]);
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) targets.push(m[1]);
  return targets;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens (github-slugger). */
export function slug(heading) {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown file offers: one per heading (repeats get -1, -2, …) and explicit ids. */
export function anchors(markdown) {
  const seen = new Map();
  const out = new Set();
  for (const m of withoutCodeBlocks(markdown).matchAll(/^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

function withoutCodeBlocks(text) {
  return text.replace(/^(\s*)(```|~~~)[^\n]*\n[\s\S]*?^\s*\2[^\n]*$/gm, '');
}

/** Broken relative links of one file, as "file: target (why)" lines relative to `root`. */
export function brokenLinks(file, root) {
  const markdown = readFileSync(file, 'utf8');
  const broken = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [rawPath, anchor] = target.split('#', 2);
    const path = decodeURIComponent(rawPath);
    const resolved = path ? resolve(dirname(file), path) : file;
    const where = `${relative(root, file)}: ${target}`;
    if (!resolved.startsWith(resolve(root))) {
      broken.push(`${where} (outside the repository)`);
      continue;
    }
    if (!existsSync(resolved)) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md')) {
      if (!anchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${where} (no such heading)`);
    }
  }
  return broken;
}
