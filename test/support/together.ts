/**
 * Signed documents sent at the same time, made to meet: `together(store, n)` holds each of the
 * store's nonce lookups (`earlierAnswer`, the last step before an advance is checked against the
 * clock) until `n` have been answered, then lets them all go at once, so `n` documents are all
 * checked before any of them is recorded. The store is itself again after.
 *
 * A platform that checks each document only once the one before it is recorded never lets them
 * meet: after `patienceMs` (wall time) they go on one by one, and the test fails on what they
 * are answered, not by hanging.
 */
import type { CommunityStore } from "../../src/store/communityStore.js";

export function together(store: CommunityStore, n: number, patienceMs = 5000): void {
  const original = store.earlierAnswer;
  let answered = 0;
  let release = () => {};
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  const giveUp = setTimeout(() => {
    store.earlierAnswer = original;
    release();
  }, patienceMs);
  store.earlierAnswer = async (nonceKey) => {
    const answer = await original.call(store, nonceKey);
    answered += 1;
    if (answered === n) {
      store.earlierAnswer = original;
      clearTimeout(giveUp);
      release();
    }
    await all;
    return answer;
  };
}
