// The boundary between the shop and its workspace packages (docs/decisions/0014-sandbox-package.md), as an ESLint
// rule. Import paths are resolved, not pattern-matched, so `../../src/x.js` is judged by where it lands:
//   - shop code (anything outside packages/<name>/) imports a package by its name only: no `<name>/sub/path`, no
//     relative path into the package's src/ or dist/; the package's test helpers (packages/<name>/test/helpers/,
//     test arrangements built on its public API, never published) are the one folder the shop's tests may reach;
//   - a package's own files never import outside the package's folder (not the shop's src/, not its tests), nor the
//     root project by name.
import path from 'node:path';

/** @type {import('eslint').Rule.RuleModule} */
export const packageBoundary = {
  meta: {
    type: 'problem',
    docs: { description: 'shop code imports a workspace package by name only; a package imports nothing outside it' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          rootName: { type: 'string' },
          packages: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                dir: { type: 'string' },
                name: { type: 'string' },
                shared: { type: 'array', items: { type: 'string' } },
              },
              required: ['dir', 'name'],
              additionalProperties: false,
            },
          },
        },
        required: ['root', 'packages'],
        additionalProperties: false,
      },
    ],
    messages: {
      deepByName: "Import '{{name}}' by its name only, not '{{specifier}}': the package exports what the shop may use.",
      deepByPath:
        "'{{specifier}}' reaches into {{dir}}/: import '{{name}}' by its name instead (docs/decisions/0014-sandbox-package.md).",
      escapes: "'{{specifier}}' leaves {{dir}}/: the package imports nothing from the project around it.",
      rootByName: "The package '{{name}}' must not import the root project '{{specifier}}'.",
    },
  },
  create(context) {
    const { root, rootName, packages } = context.options[0];
    const file = path.resolve(context.filename);
    const inside = (p, dir) => {
      const rel = path.relative(path.join(root, dir), p);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    };
    const own = packages.find((p) => inside(file, p.dir));

    function check(node) {
      const specifier = node?.value;
      if (typeof specifier !== 'string') return;
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      const target = relative ? path.resolve(path.dirname(file), specifier) : undefined;
      if (own) {
        if (target && !inside(target, own.dir))
          context.report({ node, messageId: 'escapes', data: { specifier, dir: own.dir } });
        if (rootName && (specifier === rootName || specifier.startsWith(`${rootName}/`)))
          context.report({ node, messageId: 'rootByName', data: { specifier, name: own.name } });
        return;
      }
      for (const pkg of packages) {
        if (specifier.startsWith(`${pkg.name}/`))
          context.report({ node, messageId: 'deepByName', data: { specifier, name: pkg.name } });
        else if (
          target &&
          inside(target, pkg.dir) &&
          !(pkg.shared ?? []).some((s) => inside(target, path.join(pkg.dir, s)))
        )
          context.report({ node, messageId: 'deepByPath', data: { specifier, name: pkg.name, dir: pkg.dir } });
      }
    }

    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source.type === 'Literal' ? n.source : undefined),
    };
  },
};

/** The flat-config block that turns the rule on for every source file under `root` (eslint.config.js spreads it). */
export function packageBoundaryConfig(root) {
  return {
    files: ['**/*.ts', '**/*.js'],
    plugins: { boundary: { rules: { 'package-boundary': packageBoundary } } },
    rules: {
      'boundary/package-boundary': [
        'error',
        {
          root,
          rootName: 'rbs-redirect-storefront',
          packages: [
            { dir: 'packages/gateway-sandbox', name: '@rbs-storefront/gateway-sandbox', shared: ['test/helpers'] },
          ],
        },
      ],
    },
  };
}
