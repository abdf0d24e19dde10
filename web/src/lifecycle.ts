// What a page leaves running (a refresh poll) is stopped when the router draws the next page.
const cleanups: (() => void)[] = [];

/** Runs `fn` when the current page is left. */
export function onLeave(fn: () => void): void {
  cleanups.push(fn);
}

/** Called by the router before it draws a page. */
export function leavePage(): void {
  for (const fn of cleanups.splice(0)) fn();
}
