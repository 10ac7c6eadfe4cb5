import { it } from 'vitest';
import { redact } from '/work/main/src/audit/redact.js';
it('r', () => {
  const cases = [
    'curl -u admin:hunter2secret https://x',
    'psql postgres://app:S3cretPw@db/prod',
    'git clone https://oauth2:glpat-abcdefghij1234567890@gitlab.com/x',
    'mysql -u root -pS3cretPw',
    'stripe --api-key sk_live_abcdefghijklmnop1234',
    'curl -H "X-Api-Key: AIzaSyA1234567890abcdefghijklmnopqrstu"',
    'curl -H "Authorization: token abcdef1234567890abcdef"',
    'export DB_PASS=S3cretPw',
    'echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBF...\n-----END PGP PRIVATE KEY BLOCK-----',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
    'aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'npm config set //registry.npmjs.org/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123456789',
    'docker login -p S3cretPw -u me',
    'echo "password: hunter2"',
    'sshpass -p hunter2 ssh host',
    'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH',
  ];
  for (const c of cases) console.log(JSON.stringify(redact({ command: c, content: c })));
});
