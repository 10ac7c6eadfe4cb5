import { readFileSync } from 'node:fs';

// The page's own script and style, read once at start from the files beside this module
// (the build copies src/dashboard/assets to dist/dashboard/assets).
export interface StaticAsset {
  body: string;
  contentType: string;
}

const ASSETS = {
  'dashboard.js': 'text/javascript; charset=utf-8',
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
  return {
    'dashboard.js': load('dashboard.js'),
    'dashboard.css': load('dashboard.css'),
    'favicon.svg': load('favicon.svg'),
  };
}
