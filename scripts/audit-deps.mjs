// `npm audit --omit=dev` for CI, read the same way `bastion doctor` reads it: high or critical
// findings in runtime dependencies fail; a registry without the audit endpoint only warns.
import { checkNpmAudit } from '../dist/cli/commands/doctor-checks.js';

const result = await checkNpmAudit();
console.log(`npm audit --omit=dev: [${result.status}] ${result.detail}`);
process.exit(result.status === 'fail' ? 1 : 0);
