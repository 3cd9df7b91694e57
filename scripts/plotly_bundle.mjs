// Hexalign's partial plotly.js bundle (issue 18 point 1), run by scripts/build_plotly_bundle.sh
// in a scratch directory holding plotly.js and esbuild from npm:
//     node plotly_bundle.mjs <out file> <version> <trace>...
// Built like plotly.js's own partial bundles (its esbuild-config.js and tasks/partial_bundle):
// lib/core plus the traces registered, an iife setting the global Plotly, the attribute metadata
// (descriptions, role, hrName...) stripped as plotly.js's compress_attributes does, MapLibre's CSS
// injected by a <style> tag, es2016, minified. Nothing here depends on the machine building it.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [out, version, ...traces] = process.argv.slice(2);
const installed = require('plotly.js/package.json').version;
if (!out || !traces.length || installed !== version) {
    console.error(`usage: node plotly_bundle.mjs OUT VERSION TRACE... (plotly.js ${installed} installed, ${version} asked)`);
    process.exit(2);
}

// plotly.js's attribute metadata, used by its schema and docs, never by a plot
const meta = (name) => [
    new RegExp(`\\s*${name}: '.*',?`, 'g'),
    new RegExp(`\\s*${name}: \\[[\\s\\S]*?\\]\\.join\\([\\s\\S]*?\\),?`, 'g'),
];
const STRIP = [...meta('description'), new RegExp(`\\s*requiredOpts: \\[[\\s\\S]*?\\],?`, 'g'),
               new RegExp(`\\s*otherOpts: \\[[\\s\\S]*?\\],?`, 'g'), ...meta('role'), ...meta('hrName')];
const stripMeta = {
    name: 'hexalign-strip-attribute-meta',
    setup(b) {
        b.onLoad({ filter: /[\\/]plotly\.js[\\/]src[\\/].*\.js$/ }, async (args) => {
            let text = await readFile(args.path, 'utf8');
            for (const re of STRIP) text = text.replace(re, '');
            return { contents: text, loader: 'js' };
        });
    },
};
// MapLibre's style sheet (src/registry.js requires it when a map trace registers) as a <style>
const inlineCss = {
    name: 'hexalign-inline-css',
    setup(b) {
        b.onLoad({ filter: /\.css$/ }, async (args) => {
            const css = await readFile(args.path, 'utf8');
            const id = 'plotly-css-' + args.path.split(/node_modules[\\/]/).pop().replace(/[^A-Za-z0-9]+/g, '-');
            return {
                loader: 'js',
                contents: `if (!document.getElementById(${JSON.stringify(id)})) {
  var e = document.createElement('style'); e.id = ${JSON.stringify(id)};
  e.textContent = ${JSON.stringify(css)}; document.head.appendChild(e); }`,
            };
        });
    },
};

const entry = `var Plotly = require('plotly.js/lib/core');
Plotly.register([${traces.filter((t) => t !== 'scatter').map((t) => `require('plotly.js/lib/${t}')`).join(', ')}]);
module.exports = Plotly;`;

const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), sourcefile: 'hexalign-plotly-entry.js' },
    write: false,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'eof',
    plugins: [inlineCss, stripMeta],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': '"false"' },
    target: 'es2016',
    logLevel: 'warning',
});
const esbuildVersion = require('esbuild/package.json').version;
const header = `/**
* plotly.js v${version}
* Hexalign's partial bundle of plotly.js: core (scatter) and the traces ${traces.join(', ')}.
* Copyright 2012-2026, Plotly, Inc. All rights reserved. Licensed under the MIT license
* (https://github.com/plotly/plotly.js/blob/v${version}/LICENSE); the licences of the libraries
* it contains (MapLibre GL JS: 3-Clause BSD, ...) are at the end of the file.
* Built with esbuild ${esbuildVersion} by scripts/build_plotly_bundle.sh (scripts/plotly_bundle.mjs;
* the trace list is scripts/plotly_traces.txt). Do not edit: rebuild it.
* traces: ${traces.join(' ')}
*/
`;
await writeFile(out, header + result.outputFiles[0].text + 'window.Plotly = Plotly;\n');
