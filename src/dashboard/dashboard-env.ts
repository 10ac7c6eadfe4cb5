import type { HttpEnv, HttpVariables } from '../transport/http/index.js';
import type { DashboardSession } from './sessions.js';

// The hono environment of the dashboard routes: the hub's, plus the signed-in session.
export interface DashboardEnv {
  Bindings: HttpEnv['Bindings'];
  Variables: Omit<HttpVariables, 'principal'> & { session: DashboardSession };
}

// Why a dashboard request was turned away, for metrics (same words as token-auth's).
export type DashboardRefusal = 'missing' | 'invalid' | 'scope' | 'guessing' | 'unavailable';
