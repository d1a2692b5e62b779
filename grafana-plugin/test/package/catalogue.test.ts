/**
 * @jest-environment node
 */
// What Grafana's plugin validator checks in the zip, checked on the sources that go into it (no build,
// no validator binary): see "Plugin validator" in the README for the real run.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { sourceMapModuleName } from '../../scripts/sourcemap-names';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file));
const pluginJson = JSON.parse(read('src/plugin.json').toString('utf8'));
const pkg = JSON.parse(read('package.json').toString('utf8'));

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The validator's unsafesvg rule rejects scripts, event handlers and javascript: URLs in SVGs. */
function svgProblems(svg: string): string[] {
  return [/<script/i, /\son\w+\s*=/i, /javascript:/i, /<foreignObject/i].filter((re) => re.test(svg)).map(String);
}

describe('catalogue metadata and assets (plugin-validator rules)', () => {
  test('id is <org>-<name>-panel and the type is panel (typesuffix, pluginname)', () => {
    expect(pluginJson.type).toBe('panel');
    expect(pluginJson.id).toMatch(/^[a-z0-9]+-[a-z0-9]+-panel$/);
    expect(pluginJson.name).not.toBe(pluginJson.id); // human-friendly-name
  });

  test('logos and screenshots exist and are real PNG or safe SVG (logos, screenshots, unsafesvg)', () => {
    const paths = [
      pluginJson.info.logos.small,
      pluginJson.info.logos.large,
      ...pluginJson.info.screenshots.map((s: { path: string }) => s.path),
    ];
    expect(pluginJson.info.screenshots.length).toBeGreaterThan(0);
    for (const p of paths) {
      const file = path.join('src', p);
      expect(existsSync(path.join(root, file))).toBe(true);
      const bytes = read(file);
      if (p.endsWith('.svg')) {
        expect(bytes.toString('utf8')).toMatch(/^<svg[\s>]/);
        expect(svgProblems(bytes.toString('utf8'))).toEqual([]);
      } else {
        expect(p).toMatch(/\.png$/);
        expect(bytes.subarray(0, 8).equals(PNG)).toBe(true);
      }
    }
  });

  test('the SVG check finds unsafe content (control)', () => {
    expect(svgProblems('<svg onload="x()"><script>1</script></svg>')).toHaveLength(2);
  });

  test('LICENSE is filled in, CHANGELOG covers this version, README is the plugin’s own', () => {
    const license = read('LICENSE').toString('utf8');
    expect(license).not.toMatch(/\{yyyy\}|\{name of copyright owner\}/);
    expect(read('CHANGELOG.md').toString('utf8')).toContain(`## ${pkg.version} `);
    const readme = read('src/README.md').toString('utf8');
    expect(readme.length).toBeGreaterThan(500);
    expect(readme).not.toMatch(/Grafana (Panel|Data Source|Datasource|App) Plugin Template/i);
  });

  test('node_modules sources are named ../node_modules/… in module.js.map (jsMap)', () => {
    const name = (resourcePath: string) => sourceMapModuleName({ namespace: pluginJson.id, resourcePath, loaders: '' });
    // webpack's name for an .mjs dependency (its module type folded into the path)
    expect(name('javascript/node_modules/d3-dag/dist/d3-dag.esm.min.mjs')).toBe(
      `webpack://${pluginJson.id}/../node_modules/d3-dag/dist/d3-dag.esm.min.mjs`
    );
    expect(name('../../node_modules/d3-dag/dist/d3-dag.cjs.min.js')).toBe(
      `webpack://${pluginJson.id}/../node_modules/d3-dag/dist/d3-dag.cjs.min.js`
    );
    expect(name('./servermap/layout/layout.ts')).toBe(`webpack://${pluginJson.id}/./servermap/layout/layout.ts`);
  });
});
