// The monitoring page and its read-only API, mounted by the hub at /dashboard.
export { createDashboard, type Dashboard, type DashboardDeps } from './dashboard-app.js';
export type { DashboardServerState } from './api-routes.js';
export type { DashboardEnv, DashboardRefusal } from './dashboard-env.js';
export { createLiveFeed, type LiveFeed, type LiveRecord } from './live-feed.js';
