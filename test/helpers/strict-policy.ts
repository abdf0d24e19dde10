// A policy whose actions a gateway refuses or slows (the default mostly degrades, which nginx lets
// through), and whose rules carry none of the default's optional fields (description, mark,
// when.analyst): the cluster tests' policy, and the judge's restore tests' reload.
export const STRICT_POLICY = `version: 1
name: strict-test
revision: 3
rules:
  - id: distillation-block
    when: { verdict: [distillation] }
    action: block
  - id: suspicious-throttle
    when: { verdict: [suspicious] }
    action: throttle
    params: { requests_per_minute: 1, concurrency: 1 }
`;
