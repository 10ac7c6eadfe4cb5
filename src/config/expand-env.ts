// Replace `${VAR}` in every string of a parsed JSON value; collect each missing variable with the
// key path that named it, so the user sees every problem at once.
export function expandEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: string[],
  path = '',
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      const found = env[name];
      if (found === undefined) {
        problems.push(`${path || '(root)'}: environment variable \${${name}} is not set`);
        return match;
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => expandEnv(item, env, problems, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = expandEnv(item, env, problems, path ? `${path}.${key}` : key);
    }
    return out;
  }
  return value;
}
