/** The ValidatingAdmissionPolicy that `oneproc policy` prints. */
export {
  CONTAINERS_EXPRESSION,
  containerExpression,
  EXEMPT_EXPRESSION,
  MATCH_CONDITIONS,
  TEMPLATE_EXPRESSION,
} from './cel';
export {
  buildPolicy,
  POLICY_MESSAGE,
  type PolicyAction,
  PolicyOptionError,
  type PolicyOptions,
  RESOURCE_RULES,
} from './policy';
export { POLICY_SERVERS, type PolicyServer } from './servers';
