// A policy that acts on the plan an account record names (one rule per action, one in shadow), for
// the gateway's tests: what each account is decided is known from its plan alone.
export const PLANS_POLICY = `version: 1
name: plans
revision: 1
rules:
  - id: edu-block
    when: { plan: [education] }
    action: block
  - id: research-degrade
    when: { plan: [research] }
    action: degrade
    params: { max_tokens: 256, thinking: off, tools: false }
    mark: { marker: m-research }
  - id: startup-throttle
    when: { plan: [startup] }
    action: throttle
    params: { requests_per_minute: 2, concurrency: 1 }
  - id: free-step-up
    when: { plan: [free] }
    action: step_up
    params: { method: phone }
  - id: reseller-hold
    mode: shadow
    when: { plan: [reseller] }
    action: hold
`;
