/**
 * The servers the ValidatingAdmissionPolicy recognises, as data: each server's `policy` facts in its
 * spec (src/servers/<id>/spec.ts), listed by the registry.
 */
export { POLICY_SERVERS, type PolicyServer } from '../servers/registry';
