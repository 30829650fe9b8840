// The rule that says when a caller has switched colors in a blue/green cut-over: shared by the deploy scenario
// tests (packages/deploy/test/helpers/cut-over.ts re-exports it beside their sampler) and the deploy benchmark's
// smoke test (packages/fault-bench/test/deploy-smoke.test.ts), each including `../../test-support` in its
// tsconfig.test.json.

/**
 * The answers from the first one of the new color on, among the requests sent from `since` (the start of the
 * cut-over) on, in the order they were sent: once a caller has switched it must not go back, so none of them may
 * come from the old color. When it switches is its own business: discovery-client hears of a flip of the active
 * color through its blocking query a moment after the deploy wrote it, a moment that a busy machine stretches, and
 * the requests sent in between still go to the old color. Empty while no answer of the new color has come.
 */
export function afterSwitch<T extends { sentAt: number }>(answers: readonly T[], since: number, isNew: (answer: T) => boolean): T[] {
  const sent = answers.filter((a) => a.sentAt >= since).sort((a, b) => a.sentAt - b.sentAt);
  const first = sent.findIndex(isNew);
  return first < 0 ? [] : sent.slice(first);
}
