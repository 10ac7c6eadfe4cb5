// Threats to the audit log's rotation; every id has at least one test named `[ID] ...`
// (test/security/audit-rotation-race.test.ts).
export const AUDIT_THREATS = [
  {
    id: 'AUDIT-ROTATE-01',
    description:
      'Writers of one log folder rotating at once lose, tear or refuse a record, or leave a log that does not verify (a released rotation lock taken for a crashed one, and another writer’s lock removed)',
  },
] as const;
