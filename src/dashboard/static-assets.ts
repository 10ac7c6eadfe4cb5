import { readFileSync } from 'node:fs';

// The page's own script modules, style and icon, read once at start from the files beside this
// module (the build copies src/dashboard/assets to dist/dashboard/assets).
export interface StaticAsset {
  body: string;
  contentType: string;
}

const JS = 'text/javascript; charset=utf-8';

const ASSETS = {
  'dashboard.js': JS,
  'api.js': JS,
  'calls.js': JS,
  'chart.js': JS,
  'dom.js': JS,
  'login.js': JS,
  'panels.js': JS,
  'dashboard.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
} as const;

export type AssetName = keyof typeof ASSETS;

export function isAssetName(name: string): name is AssetName {
  return Object.hasOwn(ASSETS, name);
}

export function loadDashboardAssets(
  dir: URL = new URL('./assets/', import.meta.url),
): Record<AssetName, StaticAsset> {
  const load = (name: AssetName): StaticAsset => ({
    body: readFileSync(new URL(name, dir), 'utf8'),
    contentType: ASSETS[name],
  });
  const names = Object.keys(ASSETS) as AssetName[];
  return Object.fromEntries(names.map((name) => [name, load(name)])) as Record<
    AssetName,
    StaticAsset
  >;
}
